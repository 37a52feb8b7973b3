import type { Database } from 'better-sqlite3';
import type { ChatMessage, MessageFailure, MessageState } from '../../shared/domain/chat.js';
import { prepared } from './statements.js';

interface Row {
  id: number;
  peer: string;
  direction: 'in' | 'out';
  body: string;
  sent_at: number;
  state: MessageState;
  fail_status: number | null;
  fail_phrase: string;
  call_id: string | null;
  imdn_id: string | null;
}

/** An outgoing message waiting to go, with the Call-ID its MESSAGE carries and its IMDN id. */
export interface OutboxEntry extends ChatMessage {
  readonly callId: string;
  readonly imdnId: string;
}

const COLUMNS = 'SELECT id, peer, direction, body, sent_at, state, fail_status, fail_phrase, call_id, imdn_id FROM messages';

function toMessage(row: Row): ChatMessage {
  const failure =
    row.fail_status !== null ? { failure: { status: row.fail_status, ...(row.fail_phrase ? { phrase: row.fail_phrase } : {}) } } : {};
  return { id: row.id, peer: row.peer, direction: row.direction, text: row.body, sentAt: row.sent_at, state: row.state, ...failure };
}

/** Stores an outgoing message as queued (before anything is sent). */
export function insertOutgoing(
  db: Database,
  owner: string,
  peer: string,
  text: string,
  ids: { callId: string; imdnId: string },
  now: number,
): ChatMessage {
  const id = Number(
    prepared(
      db,
      `INSERT INTO messages (owner, peer, direction, body, sent_at, created_at, state, call_id, imdn_id) VALUES (?, ?, 'out', ?, ?, ?, 'queued', ?, ?)`,
    ).run(owner, peer, text, now, now, ids.callId, ids.imdnId).lastInsertRowid,
  );
  // What was written, without reading it back (this runs for every message sent).
  return { id, peer, direction: 'out', text, sentAt: now, state: 'queued' };
}

/**
 * Stores an incoming message unless one with the same `dedupe` key is stored already; returns the
 * new message, or undefined for a duplicate.
 */
export function insertIncoming(
  db: Database,
  owner: string,
  message: { peer: string; text: string; sentAt: number; dedupe: string; unread: boolean; imdnId?: string; wantDisplay?: boolean },
  now: number,
): ChatMessage | undefined {
  const result = prepared(
    db,
    `INSERT INTO messages (owner, peer, direction, body, sent_at, created_at, state, dedupe, unread, imdn_id, want_display)
       VALUES (?, ?, 'in', ?, ?, ?, 'received', ?, ?, ?, ?) ON CONFLICT (owner, dedupe) WHERE dedupe IS NOT NULL DO NOTHING`,
  ).run(
    owner,
    message.peer,
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
  const row = prepared<[string, number], Row>(db, `${COLUMNS} WHERE owner = ? AND id = ?`).get(owner, id);
  return row && toMessage(row);
}

/**
 * Marks a message I sent as answered (`sent` or `stored`) unless something moved it on meanwhile (a
 * delivery notification can overtake the 200 it follows); true when it changed.
 */
export function markAnswered(db: Database, owner: string, id: number, state: 'sent' | 'stored'): boolean {
  return (
    prepared(db, "UPDATE messages SET state = ? WHERE owner = ? AND id = ? AND state IN ('queued', 'sending')").run(state, owner, id)
      .changes === 1
  );
}

export function setMessageState(
  db: Database,
  owner: string,
  id: number,
  state: MessageState,
  failure?: MessageFailure,
): ChatMessage | undefined {
  prepared(db, 'UPDATE messages SET state = ?, fail_status = ?, fail_phrase = ? WHERE owner = ? AND id = ?').run(
    state,
    failure?.status ?? null,
    failure?.phrase?.slice(0, 64) ?? '',
    owner,
    id,
  );
  return getMessage(db, owner, id);
}

/**
 * My message that a notification names: by its imdn.Message-ID, or by its Call-ID (Linphone's IMDN
 * for a plain-text MESSAGE names that).
 */
export function findOutgoingByNotificationId(db: Database, owner: string, id: string): ChatMessage | undefined {
  const row =
    prepared<[string, string], Row>(db, `${COLUMNS} WHERE owner = ? AND imdn_id = ? AND direction = 'out'`).get(owner, id) ??
    prepared<[string, string], Row>(db, `${COLUMNS} WHERE owner = ? AND call_id = ? AND direction = 'out'`).get(owner, id);
  return row && toMessage(row);
}

/** Unread messages of a conversation whose senders asked to be told when I read them. */
export function unreadWantingDisplay(db: Database, owner: string, peer: string): { imdnId: string }[] {
  return prepared<[string, string], { imdn_id: string }>(
    db,
    `SELECT imdn_id FROM messages WHERE owner = ? AND peer = ? AND unread = 1 AND want_display = 1 AND imdn_id IS NOT NULL ORDER BY id LIMIT 500`,
  )
    .all(owner, peer)
    .map((row) => ({ imdnId: row.imdn_id }));
}

/** The oldest message waiting to go (one row: a burst of a thousand is not read a thousand times over). */
export function nextInOutbox(db: Database, owner: string): OutboxEntry | undefined {
  const row = prepared<[string], Row>(db, `${COLUMNS} WHERE owner = ? AND state IN ('queued', 'sending') ORDER BY id LIMIT 1`).get(owner);
  return row && { ...toMessage(row), callId: row.call_id ?? '', imdnId: row.imdn_id ?? '' };
}

/** A page of a conversation, newest last: the `limit` messages before `before` (or the latest). */
export function history(db: Database, owner: string, peer: string, limit: number, before?: number): ChatMessage[] {
  const rows =
    before === undefined
      ? prepared<[string, string, number], Row>(db, `${COLUMNS} WHERE owner = ? AND peer = ? ORDER BY id DESC LIMIT ?`).all(
          owner,
          peer,
          limit,
        )
      : prepared<[string, string, number, number], Row>(
          db,
          `${COLUMNS} WHERE owner = ? AND peer = ? AND id < ? ORDER BY id DESC LIMIT ?`,
        ).all(owner, peer, before, limit);
  return rows.reverse().map(toMessage);
}

/** How many messages from `peer` wait unread (from the conversations table). */
export function unreadFrom(db: Database, owner: string, peer: string): number {
  return (
    prepared<[string, string], { unread: number }>(db, 'SELECT unread FROM conversations WHERE owner = ? AND peer = ?').get(owner, peer)
      ?.unread ?? 0
  );
}

/** Message requests waiting: conversations with unread messages from people not in the contacts. */
export function waitingRequests(db: Database, owner: string): number {
  return prepared<[string], { n: number }>(
    db,
    `SELECT count(*) AS n FROM conversations c
       WHERE c.owner = ? AND c.unread > 0 AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.owner = c.owner AND k.uri = c.peer)`,
  ).get(owner)!.n;
}

/** The messages after `after`, oldest first. */
export function historyAfter(db: Database, owner: string, peer: string, limit: number, after: number): ChatMessage[] {
  return prepared<[string, string, number, number], Row>(db, `${COLUMNS} WHERE owner = ? AND peer = ? AND id > ? ORDER BY id LIMIT ?`)
    .all(owner, peer, after, limit)
    .map(toMessage);
}

/** Every conversation: its last message and unread count, most recent first. */
export function conversations(db: Database, owner: string, limit = 200): { last: ChatMessage; unread: number }[] {
  // The conversations table (migration 0009) is kept in step with messages by triggers.
  const rows = prepared<[string, number], Row & { unread_count: number }>(
    db,
    `SELECT m.id, m.peer, m.direction, m.body, m.sent_at, m.state, m.fail_status, m.fail_phrase, m.call_id, c.unread AS unread_count
       FROM conversations c JOIN messages m ON m.id = c.last_id
       WHERE c.owner = ?
       ORDER BY c.last_id DESC LIMIT ?`,
  ).all(owner, limit);
  return rows.map((row) => ({ last: toMessage(row), unread: row.unread_count }));
}

/** Marks a conversation read; returns how many were unread. */
export function markRead(db: Database, owner: string, peer: string): number {
  return prepared(db, 'UPDATE messages SET unread = 0 WHERE owner = ? AND peer = ? AND unread = 1').run(owner, peer).changes;
}

/** Refuses `uri`'s messages from now on. */
export function blockSender(db: Database, owner: string, uri: string, now: number): void {
  prepared(db, 'INSERT INTO message_blocks (owner, uri, blocked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(owner, uri, now);
}

export function isSenderBlocked(db: Database, owner: string, uri: string): boolean {
  return prepared(db, 'SELECT 1 FROM message_blocks WHERE owner = ? AND uri = ?').get(owner, uri) !== undefined;
}

/** Deletes a whole conversation; returns how many messages went. */
export function deleteConversation(db: Database, owner: string, peer: string): number {
  return prepared(db, 'DELETE FROM messages WHERE owner = ? AND peer = ?').run(owner, peer).changes;
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
    `SELECT m.id, m.peer, m.direction, m.body, m.sent_at, m.state, m.fail_status, m.fail_phrase, m.call_id, m.imdn_id
       FROM messages_fts f JOIN messages m ON m.id = f.rowid
       WHERE messages_fts MATCH ? AND m.owner = ?
       ORDER BY m.id DESC LIMIT ?`,
  )
    .all(match, owner, limit)
    .map(toMessage);
}

/** A conversation from a message on: the `before` messages before it, it, and up to `after` newer ones. */
export function historyAround(db: Database, owner: string, peer: string, id: number, before: number, after: number): ChatMessage[] {
  const older = prepared<[string, string, number, number], Row>(
    db,
    `${COLUMNS} WHERE owner = ? AND peer = ? AND id < ? ORDER BY id DESC LIMIT ?`,
  ).all(owner, peer, id, before);
  const newer = prepared<[string, string, number, number], Row>(
    db,
    `${COLUMNS} WHERE owner = ? AND peer = ? AND id >= ? ORDER BY id LIMIT ?`,
  ).all(owner, peer, id, after);
  return [...older.reverse(), ...newer].map(toMessage);
}

/** How many messages wait unread, in every conversation (a sum over the conversations). */
export function unreadCount(db: Database, owner: string): number {
  return prepared<[string], { n: number }>(db, 'SELECT coalesce(sum(unread), 0) AS n FROM conversations WHERE owner = ?').get(owner)!.n;
}
