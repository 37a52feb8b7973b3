import { Problem } from '../../shared/domain/problem.js';
import type { Database } from 'better-sqlite3';
import {
  APPROVAL_PAGE_SIZE,
  type ApprovalAnswer,
  type ApprovalPage,
  type ApprovalRequest,
  type WatcherDecision,
} from '../../shared/domain/contacts.js';
import { defaultXcapRoot, parseSipAddress } from '../../shared/domain/sip-address.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { Throttle } from '../base/throttle.js';
import { Timer } from '../base/timer.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import { createLogger, type Logger } from '../logger.js';
import { backoffDelay } from '../sip/backoff.js';
import type { SessionParticipant, SipAccountConfig } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { getAccountState, updateAccountState } from '../store/account-state-repository.js';
import {
  countPendingWatchers,
  decideWatcher,
  getWatcher,
  listWatchers,
  pagePendingWatchers,
  recordWatchRequest,
  type WatcherRecord,
} from '../store/contacts-repository.js';
import { EventSubscription, type NotifyUpdate } from '../presence/event-subscription.js';
import { buildPresRules } from './pres-rules.js';
import { parseWatcherInfo, WINFO_XML_LIMITS } from './watcherinfo.js';
import { XcapClient } from './xcap-client.js';

/** Watcher-info subscriptions are kept short: a stale one on the server blocks others' subscriptions. */
const WINFO_EXPIRES = 90;

/** A change of the approval inbox; `fresh` are requests seen for the first time. */
export interface ApprovalsChange {
  readonly fresh: readonly ApprovalRequest[];
}

export interface ApprovalServiceOptions {
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/**
 * Who may see my presence. Subscribes to my own watcher information (RFC 3857/3858, event
 * `presence.winfo`); every pending watcher becomes a persistent approval request (SQLite: it survives
 * restarts and never times out); my answers are written to the server as RFC 5025 pres-rules over
 * XCAP (RFC 4825) and kept locally as the list the next document is built from. Adding someone who
 * already asked to see me is a yes.
 */
export class ApprovalService implements SessionParticipant {
  private session: SipSession | undefined;
  private account: SipAccountConfig | undefined;
  private winfo: EventSubscription | undefined;
  private readonly stale: EventSubscription[] = [];
  private winfoFailures = 0;
  private readonly winfoTimer: Timer;
  private xcap: XcapClient | undefined;
  private readonly changes = new Emitter<ApprovalsChange>();
  /** The inbox or a decision changed. */
  readonly onDidChange = this.changes.event;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(
    private readonly db: Database,
    private readonly owner: () => string | undefined,
    private readonly directory: ContactDirectory,
    private readonly options: ApprovalServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('approvals');
    this.winfoTimer = new Timer(this.clock);
    this.rulesWrite = new Throttle(
      500,
      () => {
        const owner = this.owner();
        // No watcher-info refresh afterwards: these decisions answer no request, so the list is unchanged.
        if (owner) this.writeRules(owner).catch((error: unknown) => this.log.warn(`pres-rules write failed: ${String(error)}`));
      },
      this.clock,
    );
    directory.onDidChange((change) => {
      if (change.kind !== 'added') return;
      const owner = this.owner();
      if (!owner) return;
      const decision = getWatcher(this.db, owner, change.contact.uri)?.decision;
      // They asked to see me before I added them: accept, I asked for the same thing.
      if (decision === 'pending') void this.answer(change.contact.uri, 'accept');
      // Adding someone lets them see me too (Lync's default for people you add): when they add me
      // back, no second request is needed. A block or decline I chose stays. Many adds at once
      // (an import) are one pres-rules write.
      else if (decision === undefined) {
        decideWatcher(this.db, owner, change.contact.uri, 'allowed');
        this.changes.fire({ fresh: [] });
        this.rulesWrite.request();
      }
    });
  }

  /** Writes the pres-rules document soon, once for a burst of decisions. */
  private readonly rulesWrite: Throttle;

  /** Everyone I know of who watches or asked to watch me, with my decision. */
  watchers(): WatcherRecord[] {
    const owner = this.owner();
    return owner ? listWatchers(this.db, owner) : [];
  }

  /** What I know of `uri` as a watcher of mine: my decision and the name the network gave them. */
  watcher(uri: string): WatcherRecord | undefined {
    const owner = this.owner();
    return owner ? getWatcher(this.db, owner, uri) : undefined;
  }

  /** The approval inbox: pending requests, oldest first. */
  requests(): ApprovalRequest[] {
    const contacts = new Set(this.directory.contacts().map((c) => c.uri));
    return this.watchers()
      .filter((w) => w.decision === 'pending')
      .map((w) => this.view(w, contacts));
  }

  /** A page of the inbox, oldest first, with the total waiting. */
  page(offset = 0, limit = APPROVAL_PAGE_SIZE): ApprovalPage {
    const owner = this.owner();
    if (!owner) return { requests: [], total: 0, offset };
    const contacts = new Set(this.directory.contacts().map((c) => c.uri));
    const requests = pagePendingWatchers(this.db, owner, offset, Math.min(limit, APPROVAL_PAGE_SIZE)).map((w) => this.view(w, contacts));
    return { requests, total: countPendingWatchers(this.db, owner), offset };
  }

  /**
   * Declines or blocks every waiting request, or every one from `domain` (a flood of invented
   * watchers comes from one domain). One pres-rules write for all of them. Resolves with how many.
   */
  async answerAll(answer: 'decline' | 'block', domain?: string): Promise<Result<number>> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const wanted = domain?.trim().toLowerCase();
    const chosen = listWatchers(this.db, owner).filter(
      (w) => w.decision === 'pending' && (!wanted || parseSipAddress(w.uri)?.host.toLowerCase() === wanted),
    );
    if (chosen.length === 0) return ok(0);
    const decision = answer === 'decline' ? 'declined' : 'blocked';
    this.db.transaction(() => {
      for (const watcher of chosen) decideWatcher(this.db, owner, watcher.uri, decision);
    })();
    this.changes.fire({ fresh: [] });
    try {
      await this.writeRules(owner);
    } catch (error) {
      this.log.warn(`pres-rules write failed: ${String(error)}`);
      return err('unreachable', Problem.AnswersNotStored, { values: { count: chosen.length } });
    }
    this.resubscribeWinfo();
    return ok(chosen.length);
  }

  /** The XCAP root in use for an account: the configured one or the default from the server URL. */
  xcapRoot(account: Pick<SipAccountConfig, 'uri' | 'server'>): string {
    return getAccountState(this.db, account.uri).xcapRoot || defaultXcapRoot(account.server);
  }

  /** Answers an approval request: accept (optionally adding them), decline or block. */
  async answer(uri: string, answer: ApprovalAnswer): Promise<Result<void>> {
    if (!this.owner()) return err('state', Problem.SignInFirst);
    const normalised = parseSipAddress(uri)?.uri;
    if (!normalised) return err('invalid', Problem.NotSipAddress);
    if (answer === 'acceptAndAdd' && !this.directory.findByAddress(normalised)) {
      // No typed name: the list shows the name the network gave them (their watcher-info entry's).
      const added = this.directory.add({ address: normalised });
      if (!added.ok && added.error.field !== 'address') return added;
    }
    const decision = answer === 'accept' || answer === 'acceptAndAdd' ? 'allowed' : answer === 'decline' ? 'declined' : 'blocked';
    return this.decide(normalised, decision);
  }

  /**
   * Records my decision about `uri` and writes the pres-rules document. Succeeds when the server has
   * it (then the watcher list is fetched again: Kamailio does not push that change); fails with a
   * readable error if the server refused, the decision staying recorded to be written later.
   */
  async decide(uri: string, decision: Exclude<WatcherDecision, 'pending'>): Promise<Result<void>> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    decideWatcher(this.db, owner, uri, decision);
    this.changes.fire({ fresh: [] });
    try {
      await this.writeRules(owner);
    } catch (error) {
      this.log.warn(`pres-rules write failed: ${String(error)}`);
      return err('unreachable', Problem.AnswersNotStored, { values: { count: 1 } });
    }
    this.resubscribeWinfo();
    return ok(undefined);
  }

  online(session: SipSession, account: SipAccountConfig): void {
    this.session = session;
    this.account = account;
    // A watcher-info dialog from before a reconnect still stands on the server, which would send its
    // NOTIFYs into a dead connection and hold up other people's subscriptions (Kamailio aborts the
    // next watcher's SUBSCRIBE when such a NOTIFY fails): end it through the new connection.
    for (const old of this.stale.splice(0)) void old.stop(1_000);
    const username = account.authUser || (/^sips?:([^@]+)@/.exec(account.uri)?.[1] ?? '');
    this.xcap = new XcapClient(
      this.xcapRoot(account),
      account.uri,
      { username, password: account.password },
      undefined,
      account.trustedCertificate ? { trustedFingerprint: account.trustedCertificate } : {},
    );
    this.subscribeWinfo();
    // A decision taken while the server could not be reached is written now.
    if (getAccountState(this.db, account.uri).presRulesDirty) void this.writeRules(account.uri).catch(() => undefined);
  }

  offline(): void {
    this.session = undefined;
    this.winfoTimer.cancel();
    // Keep the dead dialog: once back online it is ended on the server (see online()).
    if (this.winfo) this.stale.push(this.winfo);
    this.winfo = undefined;
  }

  async signOut(): Promise<void> {
    this.winfoTimer.cancel();
    const winfo = this.winfo;
    this.winfo = undefined;
    this.session = undefined;
    await winfo?.stop(1_500);
  }

  dispose(): void {
    this.disposed = true;
    this.winfoTimer.dispose();
    this.rulesWrite.dispose();
  }

  /** Set once the engine closes: a write still in flight then must not touch the (closed) store. */
  private disposed = false;

  private async writeRules(owner: string): Promise<void> {
    updateAccountState(this.db, owner, { presRulesDirty: true });
    const xcap = this.xcap;
    if (!xcap || this.account?.uri !== owner) throw new Error('Signed out: the decision is kept and written at the next sign-in.');
    const watchers = listWatchers(this.db, owner);
    const allow = watchers.filter((w) => w.decision === 'allowed').map((w) => w.uri);
    const block = watchers.filter((w) => w.decision === 'declined' || w.decision === 'blocked').map((w) => w.uri);
    await xcap.put('pres-rules', 'index', 'application/auth-policy+xml', buildPresRules(allow, block));
    // Closed meanwhile: the dirty flag stays set and the next start writes the rules again.
    if (this.disposed) return;
    updateAccountState(this.db, owner, { presRulesDirty: false });
  }

  private subscribeWinfo(): void {
    const session = this.session;
    const account = this.account;
    if (!session || !account) return;
    const target = session.makeURI(account.uri);
    if (!target) return;
    this.winfo?.dispose();
    const subscription: EventSubscription = new EventSubscription(session, target, {
      event: 'presence.winfo',
      accept: 'application/watcherinfo+xml',
      expires: WINFO_EXPIRES,
      clock: this.clock,
      onNotify: (update) => {
        if (this.winfo === subscription) this.onWinfo(account.uri, update);
      },
      onFailure: (failure) => {
        if (this.winfo !== subscription) return;
        this.log.warn(`watcher-info subscription failed: ${failure.kind === 'response' ? failure.status : 'timeout'}`);
        this.winfo = undefined;
        // A server without watcher info (404, 405, 482, 489 Bad Event, 501) or that forbids it (403,
        // 603) will not change its mind.
        if (failure.kind === 'response' && [403, 404, 405, 482, 489, 501, 603].includes(failure.status)) return;
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
    this.winfoFailures++;
    // Failing again and again (more than a busy server's passing trouble): ask only every ten
    // minutes, not every 30 s for ever.
    const delay = this.winfoFailures > 6 ? 10 * 60_000 : backoffDelay(this.winfoFailures, this.options.random ?? Math.random);
    this.winfoTimer.schedule(delay, () => this.subscribeWinfo());
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
      // A full list from a flooded inbox is far larger than a presence document: its own limits.
      info = parseWatcherInfo(update.body, WINFO_XML_LIMITS);
    } catch (error) {
      // The known list stays as it is: a refused document changes nothing.
      this.log.warn(`unreadable watcher information: ${String(error)}`);
      return;
    }
    const fresh: WatcherRecord[] = [];
    const now = this.clock.now();
    // One transaction for the whole document: hundreds of watchers are one write, not hundreds.
    this.db.transaction(() => {
      for (const watcher of info.watchers) {
        if (watcher.status !== 'pending' && watcher.status !== 'waiting') continue;
        const uri = parseSipAddress(watcher.uri)?.uri;
        if (!uri || uri === owner) continue;
        if (recordWatchRequest(this.db, owner, uri, watcher.displayName, now)) {
          fresh.push({ uri, displayName: watcher.displayName, decision: 'pending', requestedAt: now });
        }
      }
    })();
    if (fresh.length === 0 || this.owner() !== owner) return;
    const contacts = new Set(this.directory.contacts().map((c) => c.uri));
    this.changes.fire({ fresh: fresh.map((w) => this.view(w, contacts)) });
  }

  private view(watcher: WatcherRecord, contacts: ReadonlySet<string>): ApprovalRequest {
    return {
      uri: watcher.uri,
      address: parseSipAddress(watcher.uri)?.address ?? watcher.uri,
      displayName: watcher.displayName,
      requestedAt: watcher.requestedAt ?? 0,
      isContact: contacts.has(watcher.uri),
    };
  }
}
