import type { Database } from 'better-sqlite3';
import { UserAgent } from 'sip.js';
import type { WatcherDecision } from '../../shared/domain/contacts.js';
import { defaultXcapRoot, parseSipAddress } from '../../shared/domain/sip-address.js';
import { createLogger, type Logger } from '../logger.js';
import { xcapRootKey } from '../sip/account-service.js';
import { backoffDelay } from '../sip/backoff.js';
import type { SessionParticipant, SipAccountConfig } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { decideWatcher, listWatchers, recordWatchRequest, type WatcherRecord } from '../store/contacts-repository.js';
import { getSetting, setSetting } from '../store/settings-repository.js';
import { EventSubscription, type NotifyUpdate } from './event-subscription.js';
import { buildPresRules } from './pres-rules.js';
import { parseWatcherInfo } from './watcherinfo.js';
import { XcapClient } from './xcap-client.js';

/** Watcher-info subscriptions are kept short: a stale one on the server blocks others (kamailio.md trap 11). */
const WINFO_EXPIRES = 90;

/**
 * Who may see my presence. Subscribes to my own watcher information (RFC 3857/3858, event
 * `presence.winfo`); every pending watcher becomes a persistent approval request (SQLite: it survives
 * restarts and never times out); my answers are written to the server as RFC 5025 pres-rules over
 * XCAP (RFC 4825) and kept locally as the list the next document is built from.
 */
export class ApprovalService implements SessionParticipant {
  private session: SipSession | undefined;
  private account: SipAccountConfig | undefined;
  private winfo: EventSubscription | undefined;
  private readonly stale: EventSubscription[] = [];
  private winfoFailures = 0;
  private winfoTimer: ReturnType<typeof setTimeout> | undefined;
  private xcap: XcapClient | undefined;
  private readonly listeners = new Set<(owner: string, fresh: WatcherRecord[]) => void>();
  private readonly log: Logger;

  constructor(
    private readonly db: Database,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger('approvals');
  }

  /** Listens to changes of the watcher list; `fresh` are requests seen for the first time. */
  onDidChange(listener: (owner: string, fresh: WatcherRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Everyone I know of who watches or asked to watch me, with my decision. */
  watchers(owner: string): WatcherRecord[] {
    return listWatchers(this.db, owner);
  }

  /** The XCAP root in use for an account: the configured one or the default from the server URL. */
  xcapRoot(account: Pick<SipAccountConfig, 'uri' | 'server'>): string {
    return getSetting<string>(this.db, xcapRootKey(account.uri)) || defaultXcapRoot(account.server);
  }

  online(session: SipSession, account: SipAccountConfig): void {
    this.session = session;
    this.account = account;
    // A watcher-info dialog from before a reconnect still stands on the server, which would send its
    // NOTIFYs into a dead connection and hold up other people's subscriptions (kamailio.md trap 11):
    // end it through the new connection.
    for (const old of this.stale.splice(0)) void old.stop(1_000);
    const username = account.authUser || (/^sips?:([^@]+)@/.exec(account.uri)?.[1] ?? '');
    this.xcap = new XcapClient(this.xcapRoot(account), account.uri, { username, password: account.password });
    this.subscribeWinfo();
    // A decision taken while the server could not be reached is written now.
    if (getSetting<boolean>(this.db, `presRules.dirty:${account.uri}`)) void this.writeRules(account.uri).catch(() => undefined);
  }

  offline(): void {
    this.session = undefined;
    this.clearWinfoTimer();
    // Keep the dead dialog: once back online it is ended on the server (see online()).
    if (this.winfo) this.stale.push(this.winfo);
    this.winfo = undefined;
  }

  async signOut(): Promise<void> {
    this.clearWinfoTimer();
    const winfo = this.winfo;
    this.winfo = undefined;
    this.session = undefined;
    await winfo?.stop(1_500);
  }

  /**
   * Records my decision about `uri` and writes the pres-rules document. Resolves when the server has
   * it (then the watcher list is fetched again: Kamailio does not push that change, trap 10); rejects
   * with a readable error if the server refused, the decision staying recorded to be written later.
   */
  async decide(owner: string, uri: string, decision: Exclude<WatcherDecision, 'pending'>): Promise<void> {
    decideWatcher(this.db, owner, uri, decision);
    this.emit(owner, []);
    await this.writeRules(owner);
    this.resubscribeWinfo();
  }

  private async writeRules(owner: string): Promise<void> {
    setSetting(this.db, `presRules.dirty:${owner}`, true);
    const xcap = this.xcap;
    if (!xcap || this.account?.uri !== owner) throw new Error('Signed out: the decision is kept and written at the next sign-in.');
    const watchers = listWatchers(this.db, owner);
    const allow = watchers.filter((w) => w.decision === 'allowed').map((w) => w.uri);
    const block = watchers.filter((w) => w.decision === 'declined' || w.decision === 'blocked').map((w) => w.uri);
    await xcap.put('pres-rules', 'index', 'application/auth-policy+xml', buildPresRules(allow, block));
    setSetting(this.db, `presRules.dirty:${owner}`, false);
  }

  private subscribeWinfo(): void {
    const session = this.session;
    const account = this.account;
    if (!session || !account) return;
    const target = UserAgent.makeURI(account.uri);
    if (!target) return;
    this.winfo?.dispose();
    const subscription: EventSubscription = new EventSubscription(session, target, {
      event: 'presence.winfo',
      accept: 'application/watcherinfo+xml',
      expires: WINFO_EXPIRES,
      onNotify: (update) => {
        if (this.winfo === subscription) this.onWinfo(account.uri, update);
      },
      onFailure: (failure) => {
        if (this.winfo !== subscription) return;
        this.log.warn(`watcher-info subscription failed: ${failure.kind === 'response' ? failure.status : 'timeout'}`);
        this.winfo = undefined;
        // A server without watcher info (489 Bad Event, 501) or that forbids it will not change its mind.
        if (failure.kind === 'response' && [403, 489, 501, 603].includes(failure.status)) return;
        this.retryWinfo();
      },
    });
    this.winfo = subscription;
    subscription.start();
  }

  /** A fresh SUBSCRIBE gets the full list (RFC 3857 §3.2.5), including changes not pushed to us. */
  private resubscribeWinfo(): void {
    const old = this.winfo;
    this.winfo = undefined;
    void old?.stop(1_000);
    this.subscribeWinfo();
  }

  private retryWinfo(): void {
    this.clearWinfoTimer();
    this.winfoFailures++;
    this.winfoTimer = setTimeout(() => this.subscribeWinfo(), backoffDelay(this.winfoFailures));
  }

  private clearWinfoTimer(): void {
    if (this.winfoTimer) clearTimeout(this.winfoTimer);
    this.winfoTimer = undefined;
  }

  private onWinfo(owner: string, update: NotifyUpdate): void {
    if (update.state === 'terminated') {
      this.winfo = undefined;
      // Our own watcher list: always worth having again, but never in a tight loop.
      this.retryWinfo();
      return;
    }
    this.winfoFailures = 0;
    if (!update.body.trim()) return;
    let info;
    try {
      info = parseWatcherInfo(update.body);
    } catch (error) {
      this.log.warn(`unreadable watcher information: ${String(error)}`);
      return;
    }
    const fresh: WatcherRecord[] = [];
    for (const watcher of info.watchers) {
      if (watcher.status !== 'pending' && watcher.status !== 'waiting') continue;
      const uri = parseSipAddress(watcher.uri)?.uri;
      if (!uri || uri === owner) continue;
      if (recordWatchRequest(this.db, owner, uri, watcher.displayName)) {
        fresh.push({ uri, displayName: watcher.displayName, decision: 'pending', requestedAt: Date.now() });
      }
    }
    if (fresh.length > 0) this.emit(owner, fresh);
  }

  private emit(owner: string, fresh: WatcherRecord[]): void {
    for (const listener of this.listeners) listener(owner, fresh);
  }

  dispose(): void {
    this.clearWinfoTimer();
  }
}
