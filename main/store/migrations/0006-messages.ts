import type { Database } from 'better-sqlite3';

/**
 * Instant messages, per account (`owner`), per conversation (`peer`, a normalised SIP URI).
 *
 * - An outgoing message is written before it is sent (`queued`), with the Call-ID its MESSAGE will
 *   carry: a resend after a lost answer reuses it, so the receiver can tell it is the same message.
 * - An incoming message is written before it is answered; `dedupe` (Call-ID, CSeq and sender) is
 *   unique, so a retransmitted or replayed MESSAGE is stored once.
 */
export function updateToSchemaVersion0006(db: Database): void {
  db.exec(`
    CREATE TABLE messages (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      peer TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      body TEXT NOT NULL CHECK (length(body) <= 16384),
      sent_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL
        CHECK (state IN ('queued', 'sending', 'sent', 'stored', 'delivered', 'read', 'failed', 'received')),
      error TEXT NOT NULL DEFAULT '' CHECK (length(error) <= 512),
      call_id TEXT CHECK (call_id IS NULL OR length(call_id) <= 256),
      dedupe TEXT CHECK (dedupe IS NULL OR length(dedupe) <= 1024),
      unread INTEGER NOT NULL DEFAULT 0 CHECK (unread IN (0, 1)),
      -- RFC 5438: the imdn.Message-ID (mine on outgoing, the sender's on incoming), and whether the
      -- sender asked to be told when I have read it.
      imdn_id TEXT CHECK (imdn_id IS NULL OR length(imdn_id) <= 256),
      want_display INTEGER NOT NULL DEFAULT 0 CHECK (want_display IN (0, 1))
    ) STRICT;
    CREATE UNIQUE INDEX messages_dedupe ON messages (owner, dedupe) WHERE dedupe IS NOT NULL;
    CREATE INDEX messages_conversation ON messages (owner, peer, id);
    CREATE INDEX messages_outbox ON messages (owner, id) WHERE state IN ('queued', 'sending');
    CREATE INDEX messages_unread ON messages (owner, peer) WHERE unread = 1;
    CREATE INDEX messages_call_id ON messages (owner, call_id) WHERE call_id IS NOT NULL;
    CREATE INDEX messages_imdn_id ON messages (owner, imdn_id) WHERE imdn_id IS NOT NULL;
  `);
}
