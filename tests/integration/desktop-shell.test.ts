import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import Database from 'better-sqlite3';
import { CHANNELS } from '../../shared/ipc/contract.js';
import { WINDOW_BOUNDS_KEY } from '../../main/app/window-bounds.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { PAGELESS_SDP } from '../support/webrtc.js';

// Electron cannot run here: the shell runs against a recording stand-in, the engine behind it is real
// (SQLite file, sip.js, a real Kamailio).
const electron = vi.hoisted(() => ({
  current: undefined as unknown as ReturnType<typeof import('../support/electron-mock.js').createElectronMock>,
}));
vi.mock('electron', async () => {
  const { createElectronMock } = await import('../support/electron-mock.js');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  electron.current = createElectronMock(mkdtempSync(join(tmpdir(), 'parley-desktop-')));
  return electron.current;
});

const { DesktopApp } = await import('../../main/app/desktop-app.js');
const { FakeBrowserWindow, FakeNotification, FakeTray } = await import('../support/electron-mock.js');
const { EngineFleet, withPeer } = await import('../support/engines.js');

const APP_FRAME = { url: 'app://parley/index.html', parent: null };
/** Under a loaded CI machine a round trip through Kamailio can take well over vitest's default second. */
const LONG = { timeout: 10_000, interval: 20 };
let kamailio: Kamailio;
let desktop: InstanceType<typeof DesktopApp>;

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' }, presRules: true });
  desktop = new DesktopApp(electron.current.app as never, undefined, { idlePollMs: 50 });
  expect(await desktop.run()).toBe(true);
});

afterEach((context) => {
  // A failure here is about timing between two SIP parties: the server's view is the evidence.
  if (context.task.result?.state === 'fail') console.error(`kamailio log (tail):\n${kamailio.output.split('\n').slice(-60).join('\n')}`);
});

afterAll(async () => {
  await kamailio?.dispose();
  rmSync(electron.current.app.userData, { recursive: true, force: true });
});

/** The main window (the newest one that is not a conversation or call window). */
const window = () =>
  FakeBrowserWindow.instances.filter((w) => !w.loadedUrl.includes('?conversation=') && !w.loadedUrl.includes('?call=')).at(-1)!;

/** Alice signed in and Available, whatever the tests before left (each test sets up what it needs). */
async function signedInAvailable(): Promise<void> {
  if (tray().menu!.item('status').label === 'Signed out') {
    const result = await ipc().invoke(
      'account:signIn',
      { address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl, rememberPassword: true },
      APP_FRAME,
    );
    expect(result).toMatchObject({ ok: true });
  }
  await ipc().invoke('presence:setMine', { status: 'available' }, APP_FRAME);
  electron.current.powerMonitor.idleSeconds = 0;
  await vi.waitFor(() => expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Available`), LONG);
}
const tray = () => FakeTray.instances.at(-1)!;
const ipc = () => electron.current.ipcMain;

describe('the desktop shell (Electron mocked, engine real)', () => {
  test('opens one hardened window on the app origin with the preload as its only bridge', () => {
    const prefs = window().options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/out\/preload\/preload\.cjs$/);
    expect(window().loadedUrl).toBe('app://parley/index.html');
    window().emit('ready-to-show');
    expect(window().visible).toBe(true);
  });

  test('answers IPC only from its own top frame, and validates every payload', async () => {
    expect([...ipc().handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    await expect(ipc().invoke('app:getInfo', undefined, APP_FRAME)).resolves.toMatchObject({
      ok: true,
      value: { mode: 'desktop', secretStorage: { kind: 'safeStorage' } },
    });
    await expect(ipc().invoke('app:getInfo', undefined, { url: 'https://evil.example/', parent: null })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    });
    await expect(ipc().invoke('app:getInfo', undefined, { url: 'app://parley/index.html', parent: {} })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    });
    await expect(ipc().invoke('app:getInfo', undefined, null)).resolves.toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    await expect(ipc().invoke('account:signIn', { address: 'alice@uc.test', extra: 1 }, APP_FRAME)).resolves.toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
  });

  test('the tray shows the status, and signing in over IPC registers with the real server', async () => {
    expect(tray().menu!.item('status').label).toBe('Signed out');
    expect(tray().menu!.item('signOut').enabled).toBe(false);

    const result = await ipc().invoke(
      'account:signIn',
      {
        address: `alice@${DOMAIN}`,
        password: 'alice-pw',
        server: kamailio.wsUrl,
        rememberPassword: true,
        iceServers: ['turn:turn.uc.test:3478'],
        iceUser: 'alice-turn',
        icePassword: 'turn-pw',
      },
      APP_FRAME,
    );
    expect(result).toMatchObject({ ok: true, value: { status: 'registered' } });
    // The page that makes a call gets the TURN credential (WebRTC needs it there).
    expect(await ipc().invoke('calls:iceServers', undefined, APP_FRAME)).toEqual({
      ok: true,
      value: [{ urls: ['turn:turn.uc.test:3478'], username: 'alice-turn', credential: 'turn-pw' }],
    });
    expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Available`);
    expect(tray().toolTip).toBe(`Parley — alice@${DOMAIN} — Available`);
    expect((tray().image as { path: string }).path).toMatch(/tray-available\.png$/);
    expect(await kamailio.contacts('alice')).toHaveLength(1);
    // The window heard about it as an event.
    expect(window().webContents.sent.map((m) => m.channel)).toContain('onDidChangeConnection');
  });

  test('the tray changes my status, and shows what others see', async () => {
    await signedInAvailable();
    expect(tray().menu!.item('status:available')).toMatchObject({ type: 'radio', checked: true });
    tray().menu!.item('status:busy').click!();
    expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Busy`);
    expect(tray().menu!.item('status:busy').checked).toBe(true);
    expect((tray().image as { path: string }).path).toMatch(/tray-busy\.png$/);
    tray().menu!.item('status:available').click!();
    expect((tray().image as { path: string }).path).toMatch(/tray-available\.png$/);
  });

  test('system idle time makes me Away while Available, and activity brings me back; a chosen status stays', async () => {
    await signedInAvailable();
    const sent = () =>
      window()
        .webContents.sent.filter((m) => m.channel === 'onDidChangeMyPresence')
        .at(-1)?.payload;
    await ipc().invoke('presence:setIdleMinutes', { minutes: 1 }, APP_FRAME);
    electron.current.powerMonitor.idleSeconds = 61;
    await vi.waitFor(() => expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Away (idle)`), LONG);
    expect(sent()).toMatchObject({ status: 'available', idle: true });
    electron.current.powerMonitor.idleSeconds = 0;
    await vi.waitFor(() => expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Available`), LONG);

    tray().menu!.item('status:dnd').click!();
    electron.current.powerMonitor.idleSeconds = 600;
    // Two polls of the idle time after it went up: the second saw it for sure.
    const asked = electron.current.powerMonitor.idleQueries;
    await vi.waitFor(() => expect(electron.current.powerMonitor.idleQueries).toBeGreaterThanOrEqual(asked + 2), LONG);
    expect(tray().menu!.item('status').label).toBe(`alice@${DOMAIN} — Do not disturb`);
    electron.current.powerMonitor.idleSeconds = 0;
  });

  test('an approval request notifies on the desktop, but not in Do not disturb', async () => {
    await signedInAvailable();
    await ipc().invoke('presence:setMine', { status: 'dnd' }, APP_FRAME);
    FakeNotification.shown.length = 0;
    const fleet = new EngineFleet(kamailio);
    try {
      const bob = await fleet.signedIn('bob');
      bob.contacts.add({ address: `alice@${DOMAIN}` });
      const inbox = () =>
        (
          window()
            .webContents.sent.filter((m) => m.channel === 'onDidChangeApprovals')
            .at(-1)?.payload as { requests: { uri: string }[] } | undefined
        )?.requests ?? [];
      await vi.waitFor(() => expect(inbox().map((r) => r.uri)).toContain(`sip:bob@${DOMAIN}`), LONG);
      // The shell decides about the notification as it forwards this event to the window.
      const announced = () =>
        window()
          .webContents.sent.filter((m) => m.channel === 'onDidReceiveApprovalRequests')
          .map((m) => (m.payload as { first: { uri: string } }).first.uri);
      await vi.waitFor(() => expect(announced()).toContain(`sip:bob@${DOMAIN}`), LONG);
      expect(FakeNotification.shown).toEqual([]); // alice is in Do not disturb
      await ipc().invoke('presence:setMine', { status: 'available' }, APP_FRAME);
      const carol = await fleet.signedIn('carol');
      carol.contacts.add({ address: `alice@${DOMAIN}` });
      await vi.waitFor(
        () =>
          expect(FakeNotification.shown.map((n) => n.options)).toEqual([
            { title: 'Approval request', body: `\u2068carol@${DOMAIN}\u2069 wants to see your presence.` },
          ]),
        LONG,
      );
    } finally {
      await fleet.dispose();
    }
  });

  test('a message notifies on the desktop while the window is not in front — once per burst, not in Do not disturb; a click opens the conversation', async () => {
    await signedInAvailable();
    FakeNotification.shown.length = 0;
    window().hide();
    const fleet = new EngineFleet(kamailio);
    try {
      const bob = await fleet.signedIn('bob');
      bob.messaging.send(withPeer(bob, `alice@${DOMAIN}`), 'first of a burst');
      bob.messaging.send(withPeer(bob, `alice@${DOMAIN}`), 'second of a burst');
      const delivered = () =>
        window()
          .webContents.sent.filter((m) => m.channel === 'onDidChangeMessages')
          .flatMap((m) => m.payload as { text: string }[]);
      await vi.waitFor(() => expect(delivered().map((m) => m.text)).toContain('second of a burst'), LONG);
      expect(FakeNotification.shown.map((n) => n.options)).toEqual([
        { title: `\u2068bob@${DOMAIN}\u2069`, body: '\u2068first of a burst\u2069' },
      ]);
      // The tray counts them, and its menu item opens Parley.
      await vi.waitFor(() => expect(tray().menu!.item('unread').label).toBe('2 unread messages'), LONG);
      window().show();
      // A click opens the conversation in its own window.
      const windowsBefore = FakeBrowserWindow.instances.length;
      FakeNotification.shown[0]!.emit('click');
      const conversation = FakeBrowserWindow.instances.at(-1)!;
      expect(FakeBrowserWindow.instances).toHaveLength(windowsBefore + 1);
      // Alice's conversation with bob, by its id (what the window's URL names).
      const withBob = (await ipc().invoke('chat:with', { peer: `bob@${DOMAIN}` }, APP_FRAME)) as { ok: true; value: { id: number } };
      expect(conversation.loadedUrl).toBe(`app://parley/index.html?conversation=${withBob.value.id}`);
      expect(conversation.options.webPreferences).toEqual(window().options.webPreferences);
      // Opened again (from the list): the same window comes forward, no second one.
      conversation.focused = false;
      expect(await ipc().invoke('app:openConversation', { conversationId: withBob.value.id }, APP_FRAME)).toEqual({
        ok: true,
        value: { opened: true },
      });
      expect(FakeBrowserWindow.instances).toHaveLength(windowsBefore + 1);
      expect(conversation.focused).toBe(true);
      // It hears the engine's events like the main window.
      bob.messaging.send(withPeer(bob, `alice@${DOMAIN}`), 'third');
      await vi.waitFor(
        () =>
          expect(
            conversation.webContents.sent.some((m) => m.channel === 'onDidChangeMessages' && JSON.stringify(m.payload).includes('third')),
          ).toBe(true),
        LONG,
      );
      conversation.destroy();

      // In Do not disturb, nothing (carol is a new conversation, so not the burst rule).
      window().hide();
      await ipc().invoke('presence:setMine', { status: 'dnd' }, APP_FRAME);
      const carol = await fleet.signedIn('carol');
      carol.messaging.send(withPeer(carol, `alice@${DOMAIN}`), 'are you there?');
      await vi.waitFor(() => expect(delivered().map((m) => m.text)).toContain('are you there?'), LONG);
      expect(FakeNotification.shown).toHaveLength(1);
      // Read in the window: the tray's count goes.
      const withCarol = (await ipc().invoke('chat:with', { peer: `carol@${DOMAIN}` }, APP_FRAME)) as { ok: true; value: { id: number } };
      await ipc().invoke('chat:markRead', { conversationId: withBob.value.id }, APP_FRAME);
      await ipc().invoke('chat:markRead', { conversationId: withCarol.value.id }, APP_FRAME);
      await vi.waitFor(() => expect(() => tray().menu!.item('unread')).toThrow(), LONG);
      await ipc().invoke('presence:setMine', { status: 'available' }, APP_FRAME);
    } finally {
      await fleet.dispose();
    }
  });

  test('a call rings with the window closed to the tray: a call window opens in the corner, on top without the focus, and a notification says who; answered, it becomes an ordinary window and the system stays awake until the call ends; then the call window goes; a missed call counts in the tray', async () => {
    await signedInAvailable();
    FakeNotification.shown.length = 0;
    expect(window().close()).toBe(false);
    window().focused = false;
    // Audio described in the plainest way: neither engine here has a page, so the test answers for them.
    const SDP = PAGELESS_SDP;
    const contents = window().webContents;
    const send = contents.send.bind(contents);
    contents.send = (channel: string, payload: unknown) => {
      send(channel, payload);
      const request = payload as { token?: string; requestId: number; action: string };
      if (channel === 'onDidRequestMedia' && request.token === 'window-page') {
        void ipc().invoke(
          'calls:media',
          { requestId: request.requestId, ok: true, ...(request.action === 'local' ? { sdp: SDP } : {}) },
          APP_FRAME,
          contents,
        );
      }
    };
    const fleet = new EngineFleet(kamailio);
    try {
      const bob = await fleet.signedIn('bob');
      bob.calls.media.onDidRequest((request) =>
        bob.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: SDP } : {}) }),
      );
      const first = bob.calls.start(`alice@${DOMAIN}`, false, 'bob-page');
      expect(first.ok).toBe(true);
      await vi.waitFor(
        () => expect(FakeNotification.shown.map((n) => n.options)).toEqual([{ title: 'Incoming call', body: `\u2068bob@${DOMAIN}\u2069` }]),
        LONG,
      );
      const listed = (await ipc().invoke('calls:list', undefined, APP_FRAME)) as { value: { id: string; state: string }[] };
      const ringing = listed.value.find((call) => call.state === 'incoming')!;
      // The call window: its own page for this call, hardened like the others, at the bottom right
      // of the 1920×1080 work area, on top, shown without taking the focus.
      const callWindow = FakeBrowserWindow.instances.find((w) => w.loadedUrl === `app://parley/index.html?call=${ringing.id}`)!;
      expect(callWindow).toBeDefined();
      callWindow.emit('ready-to-show');
      expect(callWindow.visible).toBe(true);
      expect(callWindow.focused).toBe(false);
      expect(callWindow.isAlwaysOnTop()).toBe(true);
      expect(callWindow.options).toMatchObject({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
      expect(callWindow.getBounds()).toEqual({ x: 1920 - 400 - 16, y: 1080 - 240 - 16, width: 400, height: 240 });
      // The main window stays in the tray.
      expect(window().visible).toBe(false);
      FakeNotification.shown[0]!.emit('click');
      expect(callWindow.focused).toBe(true);

      // Answered in the main window's page, which then alone hears (and answers) the call's media requests.
      expect(
        await ipc().invoke('calls:answer', { id: ringing.id, video: false, mediaToken: 'window-page' }, APP_FRAME, contents),
      ).toMatchObject({
        ok: true,
      });
      await vi.waitFor(() => expect(electron.current.powerSaveBlocker.started.size).toBe(1), LONG);
      // Answered: no longer on top, sized for an audio call.
      await vi.waitFor(() => expect(callWindow.isAlwaysOnTop()).toBe(false), LONG);
      expect(callWindow.getBounds()).toMatchObject({ width: 440, height: 300 });
      if (first.ok) bob.calls.hangUp(first.value.id);
      await vi.waitFor(() => expect(electron.current.powerSaveBlocker.started.size).toBe(0), LONG);
      // Once the call is cleared away (its reason shown a few seconds), its window goes.
      await vi.waitFor(() => expect(callWindow.isDestroyed()).toBe(true), { timeout: 15_000, interval: 100 });

      // Rung and given up on: a missed call, counted in the tray until the history is seen — apart,
      // and off the badge, while bob is not in alice's contacts; on the badge once he is.
      const second = bob.calls.start(`alice@${DOMAIN}`, false, 'bob-page');
      await vi.waitFor(() => expect(FakeNotification.shown).toHaveLength(2), LONG);
      if (second.ok) bob.calls.hangUp(second.value.id);
      await vi.waitFor(
        () => expect(tray().menu!.item('missedFromStrangers').label).toBe('1 missed call from someone not in your contacts'),
        LONG,
      );
      expect(() => tray().menu!.item('missed')).toThrow();
      expect(electron.current.app.badgeCount).toBe(0);
      expect(await ipc().invoke('contacts:add', { address: `bob@${DOMAIN}` }, APP_FRAME)).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(tray().menu!.item('missed').label).toBe('1 missed call'), LONG);
      expect(() => tray().menu!.item('missedFromStrangers')).toThrow();
      expect(electron.current.app.badgeCount).toBe(1);
      await ipc().invoke('calls:markSeen', undefined, APP_FRAME);
      await vi.waitFor(() => expect(() => tray().menu!.item('missed')).toThrow(), LONG);
      expect(electron.current.app.badgeCount).toBe(0);
    } finally {
      contents.send = send;
      await fleet.dispose();
    }
  });

  test('the passwords (SIP and TURN) go through safeStorage into their own file, never into SQLite', () => {
    const dir = electron.current.app.userData;
    const secrets = readFileSync(join(dir, 'secrets.json'), 'utf8');
    for (const password of ['alice-pw', 'turn-pw']) {
      expect(secrets).not.toContain(password);
      for (const file of readdirSync(dir).filter((name) => name.startsWith('parley.sqlite'))) {
        expect(readFileSync(join(dir, file)).includes(password)).toBe(false);
      }
    }
    const stored = JSON.parse(secrets) as Record<string, string>;
    expect(electron.current.safeStorage.decryptString(Buffer.from(stored[`password:sip:alice@${DOMAIN}`]!, 'base64'))).toBe('alice-pw');
    expect(electron.current.safeStorage.decryptString(Buffer.from(stored[`turn:sip:alice@${DOMAIN}`]!, 'base64'))).toBe('turn-pw');
  });

  test('closing the window keeps Parley in the tray; a second launch brings the window back', () => {
    expect(window().close()).toBe(false);
    expect(window().visible).toBe(false);
    electron.current.app.emit('second-instance');
    expect(window().visible).toBe(true);
    expect(window().focused).toBe(true);
    tray().menu!.item('open').click!();
    expect(window().visible).toBe(true);
  });

  test('the window comes back where the person left it', async () => {
    const first = window();
    first.resizeTo({ x: 300, y: 200, width: 500, height: 800 });
    // Saving is debounced while dragging: wait until the SQLite file has the new place.
    const saved = () => {
      const db = new Database(join(electron.current.app.userData, 'parley.sqlite'), { readonly: true });
      try {
        const row = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(WINDOW_BOUNDS_KEY);
        return row ? (JSON.parse(row.value) as unknown) : undefined;
      } finally {
        db.close();
      }
    };
    await vi.waitFor(() => expect(saved()).toEqual({ x: 300, y: 200, width: 500, height: 800 }), LONG);
    first.destroy();
    electron.current.app.emit('second-instance');
    await vi.waitFor(() => expect(window()).not.toBe(first), LONG);
    expect(window().options).toMatchObject({ x: 300, y: 200, width: 500, height: 800 });
    window().emit('ready-to-show');
  });

  test('the tray Sign out un-registers (REGISTER with Expires: 0)', async () => {
    await signedInAvailable();
    expect(await kamailio.contacts('alice')).toHaveLength(1);
    tray().menu!.item('signOut').click!();
    await vi.waitFor(() => expect(tray().menu!.item('status').label).toBe('Signed out'), LONG);
    expect(await kamailio.contacts('alice')).toEqual([]);
  });

  // Ends the app that the tests above share: it stays last.
  test('Quit from the tray signs out, closes the store, then lets the app quit', async () => {
    await ipc().invoke(
      'account:signIn',
      { address: `alice@${DOMAIN}`, password: '', server: kamailio.wsUrl, rememberPassword: true },
      APP_FRAME,
    );
    expect(await kamailio.contacts('alice')).toHaveLength(1);
    const quit = new Promise<void>((resolve) => electron.current.app.once('quit', () => resolve()));
    tray().menu!.item('quit').click!();
    await quit;
    expect(await kamailio.contacts('alice')).toEqual([]);
    expect(tray().destroyed).toBe(true);
    // Once quitting, closing the window really closes it.
    expect(window().close()).toBe(true);
  });
});

test('a second instance hands over to the first and quits', async () => {
  const { createElectronMock } = await import('../support/electron-mock.js');
  const second = createElectronMock(mkdtempSync(join(tmpdir(), 'parley-second-')));
  second.app.hasLock = false;
  const before = FakeBrowserWindow.instances.length;
  expect(await new DesktopApp(second.app as never).run()).toBe(false);
  expect(second.app.quitCalls).toBe(1);
  expect(FakeBrowserWindow.instances.length).toBe(before);
  rmSync(second.app.userData, { recursive: true, force: true });
});
