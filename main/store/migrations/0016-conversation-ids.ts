import type { Database } from 'better-sqlite3';

/**
 * Conversations have ids and members, so that one can have more than one other person.
 *
 * - `conversations` gets an integer `id` and a `kind` (`direct`: me and one other person, found by
 *   `peer`; `group` later) and a row of its own that outlives its messages' absence (a conversation
 *   opened but not yet written in). `conversation_members` names everyone in it but me.
 * - `messages` belongs to a conversation (`conversation_id`) and says who wrote it (`sender`: the
 *   other side's URI, or mine); the `peer` column goes. Ids are kept, so the full-text index, the
 *   outbox order and every reference to a message stay as they were.
 * - `message_recipients` holds where each of my messages stands with each person it goes to; the
 *   message's own `state` is their summary. Its state only moves forward (the reducer in
 *   `shared/domain/send-state.ts`).
 *
 * Built the SQLite way for a changed table (create, copy, drop, rename): the history, unread counts
 * and search of every existing conversation come across.
 */
export function updateToSchemaVersion0016(db: Database): void {
  db.exec(`
    DROP TRIGGER conversations_insert;
    DROP TRIGGER conversations_unread;
    DROP TRIGGER conversations_delete;
    DROP TRIGGER messages_fts_insert;
    DROP TRIGGER messages_fts_delete;
    DROP TRIGGER messages_fts_update;
    DROP INDEX conversations_recent;
    ALTER TABLE conversations RENAME TO conversations_0015;

    CREATE TABLE conversations (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
      -- The other person in a direct conversation (a normalised SIP URI); none in a group.
      peer TEXT CHECK ((kind = 'direct') = (peer IS NOT NULL) AND (peer IS NULL OR length(peer) <= 512)),
      created_at INTEGER NOT NULL,
      -- The newest message (none yet: not listed) and how many wait unread, kept by triggers.
      last_id INTEGER,
      unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0)
    ) STRICT;
    CREATE UNIQUE INDEX conversations_direct ON conversations (owner, peer) WHERE kind = 'direct';
    CREATE INDEX conversations_recent ON conversations (owner, last_id) WHERE last_id IS NOT NULL;

    CREATE TABLE conversation_members (
      conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      uri TEXT NOT NULL CHECK (length(uri) <= 512),
      PRIMARY KEY (conversation_id, uri)
    ) STRICT, WITHOUT ROWID;

    INSERT INTO conversations (owner, kind, peer, created_at, last_id, unread)
      SELECT o.owner, 'direct', o.peer,
             coalesce((SELECT m.created_at FROM messages m WHERE m.owner = o.owner AND m.peer = o.peer ORDER BY m.id LIMIT 1), 0),
             o.last_id, o.unread
        FROM conversations_0015 o ORDER BY o.last_id;
    INSERT INTO conversation_members (conversation_id, uri) SELECT id, peer FROM conversations;

    CREATE TABLE messages_0016 (
      id INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      conversation_id INTEGER NOT NULL REFERENCES conversations (id),
      -- Who wrote it: the sender's normalised SIP URI (mine for my own).
      sender TEXT NOT NULL CHECK (length(sender) <= 512),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      body TEXT NOT NULL CHECK (length(body) <= 16384),
      sent_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL
        CHECK (state IN ('queued', 'sending', 'sent', 'stored', 'delivered', 'read', 'failed', 'received')),
      fail_status INTEGER CHECK (fail_status IS NULL OR fail_status BETWEEN 100 AND 699),
      fail_phrase TEXT NOT NULL DEFAULT '' CHECK (length(fail_phrase) <= 64),
      call_id TEXT CHECK (call_id IS NULL OR length(call_id) <= 256),
      dedupe TEXT CHECK (dedupe IS NULL OR length(dedupe) <= 1024),
      unread INTEGER NOT NULL DEFAULT 0 CHECK (unread IN (0, 1)),
      imdn_id TEXT CHECK (imdn_id IS NULL OR length(imdn_id) <= 256),
      want_display INTEGER NOT NULL DEFAULT 0 CHECK (want_display IN (0, 1))
    ) STRICT;
    INSERT INTO messages_0016 (id, owner, conversation_id, sender, direction, body, sent_at, created_at, state,
                               fail_status, fail_phrase, call_id, dedupe, unread, imdn_id, want_display)
      SELECT m.id, m.owner, c.id, CASE m.direction WHEN 'in' THEN m.peer ELSE m.owner END, m.direction, m.body, m.sent_at,
             m.created_at, m.state, m.fail_status, m.fail_phrase, m.call_id, m.dedupe, m.unread, m.imdn_id, m.want_display
        FROM messages m JOIN conversations c ON c.owner = m.owner AND c.kind = 'direct' AND c.peer = m.peer;

    CREATE TABLE message_recipients (
      message_id INTEGER NOT NULL REFERENCES messages_0016 (id) ON DELETE CASCADE,
      recipient TEXT NOT NULL CHECK (length(recipient) <= 512),
      state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'stored', 'delivered', 'read', 'failed')),
      PRIMARY KEY (message_id, recipient)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO message_recipients (message_id, recipient, state)
      SELECT id, peer, CASE state WHEN 'sending' THEN 'queued' ELSE state END FROM messages WHERE direction = 'out';

    DROP TABLE messages;
    ALTER TABLE messages_0016 RENAME TO messages;
    DROP TABLE conversations_0015;

    CREATE UNIQUE INDEX messages_dedupe ON messages (owner, dedupe) WHERE dedupe IS NOT NULL;
    CREATE INDEX messages_conversation ON messages (conversation_id, id);
    CREATE INDEX messages_unread ON messages (conversation_id) WHERE unread = 1;
    CREATE INDEX messages_call_id ON messages (owner, call_id) WHERE call_id IS NOT NULL;
    CREATE INDEX messages_imdn_id ON messages (owner, imdn_id) WHERE imdn_id IS NOT NULL;
    CREATE INDEX message_recipients_outbox ON message_recipients (message_id) WHERE state = 'queued';

    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
      INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
    END;

    CREATE TRIGGER conversations_insert AFTER INSERT ON messages BEGIN
      UPDATE conversations SET last_id = max(coalesce(last_id, 0), new.id), unread = unread + new.unread WHERE id = new.conversation_id;
    END;
    CREATE TRIGGER conversations_unread AFTER UPDATE OF unread ON messages WHEN old.unread != new.unread BEGIN
      UPDATE conversations SET unread = unread + new.unread - old.unread WHERE id = new.conversation_id;
    END;
    CREATE TRIGGER conversations_delete AFTER DELETE ON messages BEGIN
      UPDATE conversations
        SET unread = unread - old.unread,
            last_id = (SELECT max(id) FROM messages WHERE conversation_id = old.conversation_id)
        WHERE id = old.conversation_id;
    END;
  `);
}
