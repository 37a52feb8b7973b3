import { CALL_END_REASONS, CallEndReason } from '../../../shared/domain/calls.js';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { getAccount, saveAccount, setAutoSignIn } from '../../../main/store/account-repository.js';
import { DEFAULT_ACCOUNT_STATE, getAccountState, updateAccountState } from '../../../main/store/account-state-repository.js';
import { openDatabase } from '../../../main/store/db.js';
import { migrate, SCHEMA_VERSION } from '../../../main/store/migrations/index.js';
import { getSetting, setSetting } from '../../../main/store/settings-repository.js';
import { findContact, findContactByPhone, listGroups, setGroupCollapsed } from '../../../main/store/contacts-repository.js';
import { getUiSettings, setUiSettings } from '../../../main/store/ui-settings-repository.js';
import { callHistory, markMissedSeen, recordCall, unseenMissed } from '../../../main/store/call-history-repository.js';
import {
  applySendEvent,
  blockSender,
  conversations,
  deleteConversation,
  directConversation,
  findDirectConversation,
  history,
  insertIncoming,
  insertOutgoing,
  nextInOutbox,
  isSenderBlocked,
  markRead,
  searchMessages,
  unreadCount,
} from '../../../main/store/messages-repository.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
  dirs.push(dir);
  return join(dir, 'parley.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migration 0001: account and settings', () => {
  test('creates STRICT tables and records the version', () => {
    const db = new Database(tempFile());
    migrate(db, 1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const strict = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    expect(strict).toEqual(
      expect.arrayContaining([
        { name: 'account', strict: 1 },
        { name: 'settings', strict: 1 },
      ]),
    );
    // STRICT: a wrong type is an error, not a silent conversion.
    expect(() =>
      db.prepare("INSERT INTO account (id, uri, server, updated_at) VALUES (1, 'sip:a@b', 'wss://b', 'yesterday')").run(),
    ).toThrow(/cannot store TEXT/);
    // One account only.
    db.prepare("INSERT INTO account (id, uri, server, updated_at) VALUES (1, 'sip:a@b', 'wss://b', 0)").run();
    expect(() => db.prepare("INSERT INTO account (id, uri, server, updated_at) VALUES (2, 'sip:c@d', 'wss://d', 0)").run()).toThrow(
      /CHECK/,
    );
    // No column could hold a password.
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('account')")
      .all()
      .map((c) => c.name);
    expect(columns.filter((name) => /^(pass|password|secret|credentials?|ha1)$/.test(name))).toEqual([]);
    expect(columns).toContain('remember_password');
    db.close();
  });
});

describe('migration 0002: contacts, groups and watchers', () => {
  test('applies on top of 0001 with existing data, STRICT, one default group per owner, unique contacts', () => {
    const db = new Database(tempFile());
    migrate(db, 1);
    db.prepare("INSERT INTO account (id, uri, server, updated_at) VALUES (1, 'sip:a@b', 'wss://b', 0)").run();
    migrate(db, 2);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(getAccount(db)).toMatchObject({ uri: 'sip:a@b' });
    const tables = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    for (const name of ['contact_groups', 'contacts', 'watchers']) expect(tables).toContainEqual({ name, strict: 1 });
    const group = (name: string, isDefault: number) =>
      db.prepare('INSERT INTO contact_groups (owner, name, is_default, created_at) VALUES (?, ?, ?, 0)').run('sip:a@b', name, isDefault);
    group('Contacts', 1);
    expect(() => group('Other', 1)).toThrow(/UNIQUE/);
    expect(() => group('contacts', 0)).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO contacts (owner, uri, group_id, created_at) VALUES ('sip:a@b', 'sip:c@d', 1, 0)").run();
    expect(() => db.prepare("INSERT INTO contacts (owner, uri, group_id, created_at) VALUES ('sip:a@b', 'sip:c@d', 1, 0)").run()).toThrow(
      /UNIQUE/,
    );
    // Another account may have the same contact.
    db.prepare("INSERT INTO contacts (owner, uri, group_id, created_at) VALUES ('sip:x@b', 'sip:c@d', 1, 0)").run();
    expect(() => db.prepare("INSERT INTO watchers (owner, uri, decision) VALUES ('sip:a@b', 'sip:c@d', 'maybe')").run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 0003: per-account state', () => {
  test('moves the global presence settings to the remembered account and keyed settings to theirs; the rest stays', () => {
    const db = new Database(tempFile());
    migrate(db, 2);
    db.prepare("INSERT INTO account (id, uri, server, updated_at) VALUES (1, 'sip:a@b', 'wss://b', 0)").run();
    const set = (key: string, value: unknown) => setSetting(db, key, value);
    set('presence.status', 'dnd');
    set('presence.note', 'Focus');
    set('presence.idleMinutes', 25);
    set('xcapRoot:sip:a@b', 'https://b/xcap');
    set('presRules.dirty:sip:a@b', true);
    set('xcapRoot:sip:other@b', 'https://other/xcap');
    set('window.bounds', { x: 1 });
    migrate(db, 3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    // Read as the table stands at version 3 (the repository speaks the latest schema).
    const row = (owner: string) =>
      db.prepare('SELECT status, note, idle_minutes, xcap_root, pres_rules_dirty FROM account_state WHERE owner = ?').get(owner);
    expect(row('sip:a@b')).toEqual({ status: 'dnd', note: 'Focus', idle_minutes: 25, xcap_root: 'https://b/xcap', pres_rules_dirty: 1 });
    expect(row('sip:other@b')).toMatchObject({ status: 'available', xcap_root: 'https://other/xcap', pres_rules_dirty: 0 });
    const keys = db
      .prepare<[], { key: string }>('SELECT key FROM settings ORDER BY key')
      .all()
      .map((r) => r.key);
    expect(keys).toEqual(['window.bounds']);
    const table = db.prepare<[], { strict: number }>("SELECT strict FROM pragma_table_list WHERE name = 'account_state'").get();
    expect(table?.strict).toBe(1);
    expect(() => db.prepare("UPDATE account_state SET status = 'flying' WHERE owner = 'sip:a@b'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE account_state SET idle_minutes = 100000 WHERE owner = 'sip:a@b'").run()).toThrow(/CHECK/);
    db.close();
  });

  test('a value the new table refuses is dropped, not fatal; without an account the global presence settings go', () => {
    const db = new Database(tempFile());
    migrate(db, 2);
    setSetting(db, 'presence.status', 'flying');
    setSetting(db, 'xcapRoot:sip:a@b', 42);
    migrate(db, 3);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT status, xcap_root FROM account_state WHERE owner = 'sip:a@b'").get()).toEqual({
      status: 'available',
      xcap_root: '',
    });
    db.close();
  });

  test("state is per account: one account's Do not disturb is not another's", () => {
    const db = openDatabase(tempFile());
    updateAccountState(db, 'sip:a@b', { status: 'dnd', note: 'away' });
    expect(getAccountState(db, 'sip:c@d')).toEqual(DEFAULT_ACCOUNT_STATE);
    expect(getAccountState(db, 'sip:a@b')).toMatchObject({ status: 'dnd', note: 'away', idleMinutes: 10 });
    db.close();
  });
});

describe('migration 0004: a trusted certificate per account', () => {
  test('adds an empty fingerprint to existing accounts, bounded in length; state round-trips', () => {
    const db = new Database(tempFile());
    migrate(db, 3);
    db.prepare("INSERT INTO account_state (owner, status) VALUES ('sip:a@b', 'busy')").run();
    migrate(db, 4);
    expect(db.prepare("SELECT status, trusted_cert FROM account_state WHERE owner = 'sip:a@b'").get()).toEqual({
      status: 'busy',
      trusted_cert: '',
    });
    // The repository speaks the latest schema.
    migrate(db);
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    updateAccountState(db, 'sip:a@b', { trustedCertificate: fingerprint });
    expect(getAccountState(db, 'sip:a@b').trustedCertificate).toBe(fingerprint);
    expect(() => updateAccountState(db, 'sip:a@b', { trustedCertificate: 'x'.repeat(200) })).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 0005: collapsed groups', () => {
  test('existing groups start open; the flag round-trips per owner and refuses other values', () => {
    const db = new Database(tempFile());
    migrate(db, 4);
    db.prepare("INSERT INTO contact_groups (owner, name, is_default, created_at) VALUES ('sip:a@b', 'Contacts', 1, 0)").run();
    db.prepare("INSERT INTO contact_groups (owner, name, created_at) VALUES ('sip:a@b', 'Vendors', 0)").run();
    migrate(db, 5);
    expect(listGroups(db, 'sip:a@b').map((g) => [g.name, g.collapsed])).toEqual([
      ['Contacts', false],
      ['Vendors', false],
    ]);
    const vendors = listGroups(db, 'sip:a@b').find((g) => g.name === 'Vendors')!;
    expect(setGroupCollapsed(db, 'sip:a@b', vendors.id, true)).toBe(true);
    // Another account cannot fold my group.
    expect(setGroupCollapsed(db, 'sip:x@y', vendors.id, false)).toBe(false);
    expect(listGroups(db, 'sip:a@b').find((g) => g.id === vendors.id)?.collapsed).toBe(true);
    expect(() => db.prepare('UPDATE contact_groups SET collapsed = 2').run()).toThrow(/CHECK/);
    db.close();
  });
});

/** An incoming message as schema 6 to 14 stored it (the repository writes today's schema only). */
function rawIncoming(db: Database.Database, owner: string, peer: string, text: string, unread: boolean): { id: number } {
  const info = db
    .prepare(
      "INSERT INTO messages (owner, peer, direction, body, sent_at, created_at, state, dedupe, unread) VALUES (?, ?, 'in', ?, 1, 1, 'received', ?, ?)",
    )
    .run(owner, peer, text, `${owner}|${text}`, unread ? 1 : 0);
  return { id: Number(info.lastInsertRowid) };
}

describe('migrations 0006 and 0007: messages and blocked senders', () => {
  test('STRICT tables; an incoming message is stored once per dedupe key; a block is kept per owner', () => {
    const db = new Database(tempFile());
    migrate(db, 5);
    migrate(db, 7);
    const strict = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE name IN ('messages', 'message_blocks')",
      )
      .all();
    expect(strict).toEqual(
      expect.arrayContaining([
        { name: 'messages', strict: 1 },
        { name: 'message_blocks', strict: 1 },
      ]),
    );
    // (the repository reads today's schema)
    migrate(db);
    const message = (owner: string) => ({
      conversationId: directConversation(db, owner, 'sip:b@c', 1).id,
      sender: 'sip:b@c',
      text: 'hi',
      sentAt: 1,
      dedupe: 'call|1|sip:b@c',
      unread: true,
    });
    expect(insertIncoming(db, 'sip:a@c', message('sip:a@c'), 2)).toMatchObject({ text: 'hi', state: 'received' });
    expect(insertIncoming(db, 'sip:a@c', message('sip:a@c'), 3)).toBeUndefined();
    // Another account may hold the same key.
    expect(insertIncoming(db, 'sip:x@c', message('sip:x@c'), 3)).toBeDefined();
    expect(() => db.prepare("UPDATE messages SET state = 'lost'").run()).toThrow(/CHECK/);
    blockSender(db, 'sip:a@c', 'sip:spam@x', 4);
    expect(isSenderBlocked(db, 'sip:a@c', 'sip:spam@x')).toBe(true);
    expect(isSenderBlocked(db, 'sip:x@c', 'sip:spam@x')).toBe(false);
    db.close();
  });
});

describe('migration 0008: message search', () => {
  test('indexes the messages already there and follows inserts and deletes', () => {
    const db = new Database(tempFile());
    migrate(db, 7);
    rawIncoming(db, 'sip:a@c', 'sip:b@c', 'old pineapple note', false);
    migrate(db, 8);
    // (the repository reads today's schema)
    migrate(db);
    expect(searchMessages(db, 'sip:a@c', 'pineap', 10).map((m) => m.text)).toEqual(['old pineapple note']);
    const conversationId = directConversation(db, 'sip:a@c', 'sip:b@c', 2).id;
    insertIncoming(db, 'sip:a@c', { conversationId, sender: 'sip:b@c', text: 'new pineapple', sentAt: 2, dedupe: 'k2', unread: false }, 2);
    expect(searchMessages(db, 'sip:a@c', 'pineapple', 10).map((m) => m.text)).toEqual(['new pineapple', 'old pineapple note']);
    db.prepare("DELETE FROM messages WHERE body = 'old pineapple note'").run();
    expect(searchMessages(db, 'sip:a@c', 'pineapple', 10).map((m) => m.text)).toEqual(['new pineapple']);
    db.close();
  });
});

describe('migration 0009: conversations', () => {
  test('summarises the messages already there, then follows new messages, reading and deleting', () => {
    const db = new Database(tempFile());
    migrate(db, 8);
    rawIncoming(db, 'sip:a@c', 'sip:b@c', 'b1', true);
    const b2 = rawIncoming(db, 'sip:a@c', 'sip:b@c', 'b2', true);
    rawIncoming(db, 'sip:a@c', 'sip:d@c', 'd1', false);
    rawIncoming(db, 'sip:x@c', 'sip:b@c', 'other account', true);
    migrate(db, 9);
    // (the repository reads today's schema)
    migrate(db);
    const withPeer = (peer: string) => directConversation(db, 'sip:a@c', peer, 1).id;
    const incoming = (peer: string, text: string, unread: boolean) =>
      insertIncoming(db, 'sip:a@c', { conversationId: withPeer(peer), sender: peer, text, sentAt: 1, dedupe: text, unread }, 1)!;
    expect(db.prepare<[], { strict: number }>("SELECT strict FROM pragma_table_list WHERE name = 'conversations'").get()).toEqual({
      strict: 1,
    });
    const summary = () =>
      conversations(db, 'sip:a@c').map(({ conversation, last, unread }) => [conversation.members[0], last.text, unread]);
    expect(summary()).toEqual([
      ['sip:d@c', 'd1', 0],
      ['sip:b@c', 'b2', 2],
    ]);
    expect(unreadCount(db, 'sip:a@c')).toBe(2);

    incoming('sip:b@c', 'b3', true);
    expect(summary()[0]).toEqual(['sip:b@c', 'b3', 3]);
    markRead(db, 'sip:a@c', withPeer('sip:b@c'));
    expect(summary()[0]).toEqual(['sip:b@c', 'b3', 0]);
    expect(unreadCount(db, 'sip:a@c')).toBe(0);
    // Deleting the newest message makes the one before it the last.
    const b4 = incoming('sip:b@c', 'b4', true);
    db.prepare('DELETE FROM messages WHERE id = ?').run(b4.id);
    expect(summary()[0]).toEqual(['sip:b@c', 'b3', 0]);
    deleteConversation(db, 'sip:a@c', withPeer('sip:b@c'));
    expect(summary()).toEqual([['sip:d@c', 'd1', 0]]);
    // The other account's conversation with b is untouched.
    expect(conversations(db, 'sip:x@c').map(({ last, unread }) => [last.text, unread])).toEqual([['other account', 1]]);
    expect(b2.id).toBeGreaterThan(0);
    db.close();
  });
});

describe('migration 0010: call history', () => {
  test('STRICT; a missed call starts unseen and counts by peer until seen; other outcomes are seen', () => {
    const db = new Database(tempFile());
    migrate(db, 9);
    migrate(db, 10);
    expect(db.prepare<[], { strict: number }>("SELECT strict FROM pragma_table_list WHERE name = 'call_history'").get()).toEqual({
      strict: 1,
    });
    // (the repository reads today's schema)
    migrate(db);
    const call = {
      peer: 'sip:b@c',
      peerName: '',
      direction: 'in',
      video: false,
      startedAt: 1,
      endedAt: 2,
      end: { reason: CallEndReason.Missed },
    } as const;
    recordCall(db, 'sip:a@c', { ...call, outcome: 'missed' });
    recordCall(db, 'sip:a@c', { ...call, outcome: 'missed' });
    recordCall(db, 'sip:a@c', { ...call, peer: 'sip:d@c', outcome: 'answered', connectedAt: 1 });
    recordCall(db, 'sip:x@c', { ...call, outcome: 'missed' });
    expect(unseenMissed(db, 'sip:a@c')).toEqual({ 'sip:b@c': 2 });
    expect(callHistory(db, 'sip:a@c', 10).map((r) => [r.peer, r.outcome, r.seen])).toEqual([
      ['sip:d@c', 'answered', true],
      ['sip:b@c', 'missed', false],
      ['sip:b@c', 'missed', false],
    ]);
    expect(markMissedSeen(db, 'sip:a@c')).toBe(2);
    expect(unseenMissed(db, 'sip:a@c')).toEqual({});
    // Another account's missed call is its own.
    expect(unseenMissed(db, 'sip:x@c')).toEqual({ 'sip:b@c': 1 });
    expect(() => db.prepare("UPDATE call_history SET outcome = 'lost'").run()).toThrow(/CHECK/);
    // Bounded: beyond `keep` calls (10,000 by default), the oldest go; other accounts' stay.
    for (let i = 0; i < 5; i++) recordCall(db, 'sip:a@c', { ...call, peer: `sip:flood${i}@c`, outcome: 'missed' }, 3);
    expect(callHistory(db, 'sip:a@c', 10).map((r) => r.peer)).toEqual(['sip:flood4@c', 'sip:flood3@c', 'sip:flood2@c']);
    expect(callHistory(db, 'sip:x@c', 10)).toHaveLength(1);
    db.close();
  });
});

describe('migration 0011: contact phone numbers', () => {
  test('existing contacts keep their rows with no numbers; numbers must be E.164; found through the indexes', () => {
    const db = new Database(tempFile());
    migrate(db, 10);
    const group = listGroups(db, 'sip:a@c')[0]!.id;
    db.prepare("INSERT INTO contacts (owner, uri, display_name, group_id, created_at) VALUES ('sip:a@c', 'sip:b@c', 'Bob', ?, 1)").run(
      group,
    );
    migrate(db, 11);
    expect(findContact(db, 'sip:a@c', 'sip:b@c')).toMatchObject({ displayName: 'Bob', phones: {} });
    expect(() => db.prepare("UPDATE contacts SET work_phone = '020 7946 0000'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE contacts SET mobile_phone = '+4420794600001234567'").run()).toThrow(/CHECK/);
    db.prepare("UPDATE contacts SET mobile_phone = '+447700900123'").run();
    expect(findContactByPhone(db, 'sip:a@c', '+447700900123')?.uri).toBe('sip:b@c');
    expect(findContactByPhone(db, 'sip:x@c', '+447700900123')).toBeUndefined();
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE owner = 'sip:a@c' AND mobile_phone = '+447700900123'",
      )
      .all()
      .map((row) => row.detail)
      .join(' ');
    expect(plan).toMatch(/USING (COVERING )?INDEX contacts_mobile_phone/);
    db.close();
  });
});

describe('migration 0012: STUN/TURN servers per account', () => {
  test('existing account state keeps its values and gets no servers; the columns are bounded', () => {
    const db = new Database(tempFile());
    migrate(db, 11);
    db.prepare("INSERT INTO account_state (owner, note) VALUES ('sip:a@c', 'hi')").run();
    migrate(db, 12);
    expect(db.prepare('SELECT note, ice_servers, ice_user FROM account_state').get()).toEqual({
      note: 'hi',
      ice_servers: '',
      ice_user: '',
    });
    expect(() => db.prepare('UPDATE account_state SET ice_user = ?').run('u'.repeat(257))).toThrow(/CHECK/);
    // (the repository reads today's schema)
    migrate(db);
    updateAccountState(db, 'sip:a@c', { iceServers: 'turn:t.example.com', iceUser: 'u' });
    expect(getAccountState(db, 'sip:a@c')).toMatchObject({ note: 'hi', iceServers: 'turn:t.example.com', iceUser: 'u' });
    expect(() => db.prepare('UPDATE account_state SET ice_user = ?').run('u'.repeat(257))).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 0013: the phone gateway per account', () => {
  test('existing account state keeps its values and names no gateway; the column is bounded', () => {
    const db = new Database(tempFile());
    migrate(db, 12);
    db.prepare("INSERT INTO account_state (owner, note, ice_user) VALUES ('sip:a@c', 'hi', 'u')").run();
    migrate(db, 13);
    expect(getAccountState(db, 'sip:a@c')).toMatchObject({ note: 'hi', iceUser: 'u', gateway: '' });
    updateAccountState(db, 'sip:a@c', { gateway: 'pstn.example.com' });
    expect(getAccountState(db, 'sip:a@c')).toMatchObject({ note: 'hi', iceUser: 'u', gateway: 'pstn.example.com' });
    expect(() => db.prepare('UPDATE account_state SET gateway = ?').run('g'.repeat(254))).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 0014: how a call ended is a value, not a sentence', () => {
  test('every sentence earlier releases stored reads back as its value (status and target kept); unknown or empty ones by outcome; values are checked', () => {
    const db = new Database(tempFile());
    migrate(db, 13);
    const insert = db.prepare(
      "INSERT INTO call_history (owner, peer, direction, started_at, ended_at, outcome, reason) VALUES ('sip:a@c', 'sip:b@c', ?, 1, 2, ?, ?)",
    );
    const stored: [string, string, string][] = [
      ['out', 'busy', 'Busy'],
      ['in', 'declined', 'Declined'],
      ['out', 'cancelled', 'No answer'],
      ['out', 'failed', 'The server could not connect the call (503)'],
      ['out', 'failed', 'The call failed (499)'],
      ['out', 'failed', 'Forwarded to +4930123456'],
      ['out', 'failed', "The call was forwarded somewhere Parley can't follow (305)."],
      ['in', 'missed', 'Missed while in Do not disturb'],
      [
        'in',
        'missed',
        "Missed: their phone's media is not encrypted for the web (no DTLS-SRTP/ICE); the server needs a media relay for calls with it",
      ],
      ['in', 'answered', 'Call lost: the connection to the server dropped and did not come back'],
      [
        'out',
        'failed',
        "Parley isn't allowed to use your microphone or camera. Allow it in your browser or system settings, then call again.",
      ],
      ['out', 'answered', 'They hung up'],
      ['in', 'missed', ''],
      ['out', 'failed', 'Something no release ever said'],
    ];
    for (const [direction, outcome, reason] of stored) insert.run(direction, outcome, reason);
    migrate(db, 14);
    expect(
      callHistory(db, 'sip:a@c', 50)
        .reverse()
        .map((record) => record.end),
    ).toEqual([
      { reason: 'busy' },
      { reason: 'declined' },
      { reason: 'noAnswer' },
      { reason: 'serverFailure', status: 503 },
      { reason: 'failed', status: 499 },
      { reason: 'forwarded', target: '+4930123456' },
      { reason: 'forwardUnfollowable', status: 305 },
      { reason: 'missedDnd' },
      { reason: 'missedPlainRtp' },
      { reason: 'serverLost' },
      { reason: 'mediaNotAllowed' },
      { reason: 'remoteHungUp' },
      { reason: 'missed' },
      { reason: 'failed' },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM pragma_table_info('call_history') WHERE name = 'reason'").get()).toEqual({ n: 0 });
    expect(() => db.prepare("UPDATE call_history SET end_reason = 'Busy'").run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE call_history SET end_status = 42').run()).toThrow(/CHECK/);
    // Every value the code has is one the table takes.
    for (const reason of CALL_END_REASONS) db.prepare('UPDATE call_history SET end_reason = ? WHERE id = 1').run(reason);
    db.close();
  });
});

describe('migration 0015: why a message failed is a value, not a sentence', () => {
  test('each sentence earlier releases stored reads back as the status that said it (a phrase kept for others); values are checked', () => {
    const db = new Database(tempFile());
    migrate(db, 14);
    const insert = db.prepare(
      "INSERT INTO messages (owner, peer, direction, body, sent_at, created_at, state, error) VALUES ('sip:a@c', 'sip:b@c', 'out', ?, 1, 1, ?, ?)",
    );
    insert.run('first', 'failed', 'There is no such user.');
    insert.run('second', 'failed', 'They are not signed in.');
    insert.run('third', 'failed', 'It was refused (499 Nope).');
    insert.run('fourth', 'failed', 'It was refused (420).');
    insert.run('fifth', 'delivered', '');
    migrate(db, 15);
    const stored = db.prepare('SELECT body, fail_status, fail_phrase FROM messages ORDER BY id').all();
    expect(stored).toEqual([
      { body: 'first', fail_status: 404, fail_phrase: '' },
      { body: 'second', fail_status: 480, fail_phrase: '' },
      { body: 'third', fail_status: 499, fail_phrase: 'Nope' },
      { body: 'fourth', fail_status: 420, fail_phrase: '' },
      { body: 'fifth', fail_status: null, fail_phrase: '' },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM pragma_table_info('messages') WHERE name = 'error'").get()).toEqual({ n: 0 });
    expect(() => db.prepare('UPDATE messages SET fail_status = 1000').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE messages SET fail_phrase = ?').run('x'.repeat(65))).toThrow(/CHECK/);
    // Search still finds them (the full-text index is untouched).
    migrate(db);
    expect(searchMessages(db, 'sip:a@c', 'third', 10).map((m) => [m.text, m.failure])).toEqual([
      ['third', { status: 499, phrase: 'Nope' }],
    ]);
    db.close();
  });
});

describe('migration 0016: conversations have ids and members; my messages have recipients', () => {
  test('a database from the release before keeps its history, unread counts, search and outbox, now by conversation', () => {
    const db = new Database(tempFile());
    migrate(db, 15);
    const insert = db.prepare(
      `INSERT INTO messages (owner, peer, direction, body, sent_at, created_at, state, unread, fail_status, call_id, imdn_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const row = (
      owner: string,
      peer: string,
      direction: 'in' | 'out',
      body: string,
      state: string,
      unread = 0,
      failStatus: number | null = null,
    ) =>
      Number(insert.run(owner, peer, direction, body, 10, 20, state, unread, failStatus, `call-${body}`, `imdn-${body}`).lastInsertRowid);
    const b1 = row('sip:a@c', 'sip:b@c', 'in', 'hello from b', 'received', 1);
    const b2 = row('sip:a@c', 'sip:b@c', 'out', 'reply to b', 'delivered');
    const d1 = row('sip:a@c', 'sip:d@c', 'out', 'queued to d', 'queued');
    const d2 = row('sip:a@c', 'sip:d@c', 'out', 'caught sending to d', 'sending');
    const d3 = row('sip:a@c', 'sip:d@c', 'out', 'refused by d', 'failed', 0, 404);
    const b3 = row('sip:a@c', 'sip:b@c', 'in', 'unread pineapple from b', 'received', 1);
    row('sip:x@c', 'sip:b@c', 'in', 'other account', 'received', 1);
    migrate(db, 16);

    const strict = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE name IN ('conversations', 'conversation_members', 'messages', 'message_recipients')",
      )
      .all();
    expect(strict.map((t) => t.strict)).toEqual([1, 1, 1, 1]);
    expect(db.prepare("SELECT count(*) AS n FROM pragma_table_info('messages') WHERE name = 'peer'").get()).toEqual({ n: 0 });
    expect(db.pragma('foreign_key_check')).toEqual([]);

    // Each (account, person) became one direct conversation, listed newest first with its unread count.
    const listed = conversations(db, 'sip:a@c').map(({ conversation, last, unread }) => ({
      kind: conversation.kind,
      members: conversation.members,
      last: last.id,
      unread,
    }));
    expect(listed).toEqual([
      { kind: 'direct', members: ['sip:b@c'], last: b3, unread: 2 },
      { kind: 'direct', members: ['sip:d@c'], last: d3, unread: 0 },
    ]);
    expect(unreadCount(db, 'sip:a@c')).toBe(2);
    expect(unreadCount(db, 'sip:x@c')).toBe(1);
    const withB = findDirectConversation(db, 'sip:a@c', 'sip:b@c')!;
    const withD = findDirectConversation(db, 'sip:a@c', 'sip:d@c')!;
    // The same conversation is found again, not made twice.
    expect(directConversation(db, 'sip:a@c', 'sip:b@c', 99).id).toBe(withB.id);
    expect(findDirectConversation(db, 'sip:x@c', 'sip:b@c')!.id).not.toBe(withB.id);

    // History keeps its ids and order; who wrote each is said.
    expect(history(db, 'sip:a@c', withB.id, 50).map((m) => [m.id, m.sender, m.direction, m.text, m.state])).toEqual([
      [b1, 'sip:b@c', 'in', 'hello from b', 'received'],
      [b2, 'sip:a@c', 'out', 'reply to b', 'delivered'],
      [b3, 'sip:b@c', 'in', 'unread pineapple from b', 'received'],
    ]);
    expect(history(db, 'sip:a@c', withD.id, 50).map((m) => [m.id, m.state, m.failure])).toEqual([
      [d1, 'queued', undefined],
      [d2, 'sending', undefined],
      [d3, 'failed', { status: 404 }],
    ]);
    // Search finds old messages, and in their conversation.
    expect(searchMessages(db, 'sip:a@c', 'pineapple', 10).map((m) => [m.id, m.conversationId])).toEqual([[b3, withB.id]]);

    // Each of my messages has its recipient; one caught mid-send is queued again (`sending` is never stored).
    expect(db.prepare('SELECT message_id, recipient, state FROM message_recipients ORDER BY message_id').all()).toEqual([
      { message_id: b2, recipient: 'sip:b@c', state: 'delivered' },
      { message_id: d1, recipient: 'sip:d@c', state: 'queued' },
      { message_id: d2, recipient: 'sip:d@c', state: 'queued' },
      { message_id: d3, recipient: 'sip:d@c', state: 'failed' },
    ]);
    expect(nextInOutbox(db, 'sip:a@c')).toMatchObject({
      id: d1,
      recipient: 'sip:d@c',
      callId: 'call-queued to d',
      imdnId: 'imdn-queued to d',
    });

    // Reading and deleting follow the conversation, by id.
    markRead(db, 'sip:a@c', withB.id);
    expect(unreadCount(db, 'sip:a@c')).toBe(0);
    deleteConversation(db, 'sip:a@c', withD.id);
    expect(conversations(db, 'sip:a@c').map(({ conversation }) => conversation.id)).toEqual([withB.id]);
    expect(db.prepare('SELECT count(*) AS n FROM message_recipients').get()).toEqual({ n: 1 });
    expect(() =>
      db.prepare("INSERT INTO conversations (owner, kind, peer, created_at) VALUES ('sip:a@c', 'direct', NULL, 1)").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db.prepare("INSERT INTO conversations (owner, kind, peer, created_at) VALUES ('sip:a@c', 'direct', 'sip:b@c', 1)").run(),
    ).toThrow(/UNIQUE/);
    db.close();
  });

  test("a message's state moves only forward, per recipient, whatever order the answers come in", () => {
    const db = openDatabase(tempFile());
    const owner = 'sip:a@c';
    const conversation = directConversation(db, owner, 'sip:b@c', 1);
    const sent = insertOutgoing(db, owner, conversation, 'hi', { callId: 'c1', imdnId: 'i1' }, 1);
    const state = () => history(db, owner, conversation.id, 1)[0]!.state;
    // The delivery notification overtakes the 200: the 200 then changes nothing.
    expect(applySendEvent(db, owner, sent.id, 'sip:b@c', 'delivered')?.state).toBe('delivered');
    expect(applySendEvent(db, owner, sent.id, 'sip:b@c', 'answered')).toBeUndefined();
    expect(applySendEvent(db, owner, sent.id, 'sip:b@c', 'failed', { status: 408 })).toBeUndefined();
    expect(state()).toBe('delivered');
    expect(applySendEvent(db, owner, sent.id, 'sip:b@c', 'read')?.state).toBe('read');
    expect(applySendEvent(db, owner, sent.id, 'sip:b@c', 'delivered')).toBeUndefined();
    // Someone it did not go to changes nothing.
    expect(applySendEvent(db, owner, sent.id, 'sip:mallory@c', 'failed')).toBeUndefined();
    expect(state()).toBe('read');

    const second = insertOutgoing(db, owner, conversation, 'again', { callId: 'c2', imdnId: 'i2' }, 2);
    expect(applySendEvent(db, owner, second.id, 'sip:b@c', 'failed', { status: 480 })).toMatchObject({
      state: 'failed',
      failure: { status: 480 },
    });
    expect(applySendEvent(db, owner, second.id, 'sip:b@c', 'retry')).toMatchObject({ state: 'queued' });
    expect(history(db, owner, conversation.id, 1)[0]!.failure).toBeUndefined();
    expect(nextInOutbox(db, owner)?.id).toBe(second.id);
    db.close();
  });
});

describe('UI settings', () => {
  test('default, round-trip, and an unknown stored value falls back to the default', () => {
    const db = openDatabase(tempFile());
    const none = { id: '', label: '' };
    const devices = { microphone: none, speaker: none, camera: none };
    const base = { density: 'comfortable', readReceipts: true, defaultCountry: '', devices, language: 'en' };
    expect(getUiSettings(db)).toEqual(base);
    expect(setUiSettings(db, { density: 'compact' })).toEqual({ ...base, density: 'compact' });
    expect(setUiSettings(db, { readReceipts: false, defaultCountry: 'DE', language: 'en-XA' })).toEqual({
      density: 'compact',
      readReceipts: false,
      defaultCountry: 'DE',
      devices,
      language: 'en-XA',
    });
    const headset = { id: 'a1', label: 'Headset' };
    setUiSettings(db, { devices: { ...devices, microphone: headset } });
    expect(getUiSettings(db)).toEqual({
      density: 'compact',
      readReceipts: false,
      defaultCountry: 'DE',
      devices: { ...devices, microphone: headset },
      language: 'en-XA',
    });
    setSetting(db, 'ui', {
      density: 'cosy',
      readReceipts: 'yes',
      defaultCountry: 'XX',
      devices: { microphone: { id: 7 }, speaker: 'x', camera: { id: 'c', label: 'y'.repeat(300) } },
      language: 'klingon',
    });
    expect(getUiSettings(db)).toEqual(base);
    db.close();
  });
});

describe('the database file', () => {
  test('opens in WAL mode at the latest version, and re-opening changes nothing', () => {
    const file = tempFile();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    saveAccount(db, {
      uri: 'sip:alice@uc.test',
      server: 'wss://uc.test',
      authUser: '',
      displayName: 'Alice',
      rememberPassword: true,
      autoSignIn: true,
    });
    db.close();
    const again = openDatabase(file);
    expect(getAccount(again)).toMatchObject({ uri: 'sip:alice@uc.test', displayName: 'Alice', rememberPassword: true });
    again.close();
  });

  test('refuses a file written by a newer Parley instead of guessing', () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer Parley/);
  });

  test('account and settings round-trip', () => {
    const db = openDatabase(tempFile());
    expect(getAccount(db)).toBeNull();
    saveAccount(db, { uri: 'sip:a@b.c', server: 'wss://b.c', authUser: 'a1', displayName: '', rememberPassword: false, autoSignIn: true });
    saveAccount(db, { uri: 'sip:x@b.c', server: 'wss://b.c', authUser: '', displayName: 'X', rememberPassword: true, autoSignIn: true });
    setAutoSignIn(db, false);
    expect(getAccount(db)).toEqual({
      uri: 'sip:x@b.c',
      server: 'wss://b.c',
      authUser: '',
      displayName: 'X',
      rememberPassword: true,
      autoSignIn: false,
    });
    setSetting(db, 'idle.minutes', 5);
    setSetting(db, 'idle.minutes', 10);
    expect(getSetting(db, 'idle.minutes')).toBe(10);
    expect(getSetting(db, 'missing')).toBeUndefined();
    db.close();
  });
});

describe('who can read the data', () => {
  test('an existing data folder and database readable by others are tightened to this user (0700, 0600 with -wal and -shm)', async () => {
    const { Engine } = await import('../../../main/engine.js');
    const { FileSecretStore } = await import('../../../main/store/secret-store.js');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'parley-perms-')), 'data');
    dirs.push(dirname(dataDir));
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const db = new Database(join(dataDir, 'parley.sqlite'));
    db.pragma('journal_mode = WAL');
    db.close();
    chmodSync(join(dataDir, 'parley.sqlite'), 0o644);
    const engine = new Engine({ dataDir, mode: 'web', version: 'test', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of ['parley.sqlite', 'parley.sqlite-wal', 'parley.sqlite-shm']) {
        expect({ name, mode: statSync(join(dataDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      }
    } finally {
      await engine.close();
    }
  });
});
