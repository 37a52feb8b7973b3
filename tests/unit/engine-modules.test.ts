import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { Engine, MODULES } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { CHANNELS } from '../../shared/ipc/contract.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function engine(): Engine {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-modules-'));
  dirs.push(dataDir);
  return new Engine({ dataDir, mode: 'web', version: 'test', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
}

test('the engine is its modules: every contract channel is answered by exactly one of them, and each domain service is made', async () => {
  const made = engine();
  expect(Object.keys(made.handlers).sort()).toEqual([...CHANNELS].sort());
  for (const service of [made.account, made.approvals, made.contacts, made.presenceWatch, made.myPresence, made.messaging, made.calls]) {
    expect(service).toBeDefined();
  }
  await made.close();
});

test('a module listed before a domain it needs fails at once, naming it (not later, at the first request)', () => {
  const original = [...MODULES];
  const list = MODULES as unknown as unknown[];
  // Calls need contacts and my presence: moved to the front, the engine refuses to start.
  list.splice(0, list.length, original.at(-1), ...original.slice(0, -1));
  try {
    expect(() => engine()).toThrow(/service is used before its module made it/);
  } finally {
    list.splice(0, list.length, ...original);
  }
});
