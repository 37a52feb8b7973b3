import type { MediaFailure, MediaRequest, MediaTrack } from '../../shared/domain/calls.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';

/** A media request without the routing fields the bridge adds. */
type Ask =
  | { action: 'local'; tracks: readonly MediaTrack[]; hold: boolean; iceRestart: boolean }
  | { action: 'remote'; sdp: string; kind: 'offer' | 'answer' }
  | { action: 'dtmf'; tones: string }
  | { action: 'close' }
  | { action: 'rollback' };

/** What the page answered. */
export interface MediaReply {
  readonly ok: boolean;
  readonly sdp?: string | undefined;
  /** What failed in the page (the call ends saying so). */
  readonly failure?: MediaFailure | undefined;
  /** The failure as the page or the bridge saw it (for the log, not for the person). */
  readonly error?: string | undefined;
  /** No page answered (it was closed, or did not respond in time). */
  readonly unanswered?: boolean;
}

/** At most this many requests wait for pages at once (each call has at most one or two). */
const MAX_PENDING = 64;
/** Page tokens remembered with the page that first used them (a page has one; the oldest go first). */
const MAX_TOKENS = 1024;

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
  private readonly pending = new Map<number, { resolve: (reply: MediaReply) => void; timer: TimerHandle; token: string }>();
  /** Each page token, and the page (caller) it belongs to: the first caller to use a token owns it. */
  private readonly owners = new Map<string, string>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly deadlineMs = 15_000,
  ) {}

  /**
   * Binds `token` to the page `callerId` that starts or answers a call with it; false when another
   * page already uses that token (a page that saw it cannot take over another page's calls).
   */
  claim(token: string, callerId: string): boolean {
    const owner = this.owners.get(token);
    if (owner !== undefined) return owner === callerId;
    this.owners.set(token, callerId);
    if (this.owners.size > MAX_TOKENS) this.owners.delete(this.owners.keys().next().value!);
    return true;
  }

  /** The page that holds token `token`'s calls (undefined: not known, e.g. in tests without pages). */
  ownerOf(token: string): string | undefined {
    return this.owners.get(token);
  }

  /** Asks the page with `token` to do `ask` for call `callId`; resolves with its answer (or a failure). */
  ask(callId: string, token: string, ask: Ask): Promise<MediaReply> {
    if (this.pending.size >= MAX_PENDING) return Promise.resolve({ ok: false, error: 'Too many media requests at once.' });
    const requestId = this.nextId++;
    return new Promise<MediaReply>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ ok: false, unanswered: true, error: 'the window holding the call did not answer' });
      }, this.deadlineMs);
      this.pending.set(requestId, { resolve, timer, token });
      this.requests.fire({ requestId, callId, token, ...ask } as MediaRequest);
    });
  }

  /**
   * A page's answer (from `calls:media`); an unknown or late id is ignored, and so is an answer from
   * any page but the one the request went to (`callerId`; undefined where no page is known).
   */
  reply(requestId: number, reply: MediaReply, callerId?: string): boolean {
    const waiting = this.pending.get(requestId);
    if (!waiting) return false;
    const owner = this.owners.get(waiting.token);
    if (owner !== undefined && owner !== callerId) return false;
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
