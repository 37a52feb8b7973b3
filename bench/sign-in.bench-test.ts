import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Engine } from '../main/engine.js';
import { FileSecretStore } from '../main/store/secret-store.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { WebParley } from '../tests/support/web-mode.js';
import { median, record, size, type Figure } from './support/record.js';

const RUNS = size(5, 1);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('web mode start-up, sign-in, memory and reconnect', async () => {
  const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw' } });
  const figures: Figure[] = [];
  try {
    // A data folder with a remembered account, so every start signs in by itself.
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
    const seed = new Engine({ dataDir, mode: 'web', version: 'bench', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
    const signedIn = await seed.account.signIn({
      address: `alice@${DOMAIN}`,
      password: 'alice-pw',
      server: kamailio.wsUrl,
      rememberPassword: true,
    });
    expect(signedIn.ok).toBe(true);
    await seed.close();

    const toUi: number[] = [];
    const toRegistered: number[] = [];
    const rss: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const parley = await WebParley.launch({ dataDir, env: { PARLEY_LOG: 'info' } });
      toUi.push(parley.readyMs);
      // Registered as the server sees it: poll the registrar.
      for (;;) {
        if ((await kamailio.contacts('alice')).length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      toRegistered.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 500));
      rss.push(rssMb(parley.pid));
      await parley.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
    figures.push(
      { name: 'web mode: process start → "Parley web UI:" line (median of 5)', value: median(toUi), unit: 'ms', budget: 1000 },
      { name: 'web mode: process start → registered on the server (median of 5)', value: median(toRegistered), unit: 'ms', budget: 2000 },
      { name: 'engine RSS after sign-in (web mode process, median of 5)', value: median(rss), unit: 'MB', budget: 150 },
    );

    // Server restart: from the moment the server accepts connections again to registered again. Each
    // outage comes after the connection has held (a restart, not a server dropping us at once, which
    // Parley deliberately answers with a growing backoff): the connection counts as stable after 2 s
    // here (10 s by default) and the bench waits that long between outages.
    const STABLE_MS = 2_000;
    const engineDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
    const engine = new Engine({
      dataDir: engineDir,
      mode: 'web',
      version: 'bench',
      secrets: new FileSecretStore(join(engineDir, 'c.json')),
      sip: { stableAfterMs: STABLE_MS },
    });
    await engine.account.signIn({ address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl, rememberPassword: false });
    const backToRegistered: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await new Promise((resolve) => setTimeout(resolve, STABLE_MS + 500));
      await kamailio.stop();
      await until(() => engine.connection.current.status === 'reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await kamailio.start();
      const up = performance.now();
      await until(() => engine.connection.current.status === 'registered');
      backToRegistered.push(performance.now() - up);
    }
    await engine.close();
    rmSync(engineDir, { recursive: true, force: true });
    figures.push({
      name: 'server back up → registered again, after a 1.5 s outage (median of 5)',
      value: median(backToRegistered),
      unit: 'ms',
      budget: 2000,
      detail: `runs: ${backToRegistered.map((v) => v.toFixed(0)).join(', ')} ms`,
    });
  } finally {
    record('sign-in', figures);
    await kamailio.dispose();
  }
});
