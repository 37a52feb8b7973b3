import type { Call } from '../../../shared/domain/calls';
import type { ParleyApi } from '../../../shared/ipc/contract';
import { CallMedia, type CallStreams } from './call-media';

/** Calls as this window shows them, and the media of those it holds. */
export class CallsState {
  calls = $state<readonly Call[]>([]);
  /** Each held call's streams (my preview, what they send). */
  streams = $state<Record<string, CallStreams>>({});
  /** Calls whose microphone I turned off. */
  muted = $state<Record<string, boolean>>({});
  /** The last thing that went wrong starting or answering a call, in words. */
  error = $state<string | null>(null);
  private readonly media: CallMedia;

  /** Calls ringing here, waiting for an answer. */
  readonly incoming = $derived(this.calls.filter((call) => call.state === 'incoming'));
  /** Ended calls this window was told to stop showing. */
  private dismissed = $state<readonly string[]>([]);
  /** Calls under way or just ended (their reason still shown until closed or cleared). */
  readonly current = $derived(this.calls.filter((call) => call.state !== 'incoming' && !this.dismissed.includes(call.id)));

  constructor(private readonly api: ParleyApi) {
    // A random token names this page: main sends a call's media requests to the page that started
    // or answered it, and the other windows leave them alone.
    this.media = new CallMedia(api, crypto.randomUUID(), (id, streams) => {
      const next = { ...this.streams };
      if (streams) next[id] = streams;
      else delete next[id];
      this.streams = next;
    });
    api.on('onDidChangeCalls', (calls) => {
      this.calls = calls;
      for (const call of calls) if (call.state === 'ended' && this.media.holds(call.id)) this.media.close(call.id);
    });
    api.on('onDidRequestMedia', (request) => void this.media.handle(request));
  }

  async load(): Promise<void> {
    const list = await this.api.calls.list();
    if (list.ok) this.calls = list.value;
  }

  /** Stops showing an ended call (and its reason). */
  dismiss(id: string): void {
    this.dismissed = [...this.dismissed.slice(-20), id];
  }

  async start(peer: string, video: boolean): Promise<boolean> {
    // A new call replaces what is left of ended ones.
    for (const call of this.calls) if (call.state === 'ended') this.dismiss(call.id);
    const result = await this.api.calls.start({ peer, video, mediaToken: this.media.token });
    this.error = result.ok ? null : result.error.message;
    return result.ok;
  }

  async answer(id: string, video: boolean): Promise<void> {
    const result = await this.api.calls.answer({ id, video, mediaToken: this.media.token });
    this.error = result.ok ? null : result.error.message;
  }

  hangUp(id: string) {
    return this.api.calls.hangUp({ id });
  }

  async hold(id: string, hold: boolean): Promise<void> {
    const result = await this.api.calls.hold({ id, hold });
    this.error = result.ok ? null : result.error.message;
  }

  toggleMute(id: string): void {
    const muted = !this.muted[id];
    this.muted = { ...this.muted, [id]: muted };
    this.media.setMuted(id, muted);
  }
}
