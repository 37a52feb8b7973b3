import { readFileSync } from 'node:fs';
import { expect, test, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { APP_ID } = await import('../../../main/app/desktop-app.js');

test('the AppUserModelID the shell sets on Windows is the installer’s appId (or toasts never show)', () => {
  const builder = readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');
  expect(/^appId:\s*(\S+)\s*$/m.exec(builder)?.[1]).toBe(APP_ID);
});
