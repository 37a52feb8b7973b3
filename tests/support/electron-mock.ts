/**
 * A stand-in for the `electron` module, which cannot run on these machines (its binary is
 * downloaded at first run). It records what the shell asks of Electron so tests can check the
 * shell's behaviour; everything behind the shell (engine, SQLite, SIP) stays real.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Listener = (...args: unknown[]) => unknown;

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  /** Electron's web contents id: unique per page. */
  readonly id = nextContentsId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly session = new FakeSession();
  destroyed = false;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeSession {
  permissionRequestHandler: Listener | undefined;
  permissionCheckHandler: Listener | undefined;
  setPermissionRequestHandler(handler: Listener): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener): void {
    this.permissionCheckHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  focused = false;
  loadedUrl = '';
  destroyed = false;
  bounds: { x: number; y: number; width: number; height: number };
  constructor(readonly options: Record<string, unknown>) {
    super();
    const n = (key: string, fallback: number) => (typeof options[key] === 'number' ? (options[key] as number) : fallback);
    this.bounds = { x: n('x', 100), y: n('y', 100), width: n('width', 800), height: n('height', 600) };
    this.alwaysOnTop = options.alwaysOnTop === true;
    FakeBrowserWindow.instances.push(this);
  }
  alwaysOnTop = false;
  isAlwaysOnTop(): boolean {
    return this.alwaysOnTop;
  }
  setAlwaysOnTop(on: boolean): void {
    this.alwaysOnTop = on;
  }
  setSize(width: number, height: number): void {
    this.bounds = { ...this.bounds, width, height };
  }
  getBounds() {
    return { ...this.bounds };
  }
  /** What a person dragging the window's edge causes. */
  resizeTo(bounds: { x: number; y: number; width: number; height: number }): void {
    this.bounds = bounds;
    this.emit('resized');
  }
  /** Like Electron's destroy(): gone without a 'close' event. */
  destroy(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  /** Shown without taking the focus. */
  showInactive(): void {
    this.visible = true;
  }
  isVisible(): boolean {
    return this.visible;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  isFocused(): boolean {
    return this.focused && this.visible;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What a person clicking the window's close button causes. */
  close(): boolean {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return !event.defaultPrevented;
  }
}

export class FakeTray extends EventEmitter {
  static readonly instances: FakeTray[] = [];
  image: unknown;
  toolTip = '';
  menu: FakeMenu | undefined;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(items: FakeMenuItem[]): FakeMenu {
    return new FakeMenu(items);
  }
  item(id: string): FakeMenuItem {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item) throw new Error(`no menu item ${id}`);
    return item;
  }
}

export class FakeApp extends EventEmitter {
  hasLock = true;
  quitCalls = 0;
  isPackaged = false;
  /** The dock or taskbar badge (macOS, Unity). */
  badgeCount = 0;
  constructor(readonly userData: string) {
    super();
  }
  setBadgeCount(count: number): boolean {
    this.badgeCount = count;
    return true;
  }
  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return this.userData;
  }
  /** Like Electron: emits before-quit, and quits unless a listener prevented it. */
  quit(): void {
    this.quitCalls++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.emit('quit');
  }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, handler: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  /** Calls a handler as if `frame` (in the page `sender`) had sent `payload` on `channel`. */
  invoke(
    channel: string,
    payload: unknown,
    frame: { url: string; parent: unknown } | null,
    sender: { readonly id: number } = { id: 0 },
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve(handler({ senderFrame: frame, sender }, payload));
  }
}

export class FakeNotification extends EventEmitter {
  static readonly shown: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    FakeNotification.shown.push(this);
  }
}

/** A pretend keychain: reversible, but the stored bytes are not the plain text. */
export const fakeSafeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    return Buffer.from(Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x5a));
  },
  decryptString(data: Buffer): string {
    return Buffer.from(data.map((byte) => byte ^ 0x5a)).toString('utf8');
  },
};

/** Builds a complete fake `electron` module. */
export function createElectronMock(userData: string) {
  const app = new FakeApp(userData);
  const ipcMain = new FakeIpcMain();
  const shell = { opened: [] as string[], openExternal: async (url: string) => void shell.opened.push(url) };
  const protocol = {
    privileged: [] as unknown[],
    handlers: new Map<string, Listener>(),
    registerSchemesAsPrivileged(schemes: unknown[]) {
      this.privileged.push(...schemes);
    },
    handle(scheme: string, handler: Listener) {
      this.handlers.set(scheme, handler);
    },
  };
  const powerMonitor = Object.assign(new EventEmitter(), {
    idleSeconds: 0,
    /** How often the app asked for the idle time (tests wait for the next poll instead of sleeping). */
    idleQueries: 0,
    getSystemIdleTime: () => {
      powerMonitor.idleQueries++;
      return powerMonitor.idleSeconds;
    },
  });
  const powerSaveBlocker = {
    next: 1,
    started: new Set<number>(),
    start(type: string) {
      if (type !== 'prevent-app-suspension' && type !== 'prevent-display-sleep') throw new Error(`unknown type ${type}`);
      const id = powerSaveBlocker.next++;
      powerSaveBlocker.started.add(id);
      return id;
    },
    stop(id: number) {
      powerSaveBlocker.started.delete(id);
    },
  };
  const nativeImage = { createFromPath: (path: string) => ({ path }) };
  const screen = {
    workAreas: [{ x: 0, y: 0, width: 1920, height: 1080 }],
    getAllDisplays: () => screen.workAreas.map((workArea) => ({ workArea })),
    getPrimaryDisplay: () => ({ workArea: screen.workAreas[0]! }),
  };
  const net = {
    fetch: async (url: string) => {
      try {
        return new Response(await readFile(fileURLToPath(url)), { status: 200, headers: { 'Content-Type': 'text/html' } });
      } catch {
        return new Response('not found', { status: 404 });
      }
    },
  };
  return {
    app,
    ipcMain,
    shell,
    protocol,
    powerMonitor,
    powerSaveBlocker,
    nativeImage,
    screen,
    net,
    safeStorage: fakeSafeStorage,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: FakeMenu,
    Notification: FakeNotification,
  };
}
