import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { WebParley } from '../support/web-mode.js';

const electronInstalled = existsSync(new URL('../../node_modules/electron/dist', import.meta.url));

// On a machine that has the Electron runtime this would open the desktop app instead.
test.skipIf(electronInstalled)('npm start without an obtainable Electron says so in one line and starts web mode', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-start-'));
  // A stand-in for the desktop's "open this in the browser" (xdg-open), recording what it was given.
  const bin = join(dataDir, 'bin');
  mkdirSync(bin);
  const opened = join(dataDir, 'opened.txt');
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${opened}'\n`, { mode: 0o755 });
  // A mirror that refuses connections makes the download fail the same way everywhere.
  const child = spawn(process.execPath, ['scripts/start.mjs', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', PATH: `${bin}:${process.env.PATH}`, DISPLAY: ':99' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no web UI line; got:\n${lines.join('\n')}`)), 60_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('Parley web UI: ')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Parley: the Electron [\d.]+ runtime cannot be obtained here \(.+\); starting web mode instead\.$/);
    expect(lines[1]).toMatch(/^Parley web UI: http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/);
    // …and that address was opened in the browser.
    await expect
      .poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8').trim() : ''))
      .toBe(lines[1]!.slice('Parley web UI: '.length));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('when the engine stops, the page says so instead of failing silently', async () => {
  const browser = await launchChromium();
  const parley = await WebParley.launch();
  try {
    const page = await browser.newPage();
    await page.goto(parley.url);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await parley.stop();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Parley’s engine is not running. Start Parley again, then reload this page.',
    );
  } finally {
    await browser.close();
    await parley.dispose();
  }
});

test('a page without the secret, or with a wrong one, cannot use the engine and says why', async () => {
  const browser = await launchChromium();
  const parley = await WebParley.launch();
  try {
    const page = await browser.newPage();
    await page.goto(parley.url.replace(/#token=.*/, ''));
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'This address is missing its access key. Open the exact address Parley printed (“Parley web UI: …”).',
    );
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    const guessed = await browser.newPage();
    await guessed.goto(parley.url.replace(/#token=.*/, '#token=guess'));
    await expect(guessed.getByRole('alert').textContent()).resolves.toMatch(/^Can’t connect to Parley’s engine\./);
  } finally {
    await browser.close();
    await parley.dispose();
  }
});
