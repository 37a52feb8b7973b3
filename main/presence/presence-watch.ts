import type { ContactPresenceChange } from '../../shared/ipc/contract.js';
import { systemClock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { Timer } from '../base/timer.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import type { SessionParticipant, SipAccountConfig } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { PresenceWatchList, type PresenceWatchListOptions, type WatchState } from './presence-watch-list.js';

/**
 * The presence of the people in my contacts: one subscription per contact (the watch list follows
 * the directory as contacts come and go), started whenever the session comes online, and the
 * changes reported by contact in small batches (a sign-in with hundreds of contacts is a burst).
 * Federation needs nothing special: a contact on another domain is a SIP URI like any other, and the
 * proxy routes the SUBSCRIBE.
 */
export class PresenceWatchService implements SessionParticipant {
  private readonly watchList: PresenceWatchList;
  private pending = new Map<number, ContactPresenceChange>();
  private readonly flush: Timer;
  private readonly changes = new Emitter<readonly ContactPresenceChange[]>();
  /** Some contacts' presence or subscription state changed. */
  readonly onDidChangePresence = this.changes.event;

  constructor(
    private readonly directory: ContactDirectory,
    options: PresenceWatchListOptions = {},
  ) {
    this.watchList = new PresenceWatchList((uri, state) => this.onPresence(uri, state), options);
    this.flush = new Timer(options.clock ?? systemClock);
    directory.onDidChange((change) => {
      if (change.kind === 'added') this.watchList.add(change.contact.uri);
      else if (change.kind === 'removed') void this.watchList.remove(change.contact.uri);
    });
  }

  /** What is known of `uri` now (idle and offline when not watched). */
  stateOf(uri: string): WatchState {
    return this.watchList.get(uri);
  }

  /** Subscribes again to `uri` now. */
  retry(uri: string): void {
    this.watchList.retry(uri);
  }

  online(session: SipSession, _account: SipAccountConfig): Promise<void> {
    this.watchList.set(this.directory.contacts().map((c) => c.uri));
    return this.watchList.online(session);
  }

  offline(): void {
    this.watchList.offline();
  }

  signOut(): Promise<void> {
    return this.watchList.stopAll();
  }

  dispose(): void {
    this.flush.dispose();
  }

  private onPresence(uri: string, state: WatchState): void {
    const contact = this.directory.findByAddress(uri);
    if (!contact) return;
    this.pending.set(contact.id, { id: contact.id, subscription: state.subscription, presence: state.presence });
    if (this.flush.pending) return;
    this.flush.schedule(16, () => {
      const changes = [...this.pending.values()];
      this.pending = new Map();
      this.changes.fire(changes);
    });
  }
}
