import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';

vi.mock('electron', async () => ({ safeStorage: (await import('../../support/electron-mock.js')).fakeSafeStorage }));
const { fakeSafeStorage } = await import('../../support/electron-mock.js');
const { createSafeStorageSecrets } = await import('../../../main/app/safe-storage-secrets.js');

const dir = mkdtempSync(join(tmpdir(), 'parley-keychain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('the desktop keychain on Linux', () => {
  test('with a real keyring the password is kept, encrypted', async () => {
    fakeSafeStorage.backend = 'gnome_libsecret';
    const store = createSafeStorageSecrets(join(dir, 'ok.json'));
    expect(store.description).toEqual({ kind: 'safeStorage' });
    await store.set('password:sip:a@b', 'hunter2');
    expect(await store.get('password:sip:a@b')).toBe('hunter2');
  });

  test("without one (Chromium's hard-coded basic_text key) nothing is kept, and the form is told why", async () => {
    fakeSafeStorage.backend = 'basic_text';
    const file = join(dir, 'basic.json');
    const store = createSafeStorageSecrets(file);
    expect(store.description).toMatchObject({ kind: 'unavailable', reason: 'keychainNotRunning' });
    await expect(store.set('password:sip:a@b', 'hunter2')).rejects.toThrow(/not available/);
    expect(existsSync(file)).toBe(false);
    fakeSafeStorage.backend = 'gnome_libsecret';
  });
});
