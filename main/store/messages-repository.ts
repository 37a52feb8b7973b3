import type { Database } from 'better-sqlite3';
import {
  asConversationId,
  type ChatMessage,
  type Conversation,
  type ConversationId,
  type ConversationKind,
  type MessageFailure,
  type MessageState,
} from '../../shared/domain/chat.js';
import { reduceSendState, summarizeSendStates, type RecipientState, type SendEvent } from '../../shared/domain/send-state.js';
import { prepared } from './statements.js';

interface Row {
  id: number;
  conversation_id: number;
  sender: string;
  direction: 'in' | 'out';
  body: string;
  sent_at: number;
  state: MessageState;
  fail_status: number | null;
  fail_phrase: string;
  call_id: string | null;
  imdn_id: string | null;
}

/** One of my messages waiting to go to one person, with the Call-ID its MESSAGE carries and its IMDN id. */
export interface OutboxEntry extends ChatMessage {
  readonly recipient: string;
  readonly callId: string;
  readonly imdnId: string;
}

const FIELDS =
  'm.id, m.conversation_id, m.sender, m.direction, m.body, m.sent_at, m.state, m.fail_status, m.fail_phrase, m.call_id, m.imdn_id';
const COLUMNS = `SELECT ${FIELDS} FROM messages m`;

function toMessage(row: Row): ChatMessage {
  const failure =
    row.fail_status !== null ? { failure: { status: row.fail_status, ...(row.fail_phrase ? { phrase: row.fail_phrase } : {}) } } : {};
  return {
    id: row.id,
    conversationId: asConversationId(row.conversation_id),
    sender: row.sender,
    direction: row.direction,
    text: row.body,
    sentAt: row.sent_at,
    state: row.state,
    ...failure,
  };
}

interface ConversationRow {
  id: number;
  kind: ConversationKind;
  members: string;
}

const CONVERSATION = `SELECT c.id, c.kind, (SELECT json_group_array(uri) FROM conversation_members WHERE conversation_id = c.id) AS members
  FROM conversations c`;

function toConversation(row: ConversationRow): Conversation {
  return { id: asConversationId(row.id), kind: row.kind, members: JSON.parse(row.members) as string[] };
}

/** The direct conversation with `peer` (a normalised URI), made the first time it is asked for. */
export function directConversation(db: Database, owner: string, peer: string, now: number): Conversation {
  const found = prepared<[string, string], ConversationRow>(
    db,
    `${CONVERSATION} WHERE c.owner = ? AND c.kind = 'direct' AND c.peer = ?`,
  ).get(owner, peer);
  if (found) return toConversation(found);
  const id = Number(
    prepared(db, "INSERT INTO conversations (owner, kind, peer, created_at) VALUES (?, 'direct', ?, ?)").run(owner, peer, now)
      .lastInsertRowid,
  );
  prepared(db, 'INSERT INTO conversation_members (conversation_id, uri) VALUES (?, ?)').run(id, peer);
  // Opening a conversation makes its row before anything is written in it; a page asking for one
  // with thousands of addresses must not grow the store without end: only the newest
  // EMPTY_CONVERSATIONS_MAX conversations without a message are kept.
  prepared<[string, string, number]>(
    db,
    `DELETE FROM conversations WHERE owner = ? AND last_id IS NULL AND id IN (
       SELECT id FROM conversations c WHERE c.owner = ? AND c.last_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
       ORDER BY c.id DESC LIMIT -1 OFFSET ?)`,
  ).run(owner, owner, EMPTY_CONVERSATIONS_MAX);
  return { id: asConversationId(id), kind: 'direct', members: [peer] };
}

/** How many conversations with no message yet are kept (opened, then never written in). */
export const EMPTY_CONVERSATIONS_MAX = 200;

/** The direct conversation with `peer`, if there is one (nothing is made). */
export function findDirectConversation(db: Database, owner: string, peer: string): Conversation | undefined {
  const row = prepared<[string, string], ConversationRow>(db, `${CONVERSATION} WHERE c.owner = ? AND c.kind = 'direct' AND c.peer = ?`).get(
    owner,
    peer,
  );
  return row && toConversation(row);
}

export function getConversation(db: Database, owner: string, id: ConversationId): Conversation | undefined {
  const row = prepared<[string, number], ConversationRow>(db, `${CONVERSATION} WHERE c.owner = ? AND c.id = ?`).get(owner, id);
  return row && toConversation(row);
}

/** Stores an outgoing message as queued for each member of its conversation (before anything is sent). */
export function insertOutgoing(
  db: Database,
  owner: string,
  conversation: Conversation,
  text: string,
  ids: { callId: string; imdnId: string },
  now: number,
): ChatMessage {
  const id = Number(
    prepared(
      db,
      `INSERT INTO messages (owner, conversation_id, sender, direction, body, sent_at, created_at, state, call_id, imdn_id)
         VALUES (?, ?, ?, 'out', ?, ?, ?, 'queued', ?, ?)`,
    ).run(owner, conversation.id, owner, text, now, now, ids.callId, ids.imdnId).lastInsertRowid,
  );
  const recipient = prepared(db, "INSERT INTO message_recipients (message_id, recipient, state) VALUES (?, ?, 'queued')");
  for (const member of conversation.members) recipient.run(id, member);
  // What was written, without reading it back (this runs for every message sent).
  return { id, conversationId: conversation.id, sender: owner, direction: 'out', text, sentAt: now, state: 'queued' };
}

/**
 * Stores an incoming message unless one with the same `dedupe` key is stored already; returns the
 * new message, or undefined for a duplicate.
 */
export function insertIncoming(
  db: Database,
  owner: string,
  message: {
    conversationId: ConversationId;
    sender: string;
    text: string;
    sentAt: number;
    dedupe: string;
    unread: boolean;
    imdnId?: string;
    wantDisplay?: boolean;
  },
  now: number,
): ChatMessage | undefined {
  const result = prepared(
    db,
    `INSERT INTO messages (owner, conversation_id, sender, direction, body, sent_at, created_at, state, dedupe, unread, imdn_id, want_display)
       VALUES (?, ?, ?, 'in', ?, ?, ?, 'received', ?, ?, ?, ?) ON CONFLICT (owner, dedupe) WHERE dedupe IS NOT NULL DO NOTHING`,
  ).run(
    owner,
    message.conversationId,
    message.sender,
    message.text,
    message.sentAt,
    now,
    message.dedupe,
    message.unread ? 1 : 0,
    message.imdnId ?? null,
    message.wantDisplay ? 1 : 0,
  );
  return result.changes === 1 ? getMessage(db, owner, Number(result.lastInsertRowid)) : undefined;
}

export function getMessage(db: Database, owner: string, id: number): ChatMessage | undefined {
  const row = prepared<[string, number], Row>(db, `${COLUMNS} WHERE m.owner = ? AND m.id = ?`).get(owner, id);
  return row && toMessage(row);
}

/**
 * Moves my message on for one recipient (`reduceSendState`: only ever forward), and the message's
 * own state to the summary of all its recipients'. Returns the message when its state changed.
 */
export function applySendEvent(
  db: Database,
  owner: string,
  id: number,
  recipient: string,
  event: SendEvent,
  failure?: MessageFailure,
): ChatMessage | undefined {
  const message = prepared<[string, number], Row>(db, `${COLUMNS} WHERE m.owner = ? AND m.id = ? AND m.direction = 'out'`).get(owner, id);
  if (!message) return undefined;
  const current = prepared<[number, string], { state: RecipientState }>(
    db,
    'SELECT state FROM message_recipients WHERE message_id = ? AND recipient = ?',
  ).get(id, recipient);
  if (!current) return undefined;
  const next = reduceSendState(current.state, event);
  if (next === current.state) return undefined;
  prepared(db, 'UPDATE message_recipients SET state = ? WHERE message_id = ? AND recipient = ?').run(next, id, recipient);
  const states = prepared<[number], { state: RecipientState }>(db, 'SELECT state FROM message_recipients WHERE message_id = ?')
    .all(id)
    .map((row) => row.state);
  const summary = summarizeSendStates(states);
  const why = summary === 'failed' ? (failure ?? (message.fail_status !== null ? toMessage(message).failure : undefined)) : undefined;
  const status = why?.status ?? null;
  const phrase = why?.phrase?.slice(0, 64) ?? '';
  if (summary === message.state && status === message.fail_status && phrase === message.fail_phrase) return undefined;
  prepared(db, 'UPDATE messages SET state = ?, fail_status = ?, fail_phrase = ? WHERE id = ?').run(summary, status, phrase, id);
  return getMessage(db, owner, id);
}

/**
 * My message that a notification from `from` names, by its imdn.Message-ID or its Call-ID
 * (Linphone's IMDN for a plain-text MESSAGE names that) — only if `from` is someone it went to.
 */
export function findOutgoingByNotificationId(db: Database, owner: string, id: string, from: string): ChatMessage | undefined {
  const sql = (column: string) =>
    `${COLUMNS} JOIN message_recipients r ON r.message_id = m.id AND r.recipient = ?
       WHERE m.owner = ? AND m.${column} = ? AND m.direction = 'out'`;
  const row =
    prepared<[string, string, string], Row>(db, sql('imdn_id')).get(from, owner, id) ??
    prepared<[string, string, string], Row>(db, sql('call_id')).get(from, owner, id);
  return row && toMessage(row);
}

/** Unread messages of a conversation whose senders asked to be told when I read them. */
export function unreadWantingDisplay(db: Database, owner: string, conversation: ConversationId): { sender: string; imdnId: string }[] {
  return prepared<[string, number], { sender: string; imdn_id: string }>(
    db,
    `SELECT sender, imdn_id FROM messages
       WHERE owner = ? AND conversation_id = ? AND unread = 1 AND want_display = 1 AND imdn_id IS NOT NULL ORDER BY id LIMIT 500`,
  )
    .all(owner, conversation)
    .map((row) => ({ sender: row.sender, imdnId: row.imdn_id }));
}

/**
 * The oldest message waiting to go to someone (one row: a burst of a thousand is not read a
 * thousand times over).
 */
export function nextInOutbox(db: Database, owner: string): OutboxEntry | undefined {
  const row = prepared<[string], Row & { recipient: string }>(
    db,
    `SELECT ${FIELDS}, r.recipient FROM message_recipients r JOIN messages m ON m.id = r.message_id
       WHERE r.state = 'queued' AND m.owner = ? ORDER BY r.message_id LIMIT 1`,
  ).get(owner);
  return row && { ...toMessage(row), recipient: row.recipient, callId: row.call_id ?? '', imdnId: row.imdn_id ?? '' };
}

/** A page of a conversation, newest last: the `limit` messages before `before` (or the latest). */
export function history(db: Database, owner: string, conversation: ConversationId, limit: number, before?: number): ChatMessage[] {
  const rows =
    before === undefined
      ? prepared<[string, number, number], Row>(
          db,
          `${COLUMNS} WHERE m.owner = ? AND m.conversation_id = ? ORDER BY m.id DESC LIMIT ?`,
        ).all(owner, conversation, limit)
      : prepared<[string, number, number, number], Row>(
          db,
          `${COLUMNS} WHERE m.owner = ? AND m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`,
        ).all(owner, conversation, before, limit);
  return rows.reverse().map(toMessage);
}

/** How many messages wait unread in a conversation (from the conversations table). */
export function unreadIn(db: Database, owner: string, conversation: ConversationId): number {
  return (
    prepared<[string, number], { unread: number }>(db, 'SELECT unread FROM conversations WHERE owner = ? AND id = ?').get(
      owner,
      conversation,
    )?.unread ?? 0
  );
}

/** Message requests waiting: direct conversations with unread messages from people not in the contacts. */
export function waitingRequests(db: Database, owner: string): number {
  return prepared<[string], { n: number }>(
    db,
    `SELECT count(*) AS n FROM conversations c
       WHERE c.owner = ? AND c.kind = 'direct' AND c.unread > 0
         AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.owner = c.owner AND k.uri = c.peer)`,
  ).get(owner)!.n;
}

/** The messages after `after`, oldest first. */
export function historyAfter(db: Database, owner: string, conversation: ConversationId, limit: number, after: number): ChatMessage[] {
  return prepared<[string, number, number, number], Row>(
    db,
    `${COLUMNS} WHERE m.owner = ? AND m.conversation_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`,
  )
    .all(owner, conversation, after, limit)
    .map(toMessage);
}

/** Every conversation with a message in it: who is in it, its last message and unread count, most recent first. */
export function conversations(
  db: Database,
  owner: string,
  limit = 200,
): { conversation: Conversation; last: ChatMessage; unread: number }[] {
  // The conversations table (migrations 0009, 0016) is kept in step with messages by triggers.
  const rows = prepared<[string, number], Row & { unread_count: number; kind: ConversationKind; members: string }>(
    db,
    `SELECT ${FIELDS}, c.unread AS unread_count, c.kind,
            (SELECT json_group_array(uri) FROM conversation_members WHERE conversation_id = c.id) AS members
       FROM conversations c JOIN messages m ON m.id = c.last_id
       WHERE c.owner = ? AND c.last_id IS NOT NULL
       ORDER BY c.last_id DESC LIMIT ?`,
  ).all(owner, limit);
  return rows.map((row) => ({
    conversation: toConversation({ id: row.conversation_id, kind: row.kind, members: row.members }),
    last: toMessage(row),
    unread: row.unread_count,
  }));
}

/** Marks a conversation read; returns how many were unread. */
export function markRead(db: Database, owner: string, conversation: ConversationId): number {
  return prepared(db, 'UPDATE messages SET unread = 0 WHERE owner = ? AND conversation_id = ? AND unread = 1').run(owner, conversation)
    .changes;
}

/** Refuses `uri`'s messages from now on. */
export function blockSender(db: Database, owner: string, uri: string, now: number): void {
  prepared(db, 'INSERT INTO message_blocks (owner, uri, blocked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(owner, uri, now);
}

export function isSenderBlocked(db: Database, owner: string, uri: string): boolean {
  return prepared(db, 'SELECT 1 FROM message_blocks WHERE owner = ? AND uri = ?').get(owner, uri) !== undefined;
}

/** Deletes a whole conversation (its messages, members and itself); returns how many messages went. */
export function deleteConversation(db: Database, owner: string, conversation: ConversationId): number {
  return db.transaction(() => {
    const gone = prepared(db, 'DELETE FROM messages WHERE owner = ? AND conversation_id = ?').run(owner, conversation).changes;
    prepared(db, 'DELETE FROM conversations WHERE owner = ? AND id = ?').run(owner, conversation);
    return gone;
  })();
}

/**
 * Messages matching `query` (every word, as a prefix), newest first, at most `limit`. The words are
 * quoted for FTS5, so nothing typed is read as query syntax.
 */
export function searchMessages(db: Database, owner: string, query: string, limit: number): ChatMessage[] {
  const words = query.match(/[\p{L}\p{N}]+/gu)?.slice(0, 8) ?? [];
  if (words.length === 0) return [];
  const match = words.map((word) => `"${word}"*`).join(' ');
  return prepared<[string, string, number], Row>(
    db,
    `SELECT ${FIELDS} FROM messages_fts f JOIN messages m ON m.id = f.rowid
       WHERE messages_fts MATCH ? AND m.owner = ?
       ORDER BY m.id DESC LIMIT ?`,
  )
    .all(match, owner, limit)
    .map(toMessage);
}

/** A conversation from a message on: the `before` messages before it, it, and up to `after` newer ones. */
export function historyAround(
  db: Database,
  owner: string,
  conversation: ConversationId,
  id: number,
  before: number,
  after: number,
): ChatMessage[] {
  const older = prepared<[string, number, number, number], Row>(
    db,
    `${COLUMNS} WHERE m.owner = ? AND m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`,
  ).all(owner, conversation, id, before);
  const newer = prepared<[string, number, number, number], Row>(
    db,
    `${COLUMNS} WHERE m.owner = ? AND m.conversation_id = ? AND m.id >= ? ORDER BY m.id LIMIT ?`,
  ).all(owner, conversation, id, after);
  return [...older.reverse(), ...newer].map(toMessage);
}

/** How many messages wait unread, in every conversation (a sum over the conversations). */
export function unreadCount(db: Database, owner: string): number {
  return prepared<[string], { n: number }>(db, 'SELECT coalesce(sum(unread), 0) AS n FROM conversations WHERE owner = ?').get(owner)!.n;
}
