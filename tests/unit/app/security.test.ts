import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  current: undefined as unknown as ReturnType<typeof import('../../support/electron-mock.js').createElectronMock>,
}));
vi.mock('electron', async () => {
  const { createElectronMock } = await import('../../support/electron-mock.js');
  electron.current = createElectronMock('/nonexistent');
  return electron.current;
});

const { hardenWebContents, installPermissionPolicy, isSafeExternalUrl, secureWebPreferences } =
  await import('../../../main/app/security.js');
const { registerAppScheme, serveRenderer } = await import('../../../main/app/protocol.js');
const { FakeEvent, FakeSession, FakeWebContents } = await import('../../support/electron-mock.js');
const { CONTENT_SECURITY_POLICY } = await import('../../../main/csp.js');

describe('window hardening', () => {
  test('web preferences: sandboxed, isolated, no Node, devtools only when asked', () => {
    expect(secureWebPreferences('/p.cjs', false)).toMatchObject({
      preload: '/p.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
      autoplayPolicy: 'no-user-gesture-required',
      devTools: false,
    });
  });

  test('navigation, redirects and webviews are blocked; window.open is denied and only safe links leave', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as never);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = new FakeEvent();
      contents.emit(name, event, 'https://evil.example/');
      expect(event.defaultPrevented, name).toBe(true);
    }
    expect(contents.windowOpenHandler!({ url: 'https://example.com/doc' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.current.shell.opened).toEqual(['https://example.com/doc']);
  });

  test('only https and mailto go to the system', () => {
    expect(isSafeExternalUrl('https://example.com')).toBe(true);
    expect(isSafeExternalUrl('mailto:a@example.com')).toBe(true);
    for (const url of ['http://example.com', 'file:///C:/x', 'smb://host/share', 'javascript:1', 'not a url'])
      expect(isSafeExternalUrl(url), url).toBe(false);
  });

  test('permissions: media, speaker choice and notifications for our own origin, nothing else', () => {
    const session = new FakeSession();
    installPermissionPolicy(session as never);
    const ask = (permission: string, requestingUrl: string) => {
      let granted: boolean | undefined;
      session.permissionRequestHandler!(null, permission, (value: boolean) => (granted = value), { requestingUrl });
      return granted;
    };
    expect(ask('media', 'app://parley/index.html')).toBe(true);
    expect(ask('notifications', 'app://parley/index.html')).toBe(true);
    expect(ask('speaker-selection', 'app://parley/index.html')).toBe(true);
    expect(ask('speaker-selection', 'https://evil.example/')).toBe(false);
    expect(ask('geolocation', 'app://parley/index.html')).toBe(false);
    expect(ask('media', 'https://evil.example/')).toBe(false);
    expect(session.permissionCheckHandler!(null, 'media', 'app://parley')).toBe(true);
    expect(session.permissionCheckHandler!(null, 'clipboard-read', 'app://parley')).toBe(false);
  });
});

describe('the app:// protocol', () => {
  const root = mkdtempSync(join(tmpdir(), 'parley-renderer-'));
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<p>hi</p>');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('is registered as a standard secure scheme and serves the renderer with the CSP header', async () => {
    registerAppScheme();
    expect(electron.current.protocol.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    serveRenderer(join(root, 'renderer'));
    const handler = electron.current.protocol.handlers.get('app')!;
    const response = (await handler(new Request('app://parley/index.html'))) as Response;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<p>hi</p>');
    expect(response.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  test('refuses paths outside the renderer and other hosts', async () => {
    const handler = electron.current.protocol.handlers.get('app')!;
    expect(((await handler(new Request('app://parley/..%2Fsecret.txt'))) as Response).status).toBe(404);
    expect(((await handler(new Request('app://parley/%2e%2e/secret.txt'))) as Response).status).toBe(404);
    expect(((await handler(new Request('app://other/index.html'))) as Response).status).toBe(404);
  });
});

test('the CSP allows only our own scripts and styles: no inline code, no eval, no framing', () => {
  const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
  expect(directives['default-src']).toEqual(["'none'"]);
  expect(directives['script-src']).toEqual(["'self'"]);
  expect(directives['style-src']).toEqual(["'self'"]);
  expect(directives['frame-ancestors']).toEqual(["'none'"]);
  expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
});
