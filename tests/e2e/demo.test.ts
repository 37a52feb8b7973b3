import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';

// `npm run demo` as a newcomer runs it (minus the build the suite has already done): one URL, Parley
// signed in as the demo user, simulated colleagues in the list with live presence, one waiting for
// approval; Ctrl+C stops everything.
let browser: Browser;
let demo: ChildProcess;
let url = '';
let output = '';

beforeAll(async () => {
  browser = await launchChromium();
  demo = spawn(process.execPath, ['scripts/demo.mjs', '--no-open'], {
    env: { ...process.env, PARLEY_DEMO_BUILT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no URL:\n${output}`)), 90_000);
    createInterface({ input: demo.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      const found = /^Parley demo: (\S+)/.exec(line)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

test('the demo opens signed in, with colleagues whose presence is live and one approval waiting; Ctrl+C stops it all', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Status: Available' }).waitFor();
  const contacts = page.getByRole('tree', { name: 'Contacts' });
  for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson']) {
    await contacts.getByRole('treeitem', { name }).waitFor();
  }
  // Their presence is live: a note they published shows up (each starts with one).
  await expect.poll(() => contacts.getByText('Debugging — literally').count(), { timeout: 20_000 }).toBe(1);
  await page.getByRole('region', { name: 'Waiting for your approval' }).getByText('linus@demo.parley.test').waitFor();
  // A colleague answers a message.
  await contacts.getByRole('treeitem', { name: /^Ada Lovelace/ }).dblclick();
  await page.getByRole('textbox', { name: 'Message' }).fill('Hello Ada');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await page
    .getByRole('log', { name: 'Messages' })
    .getByText(/^Ada here — you said “Hello Ada”/)
    .waitFor({ timeout: 20_000 });
  await page.close();

  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  demo.kill('SIGINT');
  expect(await exited).toBe(0);
}, 120_000);
