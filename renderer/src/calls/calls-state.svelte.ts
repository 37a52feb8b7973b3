import { problemText } from '../../../shared/domain/problem';
import type { Call, CallQuality, CallRecord, MissedCalls } from '../../../shared/domain/calls';
import type { ParleyApi } from '../../../shared/ipc/contract';
import { DEFAULT_UI_SETTINGS, type UiSettings } from '../../../shared/domain/settings';
import { CallMedia, type CallStreams } from './call-media';
import { Subscriptions } from '../shell/subscriptions';

/** Calls as this window shows them, and the media of those it holds. */
export class CallsState {
  /** What this state subscribed to (released by dispose()). */
  private readonly subscriptions = new Subscriptions();
  calls = $state<readonly Call[]>([]);
  /** Each held call's streams (my preview, what they send). */
  streams = $state<Record<string, CallStreams>>({});
  /** Each held call's connection quality, measured every two seconds while it is connected. */
  quality = $state<Record<string, CallQuality>>({});
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- counters between measurements, not state
  private readonly counters = new Map<string, { received: number; lost: number }>();
  /** Calls whose microphone I turned off. */
  muted = $state<Record<string, boolean>>({});
  /** Missed calls not yet seen, by peer. */
  missed = $state<MissedCalls>({});
  /** The history as far as it is loaded, newest first (null until first shown). */
  history = $state<readonly CallRecord[] | null>(null);
  /** False once the oldest call has been loaded. */
  moreHistory = $state(true);
  readonly missedTotal = $derived(Object.values(this.missed).reduce((sum, n) => sum + n, 0));
  /**
   * Missed calls counted apart: from contacts (the window title's count and the notice) and from
   * people not in my contacts (their own notice), so a stream of strangers' calls cannot bury a
   * colleague's.
   */
  readonly missedFromStrangers = $derived(
    Object.entries(this.missed).reduce((sum, [peer, n]) => (this.isContact(peer) ? sum : sum + n), 0),
  );
  readonly missedFromContacts = $derived(this.missedTotal - this.missedFromStrangers);
  /** The last thing that went wrong starting or answering a call, in words. */
  error = $state<string | null>(null);
  private readonly media: CallMedia;

  /** Calls ringing here, waiting for an answer. */
  readonly incoming = $derived(this.calls.filter((call) => call.state === 'incoming'));
  /** Ended calls this window was told to stop showing. */
  private dismissed = $state<readonly string[]>([]);
  /** Calls under way or just ended (their reason still shown until closed or cleared). */
  readonly current = $derived(this.calls.filter((call) => call.state !== 'incoming' && !this.dismissed.includes(call.id)));

  constructor(
    private readonly api: ParleyApi,
    /** The installation's preferences (the devices calls use). */
    readonly settings: () => UiSettings = () => DEFAULT_UI_SETTINGS,
    /** Whether an address is one of my contacts. */
    private readonly isContact: (uri: string) => boolean = () => true,
  ) {
    // A random token names this page: main sends a call's media requests to the page that started
    // or answered it, and the other windows leave them alone.
    this.media = new CallMedia(
      api,
      crypto.randomUUID(),
      (id, streams) => {
        const next = { ...this.streams };
        if (streams) next[id] = streams;
        else delete next[id];
        this.streams = next;
      },
      async () => {
        const servers = await api.calls.iceServers();
        return servers.ok ? servers.value.map((server) => ({ ...server, urls: [...server.urls] })) : [];
      },
      () => this.settings().devices,
    );
    this.subscriptions.add(
      api.on('onDidChangeCalls', (calls) => {
        this.calls = calls;
        for (const call of calls) {
          if (call.state === 'ended') this.mine.delete(call.id);
          if (call.state === 'ended' && this.media.holds(call.id)) this.media.close(call.id);
          else if (call.state === 'incoming' && !this.media.holds(call.id)) this.media.prepare(call.id);
        }
      }),
    );
    this.subscriptions.add(api.on('onDidRequestMedia', (request) => void this.media.handle(request)));
    this.subscriptions.add(
      api.on('onDidRecordCall', ({ record, missed }) => {
        // Only the peer of this call: merged into what is known.
        this.missed = { ...this.missed, ...missed };
        if (this.history) this.history = [record, ...this.history];
      }),
    );
    this.subscriptions.add(
      api.on('onDidChangeMissedCalls', (missed) => {
        this.missed = missed;
        if (this.history) this.history = this.history.map((r) => (r.seen ? r : { ...r, seen: true }));
      }),
    );
  }

  /** Stops listening to main (the window is going away). */
  dispose(): void {
    this.subscriptions.dispose();
  }

  /** Measures the connection of every connected call this page holds (the call bar polls it). */
  async measure(): Promise<void> {
    const next: Record<string, CallQuality> = {};
    for (const call of this.calls) {
      if (call.state !== 'connected' || !this.media.holds(call.id)) continue;
      const measured = await this.media.quality(call.id, this.counters.get(call.id));
      if (!measured) continue;
      this.counters.set(call.id, { received: measured.received, lost: measured.lost });
      next[call.id] = { level: measured.level, loss: measured.loss, jitterMs: measured.jitterMs, roundTripMs: measured.roundTripMs };
    }
    for (const id of this.counters.keys()) if (!(id in next)) this.counters.delete(id);
    this.quality = next;
  }

  async load(): Promise<void> {
    const [list, missed] = await Promise.all([this.api.calls.list(), this.api.calls.missed()]);
    if (list.ok) this.calls = list.value;
    if (missed.ok) this.missed = missed.value;
  }

  missedFrom(peer: string): number {
    return this.missed[peer] ?? 0;
  }

  /** Shows the history: its first page, and every missed call seen. */
  async openHistory(): Promise<void> {
    const page = await this.api.calls.history({});
    if (page.ok) {
      this.history = page.value;
      this.moreHistory = page.value.length === 50;
    }
    if (this.missedTotal > 0) {
      this.missed = {};
      await this.api.calls.markSeen();
    }
  }

  async loadMoreHistory(): Promise<void> {
    const last = this.history?.at(-1);
    if (!last) return;
    const page = await this.api.calls.history({ before: last.id });
    if (!page.ok) return;
    this.history = [...(this.history ?? []), ...page.value];
    this.moreHistory = page.value.length === 50;
  }

  /** Stops showing an ended call (and its reason). */
  dismiss(id: string): void {
    this.dismissed = [...this.dismissed.slice(-20), id];
  }

  /** Starts a call; a refusal shows in the call bar's banner. */
  async start(peer: string, video: boolean): Promise<void> {
    this.error = await this.tryStart(peer, video);
  }

  /** Starts a call; returns why it could not start (for a form that shows it on its own field), or null. */
  async tryStart(peer: string, video: boolean): Promise<string | null> {
    // A new call replaces what is left of ended ones.
    for (const call of this.calls) if (call.state === 'ended') this.dismiss(call.id);
    const result = await this.api.calls.start({ peer, video, mediaToken: this.media.token });
    if (result.ok) this.mine.add(result.value.id);
    return result.ok ? null : problemText(result.error);
  }

  /** Calls this page started or answered (it holds their media). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read on change of `calls`, which is state
  private readonly mine = new Set<string>();

  /** Whether this page started or answered the call (and so holds its media). */
  isMine(id: string): boolean {
    return this.mine.has(id);
  }

  async answer(id: string, video: boolean): Promise<void> {
    this.mine.add(id);
    const result = await this.api.calls.answer({ id, video, mediaToken: this.media.token });
    this.error = result.ok ? null : problemText(result.error);
  }

  hangUp(id: string) {
    return this.api.calls.hangUp({ id });
  }

  async hold(id: string, hold: boolean): Promise<void> {
    const result = await this.api.calls.hold({ id, hold });
    this.error = result.ok ? null : problemText(result.error);
  }

  /** Moves the calls this page holds to the microphone or camera now chosen; returns what went wrong, or null. */
  async switchDevice(kind: 'microphone' | 'camera'): Promise<string | null> {
    return this.media.switchDevice(kind);
  }

  /** Turns my camera on or off in a call. */
  async setVideo(id: string, on: boolean): Promise<void> {
    const result = await this.api.calls.video({ id, on });
    this.error = result.ok ? null : problemText(result.error);
  }

  /** The other side asked to transfer me: call whom they named (the current call goes on hold) or decline. */
  async answerTransfer(id: string, accept: boolean): Promise<void> {
    const result = await this.api.calls.answerTransfer({ id, accept });
    this.error = result.ok ? null : problemText(result.error);
    // The new call's media is this page's, as the call it came from.
    if (result.ok && result.value) this.mine.add(result.value.id);
  }

  /** Blind transfer; true once the other side took it (this call ends when they reach the target). */
  async transfer(id: string, target: string): Promise<boolean> {
    const result = await this.api.calls.transfer({ id, target });
    this.error = result.ok ? null : problemText(result.error);
    return result.ok;
  }

  async dtmf(id: string, tones: string): Promise<void> {
    const result = await this.api.calls.dtmf({ id, tones });
    this.error = result.ok ? null : problemText(result.error);
  }

  toggleMute(id: string): void {
    const muted = !this.muted[id];
    this.muted = { ...this.muted, [id]: muted };
    this.media.setMuted(id, muted);
  }
}
