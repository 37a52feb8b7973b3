import type { MediaRequest } from '../../shared/domain/calls.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';

/** A media request without the routing fields the bridge adds. */
type Ask =
  | { action: 'local'; video: boolean; hold: boolean; iceRestart: boolean }
  | { action: 'remote'; sdp: string; kind: 'offer' | 'answer' }
  | { action: 'dtmf'; tones: string }
  | { action: 'close' }
  | { action: 'rollback' };

/** What the page answered. */
export interface MediaReply {
  readonly ok: boolean;
  readonly sdp?: string | undefined;
  readonly error?: string | undefined;
}

/** At most this many requests wait for pages at once (each call has at most one or two). */
const MAX_PENDING = 64;

/**
 * Main's half of the bridge between SIP (here) and WebRTC (in a page): requests go out as
 * `onDidRequestMedia` events addressed to the page that holds the call's media (its token), and come
 * back through `calls:media`. Every request is answered or fails by its deadline — a page that was
 * closed, or never answers, cannot leave a call waiting forever.
 */
export class MediaBridge {
  private readonly requests = new Emitter<MediaRequest>();
  /** Requests for pages (the engine sends them to every page; only the addressed one answers). */
  readonly onDidRequest = this.requests.event;
  private readonly pending = new Map<number, { resolve: (reply: MediaReply) => void; timer: TimerHandle }>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly deadlineMs = 15_000,
  ) {}

  /** Asks the page with `token` to do `ask` for call `callId`; resolves with its answer (or a failure). */
  ask(callId: string, token: string, ask: Ask): Promise<MediaReply> {
    if (this.pending.size >= MAX_PENDING) return Promise.resolve({ ok: false, error: 'Too many media requests at once.' });
    const requestId = this.nextId++;
    return new Promise<MediaReply>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ ok: false, error: 'The window holding the call did not answer.' });
      }, this.deadlineMs);
      this.pending.set(requestId, { resolve, timer });
      this.requests.fire({ requestId, callId, token, ...ask } as MediaRequest);
    });
  }

  /** A page's answer (from `calls:media`); an unknown or late id is ignored. */
  reply(requestId: number, reply: MediaReply): boolean {
    const waiting = this.pending.get(requestId);
    if (!waiting) return false;
    this.pending.delete(requestId);
    this.clock.clearTimeout(waiting.timer);
    waiting.resolve(reply);
    return true;
  }

  /** Fails everything still waiting (sign-out, quit). */
  dispose(): void {
    for (const [id, waiting] of this.pending) {
      this.clock.clearTimeout(waiting.timer);
      waiting.resolve({ ok: false, error: 'Parley is closing.' });
      this.pending.delete(id);
    }
  }
}
