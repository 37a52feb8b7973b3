import type { Database } from 'better-sqlite3';

// The values as of this migration (a later reason gets its own migration): call_history stores how
// a call ended as one of these, never as words.
const REASONS = [
  'ended',
  'remoteHungUp',
  'declined',
  'cancelled',
  'noAnswer',
  'busy',
  'notFound',
  'unavailable',
  'incompatible',
  'forbidden',
  'serverFailure',
  'failed',
  'missed',
  'missedDnd',
  'missedInCall',
  'missedPlainRtp',
  'plainRtp',
  'transferred',
  'forwarded',
  'forwardUnfollowable',
  'serverLost',
  'networkLost',
  'mediaLost',
  'mediaNotAllowed',
  'mediaNotFound',
  'mediaInUse',
  'mediaFailed',
  'noWindow',
] as const;

/** The sentences releases up to schema 13 stored, and the value each one meant. */
const SENTENCES: readonly [RegExp, (typeof REASONS)[number]][] = [
  [/^Call ended$/, 'ended'],
  [/^They hung up$/, 'remoteHungUp'],
  [/^Declined$/, 'declined'],
  [/^Cancelled$/, 'cancelled'],
  [/^No answer$/, 'noAnswer'],
  [/^Busy$/, 'busy'],
  [/^No such person or number$/, 'notFound'],
  [/^Not available \(not signed in\)$/, 'unavailable'],
  [/^Their phone can't take this kind of call$/, 'incompatible'],
  [/^Not allowed by the server$/, 'forbidden'],
  [/^The server could not connect the call \((\d{3})\)$/, 'serverFailure'],
  [/^The call failed \((\d{3})\)$/, 'failed'],
  [/^Missed call$/, 'missed'],
  [/^Missed while in Do not disturb$/, 'missedDnd'],
  [/^Missed while in another call$/, 'missedInCall'],
  [/^Missed: their phone's media is not encrypted/, 'missedPlainRtp'],
  [/^The call could not connect: their phone's media/, 'plainRtp'],
  [/^Transferred$/, 'transferred'],
  [/^Forwarded to (.{1,320})$/, 'forwarded'],
  [/^The call was forwarded somewhere Parley can't follow \((\d{3})\)\.$/, 'forwardUnfollowable'],
  [/^Call lost: the connection to the server dropped/, 'serverLost'],
  [/^Call lost when the network dropped$/, 'networkLost'],
  [/^Call lost: the connection to them dropped$/, 'mediaLost'],
  [/^Parley isn't allowed to use your microphone or camera/, 'mediaNotAllowed'],
  [/^No microphone \(or camera\) was found/, 'mediaNotFound'],
  [/^Your microphone or camera is in use/, 'mediaInUse'],
  [/^The call's media failed/, 'mediaFailed'],
  [/^(No window holds this call\.|The window holding the call did not answer\.)$/, 'noWindow'],
];

/** What a stored sentence meant; an empty or unknown one is read from how the call went. */
function endOf(reason: string, outcome: string): { reason: string; status: number | null; target: string | null } {
  for (const [pattern, value] of SENTENCES) {
    const match = pattern.exec(reason);
    if (!match) continue;
    if (value === 'forwarded') return { reason: value, status: null, target: match[1]! };
    const status = match[1] ? Number(match[1]) : null;
    return { reason: value, status, target: null };
  }
  return { reason: outcome === 'answered' ? 'ended' : outcome === 'missed' ? 'missed' : 'failed', status: null, target: null };
}

/**
 * How a call ended becomes a value (`end_reason`, with the SIP status and a forwarding target where
 * the words needed them) instead of the English sentence it was stored as; the words come from the
 * message catalogue. Every stored sentence is read back into its value.
 */
export function updateToSchemaVersion0014(db: Database): void {
  db.exec(`
    ALTER TABLE call_history ADD COLUMN end_reason TEXT NOT NULL DEFAULT 'ended'
      CHECK (end_reason IN (${REASONS.map((reason) => `'${reason}'`).join(', ')}));
    ALTER TABLE call_history ADD COLUMN end_status INTEGER CHECK (end_status IS NULL OR end_status BETWEEN 100 AND 699);
    ALTER TABLE call_history ADD COLUMN end_target TEXT CHECK (end_target IS NULL OR length(end_target) <= 320);
  `);
  const update = db.prepare('UPDATE call_history SET end_reason = ?, end_status = ?, end_target = ? WHERE id = ?');
  // (all at once: better-sqlite3 cannot write while a statement still iterates; the history is
  // bounded to 10,000 calls per account)
  for (const row of db.prepare('SELECT id, reason, outcome FROM call_history').all() as {
    id: number;
    reason: string;
    outcome: string;
  }[]) {
    const end = endOf(row.reason, row.outcome);
    update.run(end.reason, end.status, end.target, row.id);
  }
  db.exec('ALTER TABLE call_history DROP COLUMN reason;');
}
