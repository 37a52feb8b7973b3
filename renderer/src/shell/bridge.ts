import { createParleyApi, type Channel, type EventName, type ParleyApi, type ParleyTransport } from '../../../shared/ipc/contract';
import { err, type Result } from '../../../shared/ipc/result';
import { Problem } from '../../../shared/domain/problem';

declare global {
  interface Window {
    /** Exposed by the desktop preload; absent in web mode. */
    readonly parley?: ParleyApi;
  }
}

/** The largest request the page sends (the engine accepts 1 MiB; UTF-8 can take 3 bytes a character). */
const MAX_REQUEST_CHARS = 256 * 1024;

/** A bridge plus a way to hear that the engine cannot be reached (web mode only), and why. */
export interface Bridge {
  readonly api: ParleyApi;
  onLost(listener: (problem: Problem) => void): void;
}

/**
 * The API to main: the preload's `window.parley` on the desktop, or the same contract over the
 * web-mode WebSocket, authenticated by the per-launch secret in the page URL's fragment.
 */
export function connectBridge(): Bridge {
  if (window.parley) return { api: window.parley, onLost: () => undefined };
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  if (token === '') {
    const transport = new WebSocketTransport(null);
    return { api: createParleyApi(transport), onLost: (listener) => transport.onLost(listener) };
  }
  const transport = new WebSocketTransport(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc?token=${encodeURIComponent(token)}`,
  );
  return { api: createParleyApi(transport), onLost: (listener) => transport.onLost(listener) };
}

class WebSocketTransport implements ParleyTransport {
  private readonly socket: WebSocket | null;
  private readonly opened: Promise<boolean>;
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly lostListeners = new Set<(problem: Problem) => void>();
  /** Why the engine cannot be reached, once it cannot. */
  private lost: Problem | null = null;

  /** `null`: no access key, so nothing to connect to. */
  constructor(url: string | null) {
    if (url === null) {
      this.socket = null;
      this.lost = Problem.NoAccessKey;
      this.opened = Promise.resolve(false);
      return;
    }
    const socket = new WebSocket(url);
    this.socket = socket;
    let wasOpen = false;
    this.opened = new Promise((resolve) => {
      socket.addEventListener('open', () => resolve((wasOpen = true)), { once: true });
      socket.addEventListener('close', () => resolve(false), { once: true });
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => {
      // A socket that never opened was refused (wrong key, another origin) or found nothing listening.
      const problem = wasOpen ? Problem.EngineStopped : Problem.EngineRefused;
      this.lost = problem;
      for (const resolve of this.pending.values()) resolve(err('unreachable', problem));
      this.pending.clear();
      for (const listener of this.lostListeners) listener(problem);
    });
  }

  async invoke(channel: Channel, params: unknown): Promise<Result<unknown>> {
    if (!(await this.opened) || this.lost || !this.socket) return err('unreachable', this.lost ?? Problem.EngineStopped);
    const socket = this.socket;
    const id = this.nextId++;
    const text = JSON.stringify({ type: 'request', id, channel, payload: params });
    // The engine closes a socket that sends more than this; refuse here and keep the connection.
    if (text.length > MAX_REQUEST_CHARS) return err('invalid', Problem.TooLong);
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      socket.send(text);
    });
  }

  subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onLost(listener: (problem: Problem) => void): void {
    if (this.lost) listener(this.lost);
    else this.lostListeners.add(listener);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    const message = JSON.parse(data) as { type: string; id?: number; result?: Result<unknown>; event?: EventName; payload?: unknown };
    if (message.type === 'response' && message.id !== undefined && message.result) {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    } else if (message.type === 'event' && message.event) {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
    }
  }
}
