import { Problem } from '../../shared/domain/problem.js';
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Message } from 'sip.js';
import {
  HISTORY_PAGE,
  directPeer,
  messageError,
  utf8Length,
  type ChatMessage,
  type Conversation,
  type ConversationId,
  type ConversationSummary,
} from '../../shared/domain/chat.js';
import { parseSipAddress } from '../../shared/domain/sip-address.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import { systemClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { withTimeout } from '../base/timeout.js';
import { Timer } from '../base/timer.js';
import type { ContactDirectory } from '../contacts/contact-directory.js';
import { createLogger, type Logger } from '../logger.js';
import type { SipAccountConfig, SessionParticipant } from '../sip/sip-connection.js';
import type { SipSession } from '../sip/sip-session.js';
import { addressOf } from '../sip/uri.js';
import {
  applySendEvent,
  blockSender,
  conversations,
  deleteConversation,
  directConversation,
  findDirectConversation,
  findOutgoingByNotificationId,
  getConversation,
  getMessage,
  history,
  historyAfter,
  historyAround,
  insertIncoming,
  insertOutgoing,
  isSenderBlocked,
  markRead,
  nextInOutbox,
  searchMessages,
  unreadCount,
  unreadIn,
  unreadWantingDisplay,
  waitingRequests,
  type OutboxEntry,
} from '../store/messages-repository.js';
import { cpimMessage, cpimNotification } from './cpim.js';
import { parseImdn } from './imdn.js';
import { readIncoming } from './incoming-message.js';
import { SenderBudget, type BudgetLimits } from './sender-budget.js';
import { cleanText } from '../../shared/domain/text.js';
import type { TypingChange } from '../../shared/ipc/chat.js';

export interface MessagingOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How long to wait for the final answer to a MESSAGE before counting the network as down. */
  readonly answerTimeoutMs?: number;
  /** Whether to tell senders when I have read their messages (a setting; delivery is always told). */
  readonly readReceipts?: () => boolean;
  /** Whether I blocked this address anywhere else (on their card): their messages are refused too. */
  readonly isBlocked?: (uri: string) => boolean;
  /** How much one sender may store here (default `DEFAULT_BUDGET`). */
  readonly budget?: BudgetLimits;
}

/** Body types Parley takes in a MESSAGE. */
const CHAT_TYPES = ['application/im-iscomposing+xml', 'message/cpim', 'message/imdn+xml', 'text/plain'];
/** RFC 3994 §3: an active state is refreshed this often, and turns idle after this much quiet. */
const COMPOSING_REFRESH_S = 60;
const COMPOSING_IDLE_MS = 15_000;
/** How long what a peer's OPTIONS said about CPIM is trusted. */
const CAPABILITY_TTL_MS = 60 * 60_000;
/**
 * Per-peer state fed by the network is bounded: anyone can send a MESSAGE from any address. At most
 * this many people are shown typing at once, and this many peers' capabilities are remembered.
 */
export const MAX_TYPING_PEERS = 100;
/**
 * Message requests are bounded too (anyone can write): at most this many unread messages from one
 * person not in my contacts, and this many such people waiting; beyond that their MESSAGE is
 * answered 486 (not now) until I read, accept or delete what waits.
 */
export const MAX_REQUEST_MESSAGES = 100;
export const MAX_WAITING_REQUESTS = 200;
export const MAX_KNOWN_PEERS = 1000;
/** How long "did not answer OPTIONS" stands. */
const UNANSWERED_TTL_MS = 60_000;

/** How one send ended. */
type Outcome = { kind: 'sent' | 'stored' } | { kind: 'rejected'; status: number; reason: string } | { kind: 'network' };

/**
 * Instant messages (SIP MESSAGE, RFC 3428) for the signed-in account: nothing is lost, nothing is
 * doubled.
 *
 * - Sending: a message is in SQLite (`queued`) before a byte leaves; the outbox goes out one
 *   message at a time, oldest first, whenever Parley is registered. A send that fails for a network
 *   reason (the connection dropped, no answer) goes back to the queue and is sent again — with the
 *   same Call-ID and CSeq, so a receiver that got the first copy can tell — when Parley is back. A
 *   final rejection marks it failed, with the reason in words.
 * - Receiving: a MESSAGE is committed before it is answered 200; a retransmission or a replay
 *   (same Call-ID, CSeq and sender) is answered again but stored once.
 */
export class MessagingService implements SessionParticipant {
  private readonly changes = new Emitter<readonly ChatMessage[]>();
  /** Messages that arrived or changed state. */
  readonly onDidChange = this.changes.event;
  private session: SipSession | undefined;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(
    private readonly db: Database,
    private readonly owner: () => string | undefined,
    private readonly directory: ContactDirectory,
    private readonly incoming: SipSession,
    private readonly options: MessagingOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('chat');
    this.budget = new SenderBudget(() => this.clock.now(), options.budget);
    // Registered once, for the session's whole life, so that every REGISTER's Allow says MESSAGE
    // (a store-and-forward server delivers only to contacts that take it).
    incoming.handle('MESSAGE', (message) => this.receive(message));
    incoming.accepts(CHAT_TYPES);
  }

  /** What each sender may still store (messages and bytes). */
  private readonly budget: SenderBudget;
  /** What each peer's last answer to OPTIONS said, however long ago (bounded, oldest forgotten first). */
  private readonly lastAnswered = new Map<string, { readonly cpim: boolean; readonly composing: boolean }>();
  /** Whether each peer takes CPIM (and so IMDN), as its OPTIONS or its own messages said. */
  private readonly cpimPeers = new Map<
    string,
    { readonly cpim: boolean; readonly composing: boolean; readonly at: number; readonly ttl: number }
  >();
  private readonly conversationsChanged = new Emitter<readonly ConversationSummary[]>();
  /** Conversations went or changed as a whole. */
  readonly onDidChangeConversations = this.conversationsChanged.event;
  private readonly typingChanges = new Emitter<TypingChange>();
  /** Someone started or stopped typing to me. */
  readonly onDidChangeTyping = this.typingChanges.event;
  /** Who is typing to me, each until their state expires. */
  private readonly typingIn = new Map<string, Timer>();
  /** To whom I said I am typing: when, and the timer that says idle after a quiet spell. */
  private readonly typingOut = new Map<string, { sentAt: number; idle: Timer }>();

  online(session: SipSession, _account: SipAccountConfig): void {
    this.session = session;
    void this.flush();
  }

  offline(): void {
    this.session = undefined;
  }

  async signOut(): Promise<void> {
    this.session = undefined;
  }

  dispose(): void {
    for (const timer of this.typingIn.values()) timer.dispose();
    for (const { idle } of this.typingOut.values()) idle.dispose();
    this.typingIn.clear();
    this.typingOut.clear();
  }

  /** The direct conversation with `peer` (made the first time), for the signed-in account. */
  conversationWith(peer: string): Result<Conversation> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const address = parseSipAddress(peer);
    if (!address) return err('invalid', Problem.NotSipAddress, 'peer');
    return ok(directConversation(this.db, owner, address.uri, this.clock.now()));
  }

  /** A conversation of the signed-in account by its id, or why there is none. */
  conversation(id: ConversationId): Result<Conversation> {
    const at = this.find(id);
    return at.ok ? ok(at.value.conversation) : at;
  }

  private find(id: ConversationId): Result<{ owner: string; conversation: Conversation; peer: string }> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const conversation = getConversation(this.db, owner, id);
    // Only direct conversations exist so far; a group would have no single peer to send to.
    const peer = conversation && directPeer(conversation);
    if (!conversation || !peer) return err('invalid', Problem.ConversationMissing, 'conversationId');
    return ok({ owner, conversation, peer });
  }

  /** Queues a message to a conversation and sends it as soon as Parley is registered. */
  send(id: ConversationId, text: string): Result<ChatMessage> {
    const at = this.find(id);
    if (!at.ok) return at;
    const { owner, conversation, peer } = at.value;
    const problem = messageError(text);
    if (problem) return err('invalid', problem.problem, { field: 'text', ...problem });
    const message = insertOutgoing(
      this.db,
      owner,
      conversation,
      text,
      { callId: `${randomUUID()}@parley`, imdnId: randomUUID().replace(/-/g, '') },
      this.clock.now(),
    );
    this.changes.fire([message]);
    // The message itself tells them I stopped typing (RFC 3994 §3).
    this.typingOut.get(peer)?.idle.dispose();
    this.typingOut.delete(peer);
    void this.flush();
    return ok(message);
  }

  /**
   * I am typing to `peer` (or stopped): tell them, if they take is-composing (RFC 3994) — active at
   * most once a refresh interval, idle after a quiet spell or when I stop.
   */
  setTyping(id: ConversationId, active: boolean): Result<void> {
    const at = this.find(id);
    return at.ok ? this.typingTo(at.value.peer, active) : at;
  }

  private typingTo(uri: string, active: boolean): Result<void> {
    // Nothing goes to a stranger before I accept their request, typing included.
    if (!this.directory.findByAddress(uri)) return ok(undefined);
    const current = this.typingOut.get(uri);
    if (!active) {
      if (current) {
        current.idle.dispose();
        this.typingOut.delete(uri);
        void this.sendComposing(uri, false);
      }
      return ok(undefined);
    }
    const now = this.clock.now();
    const entry = current ?? { sentAt: 0, idle: new Timer(this.clock) };
    this.typingOut.set(uri, entry);
    entry.idle.schedule(COMPOSING_IDLE_MS, () => this.typingTo(uri, false));
    if (now - entry.sentAt >= (COMPOSING_REFRESH_S - 10) * 1000) {
      entry.sentAt = now;
      void this.sendComposing(uri, true);
    }
    return ok(undefined);
  }

  private async sendComposing(peer: string, active: boolean): Promise<void> {
    const session = this.session;
    const target = session?.makeURI(peer);
    if (!session || !target || !(await this.capabilities(session, peer)).composing) return;
    const content =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">' +
      `<state>${active ? 'active' : 'idle'}</state><contenttype>text/plain</contenttype>` +
      (active ? `<refresh>${COMPOSING_REFRESH_S}</refresh>` : '') +
      '</isComposing>';
    try {
      session.request('MESSAGE', target, { body: { contentType: 'application/im-iscomposing+xml', content } }, {});
    } catch (error) {
      this.log.debug(`is-composing to ${peer}: ${String(error)}`);
    }
  }

  /** `peer` is typing to me (until `forMs` passes without a refresh) or stopped. */
  private theirTyping(peer: string, typing: boolean, forMs: number): void {
    const timer = this.typingIn.get(peer);
    // Told about the conversation it happens in; nobody's typing makes a conversation exist.
    const conversation = () => {
      const owner = this.owner();
      return owner ? findDirectConversation(this.db, owner, peer)?.id : undefined;
    };
    if (!typing) {
      if (!timer) return;
      timer.dispose();
      this.typingIn.delete(peer);
      const conversationId = conversation();
      if (conversationId !== undefined) this.typingChanges.fire({ conversationId, sender: peer, typing: false });
      return;
    }
    // A flood of typing notices from invented senders shows (and times) at most MAX_TYPING_PEERS.
    if (!timer && this.typingIn.size >= MAX_TYPING_PEERS) return;
    const next = timer ?? new Timer(this.clock);
    next.schedule(forMs, () => this.theirTyping(peer, false, 0));
    if (!timer) {
      this.typingIn.set(peer, next);
      const conversationId = conversation();
      if (conversationId !== undefined) this.typingChanges.fire({ conversationId, sender: peer, typing: true });
    }
  }

  /** Message requests: adds the sender to my contacts (the conversation becomes an ordinary one). */
  acceptRequest(id: ConversationId): Result<void> {
    const at = this.find(id);
    if (!at.ok) return at;
    const { peer } = at.value;
    if (this.directory.findByAddress(peer)) return ok(undefined);
    const added = this.directory.add({ address: peer });
    if (!added.ok) return added;
    this.conversationsChanged.fire(this.conversations());
    return ok(undefined);
  }

  /** Message requests: refuses their messages from now on and deletes what they sent. */
  blockRequest(id: ConversationId): Result<void> {
    const at = this.find(id);
    if (!at.ok) return at;
    const { owner, peer } = at.value;
    blockSender(this.db, owner, peer, this.clock.now());
    deleteConversation(this.db, owner, id);
    this.conversationsChanged.fire(this.conversations());
    return ok(undefined);
  }

  deleteConversation(id: ConversationId): Result<void> {
    const at = this.find(id);
    if (!at.ok) return at;
    deleteConversation(this.db, at.value.owner, id);
    this.conversationsChanged.fire(this.conversations());
    return ok(undefined);
  }

  /** Puts a failed message back in the queue. */
  retry(id: number): Result<ChatMessage> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    const message = getMessage(this.db, owner, id);
    if (!message || message.direction !== 'out') return err('invalid', Problem.MessageMissing);
    if (message.state !== 'failed') return ok(message);
    const conversation = getConversation(this.db, owner, message.conversationId);
    // Sent again to those it failed for (every member, in a direct conversation: the one).
    let queued = message;
    for (const member of conversation?.members ?? []) queued = applySendEvent(this.db, owner, id, member, 'retry') ?? queued;
    this.changes.fire([queued]);
    void this.flush();
    return ok(queued);
  }

  history(id: ConversationId, limit: number, before?: number): Result<readonly ChatMessage[]> {
    const at = this.find(id);
    return at.ok ? ok(history(this.db, at.value.owner, id, limit, before)) : at;
  }

  /** The messages after one, oldest first (reading forward from a search result). */
  historyAfter(id: ConversationId, limit: number, after: number): Result<readonly ChatMessage[]> {
    const at = this.find(id);
    return at.ok ? ok(historyAfter(this.db, at.value.owner, id, limit, after)) : at;
  }

  /**
   * A conversation opened at a message: half a page before it, then it and a page from it on
   * (`HISTORY_PAGE` of them when more follow; the rest loads as the person scrolls down).
   */
  historyAround(id: ConversationId, message: number): Result<readonly ChatMessage[]> {
    const at = this.find(id);
    return at.ok ? ok(historyAround(this.db, at.value.owner, id, message, HISTORY_PAGE / 2, HISTORY_PAGE)) : at;
  }

  /** Full-text search over every conversation, newest first (an indexed query, bounded). */
  search(query: string): Result<readonly ChatMessage[]> {
    const owner = this.owner();
    if (!owner) return err('state', Problem.SignInFirst);
    return ok(searchMessages(this.db, owner, query, 50));
  }

  conversations(): readonly ConversationSummary[] {
    const owner = this.owner();
    if (!owner) return [];
    return conversations(this.db, owner).map(({ conversation, last, unread }) => {
      const peer = directPeer(conversation);
      return { ...conversation, last, unread, stranger: peer !== undefined && !this.directory.findByAddress(peer) };
    });
  }

  /** Unread messages in every conversation. */
  unreadTotal(): number {
    const owner = this.owner();
    return owner ? unreadCount(this.db, owner) : 0;
  }

  markRead(id: ConversationId): Result<void> {
    const at = this.find(id);
    if (!at.ok) return at;
    const { owner } = at.value;
    // RFC 5438 §7.2.1: those who asked are told, once, when I have read their messages (unless I
    // turned read receipts off).
    // A stranger (a message request not yet accepted) learns nothing: not even that it was opened.
    const tell =
      (this.options.readReceipts?.() ?? true)
        ? unreadWantingDisplay(this.db, owner, id).filter(({ sender }) => this.directory.findByAddress(sender))
        : [];
    const changed = markRead(this.db, owner, id);
    for (const { sender, imdnId } of tell) this.notify(owner, sender, imdnId, 'displayed');
    // Other windows and the tray count unread too.
    if (changed > 0) this.conversationsChanged.fire(this.conversations());
    return ok(undefined);
  }

  /** Sends the outbox in order, one at a time; a second call while it runs makes it look again. */
  private flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.drain();
        } while (this.flushAgain && this.session);
      } catch (error) {
        this.log.error(`sending messages: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async drain(): Promise<void> {
    const owner = this.owner();
    while (owner && this.session && this.owner() === owner) {
      const next = nextInOutbox(this.db, owner);
      if (!next) return;
      // "Sending" is told, not written: a message caught mid-send by a crash is still `queued` in the
      // store and goes again (with the same Call-ID), which is all `sending` would have meant.
      const { callId: _callId, imdnId: _imdnId, recipient, ...shown } = next;
      this.changes.fire([{ ...shown, state: 'sending' }]);
      const outcome = await this.deliver(this.session, next);
      let state: ChatMessage | undefined;
      switch (outcome.kind) {
        case 'sent':
        case 'stored':
          // A delivery notification can overtake the 200 it follows: the reducer never steps back.
          state = applySendEvent(this.db, owner, next.id, recipient, outcome.kind === 'sent' ? 'answered' : 'stored');
          break;
        case 'rejected':
          state = applySendEvent(this.db, owner, next.id, recipient, 'failed', {
            status: outcome.status,
            ...(outcome.reason ? { phrase: cleanText(outcome.reason, 64) } : {}),
          });
          break;
        case 'network':
          // Still registered: the other side or the path did not answer — tell the person. Not
          // registered any more: it is still queued, and goes again, in its place, when Parley is back.
          if (!this.session?.connected) {
            this.changes.fire([shown]);
            return;
          }
          state = applySendEvent(this.db, owner, next.id, recipient, 'failed', { status: 408 });
          break;
      }
      // Unchanged (a notification overtook the answer): what was told as `sending` is told as it is.
      this.changes.fire([state ?? getMessage(this.db, owner, next.id) ?? shown]);
    }
  }

  /** Remembers what `peer` takes, forgetting the longest-known peer beyond MAX_KNOWN_PEERS. */
  private rememberCapabilities(peer: string, entry: { cpim: boolean; composing: boolean; at: number; ttl: number }): void {
    remember(this.cpimPeers, peer, entry);
  }

  /** Whether `peer` takes CPIM (and so receipts); a peer that cannot be asked gets plain text. */
  private async speaksCpim(session: SipSession, peer: string): Promise<boolean> {
    return (await this.capabilities(session, peer)).cpim;
  }

  /**
   * What `peer` takes — CPIM, is-composing — remembered from its own messages or asked with
   * OPTIONS (RFC 3261 §11: its Accept).
   */
  private async capabilities(session: SipSession, peer: string): Promise<{ cpim: boolean; composing: boolean }> {
    const known = this.cpimPeers.get(peer);
    if (known && this.clock.now() - known.at < known.ttl) return known;
    const target = session.makeURI(peer);
    if (!target) return { cpim: false, composing: false };
    const asked = new Promise<{ cpim: boolean; composing: boolean } | undefined>((resolve) => {
      try {
        session.request(
          'OPTIONS',
          target,
          { headers: [`Accept: ${CHAT_TYPES.join(', ')}`] },
          {
            onAccept: (response) => {
              const accept = response.message.getHeaders('Accept').join(',');
              resolve({
                cpim: /(^|[\s,])message\/cpim\b/i.test(accept),
                composing: /(^|[\s,])application\/im-iscomposing\+xml\b/i.test(accept),
              });
            },
            onReject: () => resolve(undefined),
          },
        );
      } catch {
        resolve(undefined);
      }
    });
    const answer = await withTimeout(asked, 5_000, this.clock);
    // No answer (signed out, or slow) is remembered only briefly: they may answer next time; a queue
    // of messages to them does not wait for each one. Someone who took CPIM before and is signed out
    // now still gets it: the server keeps the message for them (msilo), and their receipt turns
    // "Will be delivered when they sign in" into "Delivered" once they do.
    if (answer) remember(this.lastAnswered, peer, answer);
    const found = answer ?? this.lastAnswered.get(peer) ?? { cpim: false, composing: false };
    this.rememberCapabilities(peer, { ...found, at: this.clock.now(), ttl: answer === undefined ? UNANSWERED_TTL_MS : CAPABILITY_TTL_MS });
    return found;
  }

  /** Tells `peer` that I received or read their message `aboutId` (fire and forget). */
  private notify(owner: string, peer: string, aboutId: string, status: 'delivered' | 'displayed'): void {
    // A server that kept messages for me (msilo) hands them over the moment the REGISTER is
    // answered, before the connection calls this service online: the session they came in on is the
    // one to answer on.
    const session = this.session ?? (this.incoming.connected ? this.incoming : undefined);
    const target = session?.makeURI(peer);
    if (!session || !target) return;
    const content = cpimNotification({
      from: owner,
      to: peer,
      messageId: randomUUID().replace(/-/g, ''),
      aboutId,
      status,
      at: this.clock.now(),
    });
    try {
      session.request('MESSAGE', target, { body: { contentType: 'message/cpim', content } }, {});
    } catch (error) {
      this.log.debug(`IMDN to ${peer}: ${String(error)}`);
    }
  }

  private async deliver(session: SipSession, message: OutboxEntry): Promise<Outcome> {
    const target = session.makeURI(message.recipient);
    if (!target) return { kind: 'rejected', status: 416, reason: 'Unsupported URI Scheme' };
    const owner = this.owner() ?? '';
    const body =
      message.imdnId && (await this.speaksCpim(session, message.recipient))
        ? {
            contentType: 'message/cpim',
            content: cpimMessage({
              from: owner,
              to: message.recipient,
              messageId: message.imdnId,
              sentAt: message.sentAt,
              text: message.text,
            }),
          }
        : { contentType: 'text/plain;charset=UTF-8', content: message.text };
    const answered = new Promise<Outcome>((resolve) => {
      try {
        session.request(
          'MESSAGE',
          target,
          { callId: message.callId, cseq: 1, body },
          {
            onAccept: (response) => resolve({ kind: response.message.statusCode === 202 ? 'stored' : 'sent' }),
            onReject: (response) => {
              const statusCode = response.message.statusCode ?? 500;
              const reasonPhrase = response.message.reasonPhrase ?? '';
              // sip.js answers a transport failure or a transaction timeout with its own 503/408.
              resolve(
                statusCode === 408 || (statusCode === 503 && !session.connected)
                  ? { kind: 'network' }
                  : { kind: 'rejected', status: statusCode, reason: reasonPhrase },
              );
            },
          },
        );
      } catch {
        resolve({ kind: 'network' });
      }
    });
    return (await withTimeout(answered, this.options.answerTimeoutMs ?? 40_000, this.clock)) ?? { kind: 'network' };
  }

  /**
   * A delivery or read notification (RFC 5438) moves my message forward: sent → delivered → read.
   * Only the person I sent it to can say so (RFC 5438 §7.1.1.3: the notification comes from the
   * recipient), only about that message, and never backwards or for a message that failed: anyone
   * can send a MESSAGE with any Message-ID in it.
   */
  private notified(owner: string, sender: string, xml: string): void {
    const notification = parseImdn(xml);
    if (!notification) return;
    const mine = findOutgoingByNotificationId(this.db, owner, notification.messageId, sender);
    const event = notification.status === 'delivered' ? 'delivered' : notification.status === 'displayed' ? 'read' : undefined;
    if (!mine || !event) return;
    const updated = applySendEvent(this.db, owner, mine.id, sender, event);
    if (updated) this.changes.fire([updated]);
  }

  private receive(message: Message): void {
    const owner = this.owner();
    if (!owner) {
      void message.reject({ statusCode: 480 }).catch(() => undefined);
      return;
    }
    const read = readIncoming(message.request, this.clock.now());
    // Someone I blocked, from Message requests or on their card: refused, never stored, never shown.
    const sender = addressOf(message.request.from.uri)?.uri;
    if (sender && (isSenderBlocked(this.db, owner, sender) || this.options.isBlocked?.(sender))) {
      void message.reject({ statusCode: 403 }).catch(() => undefined);
      return;
    }
    if (read.kind === 'refuse') {
      void message.reject({ statusCode: read.status, ...(read.headers ? { extraHeaders: read.headers } : {}) }).catch(() => undefined);
      return;
    }
    if (read.kind === 'ignore') {
      void message.accept().catch(() => undefined);
      return;
    }
    if (read.kind === 'composing') {
      this.theirTyping(read.peer, read.active, read.refreshMs);
      void message.accept().catch(() => undefined);
      return;
    }
    if (read.kind === 'notification') {
      // About a message of mine: taken, never shown as a message.
      if (sender) this.notified(owner, sender, read.xml);
      void message.accept().catch(() => undefined);
      return;
    }
    if (read.cpim) {
      const known = this.cpimPeers.get(read.message.peer);
      remember(this.lastAnswered, read.message.peer, { cpim: true, composing: known?.composing ?? false });
      this.rememberCapabilities(read.message.peer, {
        cpim: true,
        composing: known?.composing ?? false,
        at: this.clock.now(),
        ttl: CAPABILITY_TTL_MS,
      });
    }
    const existing = findDirectConversation(this.db, owner, read.message.peer);
    // Someone not in my contacts: a message request, bounded in count (RFC 3261 §21.4.24: 486).
    if (!this.directory.findByAddress(read.message.peer)) {
      const waiting = existing ? unreadIn(this.db, owner, existing.id) : 0;
      if (waiting >= MAX_REQUEST_MESSAGES || (waiting === 0 && waitingRequests(this.db, owner) >= MAX_WAITING_REQUESTS)) {
        this.log.warn(`message request from ${read.message.peer} refused: too many waiting`);
        void message.reject({ statusCode: 486 }).catch(() => undefined);
        return;
      }
    }
    // Within the sender's budget, or refused in a way their client shows (busy, try again in N s).
    const wait = this.budget.take(read.message.peer, utf8Length(read.message.text));
    if (wait !== undefined) {
      this.log.warn(`message from ${read.message.peer} refused: over its budget (retry in ${wait} s)`);
      void message.reject({ statusCode: 486, extraHeaders: [`Retry-After: ${wait}`] }).catch(() => undefined);
      return;
    }
    // A message ends its sender's typing (RFC 3994 §3).
    this.theirTyping(read.message.peer, false, 0);
    // Committed first; only then the 200 (a crash in between means a retransmission, stored once).
    const { peer, ...incoming } = read.message;
    const conversationId = (existing ?? directConversation(this.db, owner, peer, this.clock.now())).id;
    const stored = insertIncoming(this.db, owner, { ...incoming, conversationId, sender: peer, unread: true }, this.clock.now());
    void message.accept().catch((error: unknown) => this.log.debug(`200 to MESSAGE: ${String(error)}`));
    if (!stored) return;
    this.changes.fire([stored]);
    // A delivery receipt tells the sender this address is alive and read by someone: a stranger gets
    // none until I accept their request.
    if (read.wantDelivery && read.message.imdnId && this.directory.findByAddress(read.message.peer)) {
      this.notify(owner, read.message.peer, read.message.imdnId, 'delivered');
    }
  }
}

/** Keeps `value` as the newest entry for `key`, forgetting the oldest beyond MAX_KNOWN_PEERS. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_KNOWN_PEERS) map.delete(map.keys().next().value!);
}
