import type { Database } from 'better-sqlite3';

/** The sentences releases up to schema 14 stored for a failed message, and the status each said. */
const SENTENCES: readonly [string, number][] = [
  ['The server refused to deliver it.', 403],
  ['There is no such user.', 404],
  ['No answer from their side in time.', 408],
  ['That address no longer exists.', 410],
  ['It is too long for their server.', 413],
  ["Their client can't take this kind of message.", 415],
  ['They are not signed in.', 480],
  ['They are busy and not taking messages.', 486],
  ['Their server is not available.', 503],
  ['They declined it.', 603],
];

/**
 * Why a message failed becomes a value — the SIP status that refused it, and the far end's phrase
 * for a status without words of its own — instead of the English sentence it was stored as. Every
 * sentence earlier releases wrote is read back into its status.
 */
export function updateToSchemaVersion0015(db: Database): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN fail_status INTEGER CHECK (fail_status IS NULL OR fail_status BETWEEN 100 AND 699);
    ALTER TABLE messages ADD COLUMN fail_phrase TEXT NOT NULL DEFAULT '' CHECK (length(fail_phrase) <= 64);
  `);
  const update = db.prepare('UPDATE messages SET fail_status = ?, fail_phrase = ? WHERE id = ?');
  // (all at once: better-sqlite3 cannot write while a statement still iterates; failed messages are few)
  const failed = db.prepare("SELECT id, error FROM messages WHERE state = 'failed'").all() as { id: number; error: string }[];
  for (const { id, error } of failed) {
    const known = SENTENCES.find(([sentence]) => sentence === error)?.[1];
    const refused = /^It was refused \((\d{3})(?: (.{1,64}))?\)\.$/.exec(error);
    if (known !== undefined) update.run(known, '', id);
    else if (refused) update.run(Number(refused[1]), refused[2] ?? '', id);
    // No release wrote anything else; should a row hold it, it reads as a refusal without words.
    else update.run(500, '', id);
  }
  db.exec('ALTER TABLE messages DROP COLUMN error;');
}
