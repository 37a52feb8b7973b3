import type { Database } from 'better-sqlite3';
import type { CallEndReason, CallOutcome, CallRecord } from '../../shared/domain/calls.js';
import { prepared } from './statements.js';

interface Row {
  id: number;
  peer: string;
  number: string | null;
  peer_name: string;
  direction: 'in' | 'out';
  video: number;
  started_at: number;
  connected_at: number | null;
  ended_at: number;
  outcome: CallOutcome;
  end_reason: CallEndReason;
  end_status: number | null;
  end_target: string | null;
  seen: number;
}

const COLUMNS =
  'SELECT id, peer, number, peer_name, direction, video, started_at, connected_at, ended_at, outcome, end_reason, end_status, end_target, seen FROM call_history';

function toRecord(row: Row): CallRecord {
  return {
    id: row.id,
    peer: row.peer,
    ...(row.number ? { number: row.number } : {}),
    peerName: row.peer_name,
    direction: row.direction,
    video: row.video === 1,
    startedAt: row.started_at,
    ...(row.connected_at !== null ? { connectedAt: row.connected_at } : {}),
    endedAt: row.ended_at,
    outcome: row.outcome,
    end: {
      reason: row.end_reason,
      ...(row.end_status !== null ? { status: row.end_status } : {}),
      ...(row.end_target !== null ? { target: row.end_target } : {}),
    },
    seen: row.seen === 1,
  };
}

/**
 * How many calls the history keeps per account. Anyone can call (or ring and hang up, or call while
 * I am in Do not disturb): each leaves a row, so the oldest go beyond this.
 */
export const MAX_CALL_HISTORY = 10_000;

/** Records a call that ended (a missed call starts unseen), keeping the newest `keep` calls. */
export function recordCall(db: Database, owner: string, call: Omit<CallRecord, 'id' | 'seen'>, keep = MAX_CALL_HISTORY): CallRecord {
  const info = prepared(
    db,
    `INSERT INTO call_history (owner, peer, number, peer_name, direction, video, started_at, connected_at, ended_at, outcome, end_reason, end_status, end_target, seen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    owner,
    call.peer,
    call.number ?? null,
    call.peerName.slice(0, 128),
    call.direction,
    call.video ? 1 : 0,
    call.startedAt,
    call.connectedAt ?? null,
    call.endedAt,
    call.outcome,
    call.end.reason,
    call.end.status !== undefined && call.end.status >= 100 && call.end.status <= 699 ? call.end.status : null,
    call.end.target?.slice(0, 320) ?? null,
    call.outcome === 'missed' ? 0 : 1,
  );
  prepared<[string, string, number]>(
    db,
    'DELETE FROM call_history WHERE owner = ? AND id <= (SELECT id FROM call_history WHERE owner = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
  ).run(owner, owner, keep);
  return toRecord(prepared<[number], Row>(db, `${COLUMNS} WHERE id = ?`).get(Number(info.lastInsertRowid))!);
}

/** The latest calls, newest first (before `before`, for the next page). */
export function callHistory(db: Database, owner: string, limit: number, before?: number): CallRecord[] {
  const rows =
    before === undefined
      ? prepared<[string, number], Row>(db, `${COLUMNS} WHERE owner = ? ORDER BY id DESC LIMIT ?`).all(owner, limit)
      : prepared<[string, number, number], Row>(db, `${COLUMNS} WHERE owner = ? AND id < ? ORDER BY id DESC LIMIT ?`).all(
          owner,
          before,
          limit,
        );
  return rows.map(toRecord);
}

/** Missed calls not yet seen, by peer. */
export function unseenMissed(db: Database, owner: string): Record<string, number> {
  const rows = prepared<[string], { peer: string; n: number }>(
    db,
    'SELECT peer, count(*) AS n FROM call_history WHERE owner = ? AND seen = 0 GROUP BY peer',
  ).all(owner);
  return Object.fromEntries(rows.map((row) => [row.peer, row.n]));
}

/** Missed calls not yet seen from one peer (an indexed count, however long the history). */
export function unseenMissedFrom(db: Database, owner: string, peer: string): number {
  return prepared<[string, string], { n: number }>(
    db,
    'SELECT count(*) AS n FROM call_history WHERE owner = ? AND peer = ? AND seen = 0',
  ).get(owner, peer)!.n;
}

/** The person looked at their missed calls. */
export function markMissedSeen(db: Database, owner: string): number {
  return prepared<[string]>(db, 'UPDATE call_history SET seen = 1 WHERE owner = ? AND seen = 0').run(owner).changes;
}
