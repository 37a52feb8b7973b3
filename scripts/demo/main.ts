import { problemText } from '../../shared/domain/problem.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Engine } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { Kamailio } from '../../tests/support/kamailio.js';
import { COLLEAGUES, SimulatedColleague } from './colleague.js';

/**
 * `npm run demo`: a local Kamailio with a demo domain, a handful of simulated colleagues, and Parley in
 * web mode already signed in as the demo user with the colleagues as contacts. Prints one URL (which
 * scripts/demo.mjs opens in the browser); Ctrl+C stops everything it started.
 */
const DOMAIN = 'demo.parley.test';
const ME = { user: 'you', name: 'You (demo)', password: 'you-demo' };
/** One colleague still waits for your approval: the demo shows that flow too. */
const ASKING = 'linus';

async function main(): Promise<void> {
  // --no-open is read by scripts/demo.mjs, which opens the printed address.
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'no-open': { type: 'boolean' } }, strict: true });
  const users: Record<string, string> = { [ME.user]: ME.password };
  for (const colleague of COLLEAGUES) users[colleague.user] = `${colleague.user}-demo`;

  const started: { stop(): Promise<void> | void }[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const part of started.reverse()) await Promise.resolve(part.stop()).catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const kamailio = await Kamailio.launch({ domain: DOMAIN, users, presRules: true });
    started.push({ stop: () => kamailio.dispose() });
    const server = { wsUrl: kamailio.wsUrl, domain: DOMAIN };

    const colleagues = COLLEAGUES.map((profile) => new SimulatedColleague(profile, server));
    for (const colleague of colleagues) {
      started.push(colleague);
      await colleague.start();
    }

    // The demo user's data: signed in once (account and password remembered), colleagues added (which
    // also lets them see you) — all but one, who asks to see you: that request waits in the inbox.
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-demo-'));
    started.push({ stop: () => rmSync(dataDir, { recursive: true, force: true }) });
    const seed = new Engine({ dataDir, mode: 'web', version: 'demo', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
    const signedIn = await seed.account.signIn({
      address: `${ME.user}@${DOMAIN}`,
      password: ME.password,
      server: kamailio.wsUrl,
      displayName: ME.name,
      rememberPassword: true,
    });
    if (!signedIn.ok) throw new Error(`the demo user could not sign in: ${problemText(signedIn.error)}`);
    const work = seed.contacts.createGroup('Team');
    for (const colleague of colleagues) {
      if (colleague.profile.user === ASKING) continue;
      seed.contacts.add({
        address: colleague.address,
        displayName: colleague.profile.name,
        ...(work.ok ? { groupId: work.value.id } : {}),
      });
    }
    // The additions are one pres-rules write; let it reach the server before this engine goes.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await seed.close();
    colleagues.find((c) => c.profile.user === ASKING)?.engine.contacts.add({ address: `${ME.user}@${DOMAIN}`, displayName: ME.name });

    const web = await startWebMode(dataDir, values.port ?? '0');
    started.push({ stop: () => stopChild(web.child) });
    process.stdout.write(`Parley demo: ${web.url}\n`);
    process.stdout.write(`Signed in as ${ME.user}@${DOMAIN} with ${colleagues.length} simulated colleagues. Ctrl+C stops it all.\n`);
    web.child.on('exit', (code) => void stop(code ?? 0));
  } catch (error) {
    process.stderr.write(`Parley demo could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

function startWebMode(dataDir: string, port: string): Promise<{ child: ChildProcess; url: string }> {
  // The product's own build (out/main), not the demo's compiled copy of the engine.
  const cli = new URL('../../../main/web/cli.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, '--data-dir', dataDir, '--port', port], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`web mode exited with ${code}`)));
    lines.on('line', (line) => {
      const url = /^Parley web UI: (\S+)/.exec(line)?.[1];
      if (url) resolve({ child, url });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

void main();
