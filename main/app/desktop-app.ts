import { Problem } from '../../shared/domain/problem.js';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  screen,
  Tray,
  type App,
  type BrowserWindowConstructorOptions,
} from 'electron';
import { join } from 'node:path';
import { CHANNELS, type EventMap } from '../../shared/ipc/contract.js';
import { err } from '../../shared/ipc/result.js';
import { Engine } from '../engine.js';
import { createRouter } from '../ipc/router.js';
import { createLogger } from '../logger.js';
import { appRoot, appVersion } from '../version.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { createSafeStorageSecrets } from './safe-storage-secrets.js';
import { APP_ORIGIN, hardenWebContents, installPermissionPolicy, isTrustedSender, secureWebPreferences } from './security.js';
import { missedLabel, strangersMissedLabel, trayIconVariant, trayMenuTemplate, trayStatusLabel, unreadLabel } from './tray-menu.js';
import { theirCamera, type Call } from '../../shared/domain/calls.js';
import type { ConversationId } from '../../shared/domain/chat.js';
import { restorableBounds, WINDOW_BOUNDS_KEY } from './window-bounds.js';
import { approvalNotice } from '../../shared/domain/contacts.js';
import { Throttle } from '../base/throttle.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import { isolate } from '../../shared/domain/text.js';
import { setLocale, t } from '../../shared/i18n/format.js';

const log = createLogger('app');

/** Must equal `appId` in electron-builder.yml. */
export const APP_ID = 'org.parley.desktop';

/** Call window sizes: ringing (a toast), an audio call, a video call. */
const CALL_WINDOW_RINGING = { width: 400, height: 240 };
const CALL_WINDOW_AUDIO = { width: 440, height: 300 };
const CALL_WINDOW_VIDEO = { width: 720, height: 560 };

/**
 * The desktop shell: one hardened window, a tray icon that keeps Parley running when the window is
 * closed, a single instance, and the engine wired to the window over Electron IPC. Everything that
 * is not about Electron lives in the engine.
 */
export class DesktopApp {
  private window: BrowserWindow | undefined;
  private tray: Tray | undefined;
  private engine: Engine | undefined;
  private quitting = false;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly electronApp: App = app,
    private readonly root: string = appRoot(),
    private readonly options: { idlePollMs?: number } = {},
  ) {}

  /** Starts the app; returns false when another instance already runs (it gets focused instead). */
  async run(): Promise<boolean> {
    if (!this.electronApp.requestSingleInstanceLock()) {
      this.electronApp.quit();
      return false;
    }
    registerAppScheme();
    // Windows shows toasts only for an app whose AppUserModelID matches its installed shortcut
    // (electron-builder's NSIS uses the appId): without it, notifications silently never appear.
    if (process.platform === 'win32') this.electronApp.setAppUserModelId(APP_ID);
    this.electronApp.on('second-instance', () => this.showWindow());
    this.electronApp.on('activate', () => this.showWindow());
    // Closing the last window keeps Parley in the tray.
    this.electronApp.on('window-all-closed', () => undefined);
    this.electronApp.on('before-quit', (event) => {
      this.quitting = true;
      if (this.closed) return;
      // Un-register and close the store before the process goes.
      event.preventDefault();
      void this.shutdown().finally(() => this.electronApp.quit());
    });
    this.electronApp.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

    await this.electronApp.whenReady();
    serveRenderer(join(this.root, 'out', 'renderer'));
    const engine = new Engine({
      dataDir: this.electronApp.getPath('userData'),
      mode: 'desktop',
      version: appVersion(),
      secrets: createSafeStorageSecrets(join(this.electronApp.getPath('userData'), 'secrets.json')),
    });
    this.engine = engine;
    // The tray and notifications speak the language Settings names (each page speaks it itself).
    const settings = await engine.handlers['settings:get'](undefined, { id: 'shell' });
    if (settings.ok) setLocale(settings.value.language);
    this.registerIpc(engine);
    this.createTray();
    engine.connection.onDidChange(() => this.updateTray());
    engine.myPresence.onDidChange(() => this.updateTray());
    // A burst of messages is one tray update (count and menu) every quarter second, not one each.
    const unreadChanged = new Throttle(250, () => this.updateTray());
    this.disposeOnQuit.push(() => unreadChanged.dispose());
    engine.messaging.onDidChange(() => unreadChanged.request());
    engine.messaging.onDidChangeConversations(() => unreadChanged.request());
    engine.calls.onDidChange((calls) => this.callsChanged(calls));
    engine.calls.onDidRecord(() => unreadChanged.request());
    engine.calls.onDidChangeMissed(() => unreadChanged.request());
    // Adding a caller to my contacts moves their missed calls onto the badge.
    engine.directory.onDidChange(() => unreadChanged.request());
    this.disposeOnQuit.push(() => this.keepAwake(false));
    engine.conversationOpener = (conversation) => {
      this.openConversationWindow(conversation);
      return true;
    };
    engine.addSink((event, payload) => {
      // Every window hears every event (the main one, each conversation and call window) but a call's
      // media requests, which go to the window that holds the call alone.
      const only = event === 'onDidRequestMedia' ? engine.calls.media.ownerOf((payload as EventMap['onDidRequestMedia']).token) : undefined;
      for (const window of [this.window, ...this.conversationWindows.values(), ...this.callWindows.values()]) {
        const contents = window && !window.isDestroyed() ? window.webContents : undefined;
        if (contents && !contents.isDestroyed() && (only === undefined || callerOf(contents) === only)) contents.send(event, payload);
      }
      if (event === 'onDidReceiveApprovalRequests') this.notifyApproval(payload as EventMap['onDidReceiveApprovalRequests']);
      if (event === 'onDidChangeMessages') this.notifyMessages(payload as EventMap['onDidChangeMessages']);
      if (event === 'onDidChangeSettings') {
        setLocale((payload as EventMap['onDidChangeSettings']).language);
        this.updateTray();
      }
    });
    // Waking from sleep: the old connection is almost certainly dead; do not wait for the backoff.
    powerMonitor.on('resume', () => engine.connection.retryNow());
    // Automatic Away uses the system's idle time (any input anywhere counts, not just in Parley).
    this.idleTimer = setInterval(
      () => engine.myPresence.reportIdleSeconds(powerMonitor.getSystemIdleTime()),
      this.options.idlePollMs ?? 15_000,
    );
    this.createWindow();
    await engine.start();
    return true;
  }

  private registerIpc(engine: Engine): void {
    const route = createRouter(engine.handlers);
    for (const channel of CHANNELS) {
      ipcMain.handle(channel, (event, payload: unknown) => {
        if (!isTrustedSender(event.senderFrame)) {
          log.warn(`refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
          return err('forbidden', Problem.NotAllowed);
        }
        // Each window is one caller: a call's media is answered only by the window that holds it.
        return route(channel, payload, { id: callerOf(event.sender) });
      });
    }
  }

  private createWindow(): BrowserWindow {
    const saved = restorableBounds(
      this.engine?.settings.get(WINDOW_BOUNDS_KEY),
      screen.getAllDisplays().map((display) => display.workArea),
    );
    const window = this.openPage('', { width: 420, height: 720, ...saved, minWidth: 320, minHeight: 480 });
    window.once('ready-to-show', () => window.show());
    // Remember where the person put the window (debounced: moving fires many events).
    let saveTimer: ReturnType<typeof setTimeout> | undefined;
    const saveBounds = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      if (!window.isDestroyed() && !this.closed) this.engine?.settings.set(WINDOW_BOUNDS_KEY, window.getBounds());
    };
    const saveSoon = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(saveBounds, 500);
    };
    window.on('resized', saveSoon);
    window.on('moved', saveSoon);
    window.on('close', (event) => {
      saveBounds();
      if (this.quitting) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.window === window) this.window = undefined;
    });
    this.window = window;
    return window;
  }

  /**
   * Every window Parley opens, made one way: the app's own page (`query` says which: a conversation,
   * a call), sandboxed and isolated with its permission policy, hidden until its caller shows it.
   */
  private openPage(query: string, options: BrowserWindowConstructorOptions): BrowserWindow {
    const window = new BrowserWindow({
      title: 'Parley',
      icon: join(this.root, 'assets', 'icon.png'),
      ...options,
      show: false,
      webPreferences: secureWebPreferences(join(this.root, 'out', 'preload', 'preload.cjs'), !this.electronApp.isPackaged),
    });
    installPermissionPolicy(window.webContents.session);
    void window.loadURL(`${APP_ORIGIN}/index.html${query}`);
    return window;
  }

  /** Conversation windows, one per conversation. */
  private readonly conversationWindows = new Map<ConversationId, BrowserWindow>();

  /**
   * Opens a conversation in its own window, as Lync's are: one per conversation; opening it again
   * brings that window forward instead of making another.
   */
  private openConversationWindow(conversation: ConversationId): void {
    const existing = this.conversationWindows.get(conversation);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    const window = this.openPage(`?conversation=${conversation}`, { width: 480, height: 640, minWidth: 320, minHeight: 360 });
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.on('closed', () => {
      if (this.conversationWindows.get(conversation) === window) this.conversationWindows.delete(conversation);
    });
    this.conversationWindows.set(conversation, window);
  }

  private showWindow(): void {
    const window = this.window && !this.window.isDestroyed() ? this.window : this.createWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** Calls this shell has rung for already. */
  private readonly rung = new Set<string>();
  private awake: number | undefined;

  /** A call window per incoming call, as Lync's call toast: it rings, answers and holds the call. */
  private readonly callWindows = new Map<string, BrowserWindow>();

  /**
   * An incoming call rings even when the window was closed to the tray: a call window opens at the
   * corner of the screen, on top but without taking the focus from what the person is typing in,
   * and a notification says who calls (clicking it brings the call window forward). The call window
   * goes once its call is over. While a call runs the system stays awake.
   */
  private callsChanged(calls: readonly Call[]): void {
    const listed = new Map(calls.map((call) => [call.id, call] as const));
    for (const id of this.rung) if (!listed.has(id)) this.rung.delete(id);
    for (const [id, window] of this.callWindows) {
      const call = listed.get(id);
      if (!call) {
        this.callWindows.delete(id);
        if (!window.isDestroyed()) window.destroy();
      } else if (call.state === 'connected' && !window.isDestroyed() && window.isAlwaysOnTop()) {
        // Answered: an ordinary window from now on, big enough for video when there is some.
        window.setAlwaysOnTop(false);
        const size = call.video || theirCamera(call) ? CALL_WINDOW_VIDEO : CALL_WINDOW_AUDIO;
        window.setSize(size.width, size.height);
      }
    }
    for (const call of calls) {
      if (call.state !== 'incoming' || this.rung.has(call.id)) continue;
      this.rung.add(call.id);
      const window = this.openCallWindow(call);
      if (Notification.isSupported()) {
        const record = this.engine?.directory.findByAddress(call.peer);
        const name = record?.displayName || call.peerName || (parseSipAddress(call.peer)?.address ?? call.peer);
        const notification = new Notification({ title: t('call.state.incoming', { video: call.video }), body: isolate(name) });
        notification.on('click', () => {
          if (window.isDestroyed()) return this.showWindow();
          window.show();
          window.focus();
        });
        notification.show();
      }
    }
    this.keepAwake(calls.some((call) => call.state !== 'ended' && call.state !== 'incoming'));
  }

  private openCallWindow(call: Call): BrowserWindow {
    // The bottom-right corner of the primary display's work area (where toasts appear).
    const area = screen.getPrimaryDisplay().workArea;
    const size = CALL_WINDOW_RINGING;
    const window = this.openPage(`?call=${encodeURIComponent(call.id)}`, {
      width: size.width,
      height: size.height,
      x: area.x + area.width - size.width - 16,
      y: area.y + area.height - size.height - 16,
      minWidth: 320,
      minHeight: 200,
      alwaysOnTop: true,
      maximizable: false,
      fullscreenable: true,
      title: t('window.title', { title: t('call.state.incoming', { video: call.video }) }),
    });
    window.once('ready-to-show', () => window.showInactive());
    window.on('closed', () => {
      if (this.callWindows.get(call.id) === window) this.callWindows.delete(call.id);
    });
    this.callWindows.set(call.id, window);
    return window;
  }

  /** Keeps the system from sleeping during a call (Electron's powerSaveBlocker), and lets it go after. */
  private keepAwake(on: boolean): void {
    if (on && this.awake === undefined) this.awake = powerSaveBlocker.start('prevent-app-suspension');
    else if (!on && this.awake !== undefined) {
      powerSaveBlocker.stop(this.awake);
      this.awake = undefined;
    }
  }

  private createTray(): void {
    this.tray = new Tray(this.trayImage());
    this.tray.on('click', () => this.showWindow());
    this.updateTray();
  }

  private updateTray(): void {
    const tray = this.tray;
    const engine = this.engine;
    if (!tray || tray.isDestroyed() || !engine) return;
    const state = engine.connection.current;
    const presence = engine.myPresence.current;
    tray.setImage(this.trayImage());
    const unread = engine.messaging.unreadTotal();
    // Strangers' missed calls are said apart and left off the badge: a flood of them must not
    // bury a colleague's call.
    const { contacts: missed, strangers } = engine.calls.missedCounts();
    const waiting = [unreadLabel(unread), missedLabel(missed), strangersMissedLabel(strangers)].filter(Boolean);
    tray.setToolTip(`Parley — ${trayStatusLabel(state, presence)}${waiting.map((text) => ` · ${text}`).join('')}`);
    // The dock or taskbar badge where the system has one (macOS, Unity).
    this.electronApp.setBadgeCount?.(unread + missed);
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenuTemplate(
          state,
          presence,
          {
            open: () => this.showWindow(),
            setStatus: (status) => engine.myPresence.set(status),
            signOut: () => void engine.account.signOut(),
            quit: () => this.electronApp.quit(),
          },
          unread,
          missed,
          strangers,
        ),
      ),
    );
  }

  private trayImage() {
    const engine = this.engine;
    const variant = engine ? trayIconVariant(engine.connection.current, engine.myPresence.current) : 'offline';
    return nativeImage.createFromPath(join(this.root, 'assets', `tray-${variant}.png`));
  }

  /** One desktop notification for a burst of new approval requests; silent in Do not disturb. */
  private notifyApproval({ count, first }: EventMap['onDidReceiveApprovalRequests']): void {
    if (this.engine?.myPresence.current.status === 'dnd' || !Notification.isSupported()) return;
    const notification = new Notification({
      title: t('notifications.request'),
      body: approvalNotice(count, first.displayName || first.address, isolate),
    });
    notification.on('click', () => this.showWindow());
    notification.show();
  }

  /** When each conversation last notified: one notification per burst (30 s), not one per message. */
  private readonly notifiedAt = new Map<ConversationId, number>();

  /**
   * A desktop notification for new messages while the window is not in front; silent in Do not
   * disturb. Clicking it opens the conversation.
   */
  private notifyMessages(messages: EventMap['onDidChangeMessages']): void {
    const engine = this.engine;
    if (!engine || engine.myPresence.current.status === 'dnd' || !Notification.isSupported()) return;
    if (this.window && !this.window.isDestroyed() && this.window.isFocused()) return;
    const inFront = (conversation: ConversationId) => {
      const window = this.conversationWindows.get(conversation);
      return window !== undefined && !window.isDestroyed() && window.isFocused();
    };
    for (const message of messages) {
      const conversation = message.conversationId;
      if (message.direction !== 'in' || message.state !== 'received' || inFront(conversation)) continue;
      const last = this.notifiedAt.get(conversation) ?? 0;
      if (Date.now() - last < 30_000) continue;
      this.notifiedAt.set(conversation, Date.now());
      // Only bursts still running are remembered: the map never outgrows the last half minute.
      for (const [id, at] of this.notifiedAt) if (Date.now() - at >= 30_000) this.notifiedAt.delete(id);
      const record = engine.directory.findByAddress(message.sender);
      const contact = record && engine.contacts.contact(record.id);
      // The same name the list shows: mine for them, the network's, else the address.
      const name =
        contact?.displayName || contact?.networkName || contact?.address || (parseSipAddress(message.sender)?.address ?? message.sender);
      const text = message.text.length > 200 ? `${message.text.slice(0, 200)}…` : message.text;
      const notification = new Notification({ title: isolate(name), body: isolate(text) });
      notification.on('click', () => this.openConversationWindow(conversation));
      notification.show();
    }
  }

  private readonly disposeOnQuit: (() => void)[] = [];

  private async shutdown(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const dispose of this.disposeOnQuit.splice(0)) dispose();
    if (this.window && !this.window.isDestroyed()) this.engine?.settings.set(WINDOW_BOUNDS_KEY, this.window.getBounds());
    try {
      await this.engine?.close();
    } catch (error) {
      log.error(`shutdown: ${String(error)}`);
    } finally {
      this.closed = true;
      this.tray?.destroy();
    }
  }
}

/** The IPC caller id of a window's page (its web contents, stable for the page's life). */
function callerOf(contents: { readonly id: number }): string {
  return `wc-${contents.id}`;
}
