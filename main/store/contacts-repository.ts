import type { Database } from 'better-sqlite3';
import type { ContactGroup, ContactPhones, WatcherDecision } from '../../shared/domain/contacts.js';
import { prepared } from './statements.js';

/** The default group's name when an owner gets one. */
export const DEFAULT_GROUP_NAME = 'Contacts';

export interface ContactRecord {
  readonly id: number;
  readonly uri: string;
  readonly displayName: string;
  readonly groupId: number;
  readonly phones: ContactPhones;
}

export interface WatcherRecord {
  readonly uri: string;
  readonly displayName: string;
  readonly decision: WatcherDecision;
  readonly requestedAt: number | null;
}

/** The owner's groups, the default first, then by name; creates the default group if missing. */
export function listGroups(db: Database, owner: string): ContactGroup[] {
  ensureDefaultGroup(db, owner);
  return prepared<[string], { id: number; name: string; is_default: number; collapsed: number }>(
    db,
    'SELECT id, name, is_default, collapsed FROM contact_groups WHERE owner = ? ORDER BY is_default DESC, name COLLATE NOCASE',
  )
    .all(owner)
    .map((row) => ({ id: row.id, name: row.name, isDefault: row.is_default === 1, collapsed: row.collapsed === 1 }));
}

/** The default group's id (created on first use). */
export function ensureDefaultGroup(db: Database, owner: string, now = Date.now()): number {
  const row = prepared<[string], { id: number }>(db, 'SELECT id FROM contact_groups WHERE owner = ? AND is_default = 1').get(owner);
  if (row) return row.id;
  return Number(
    prepared(db, 'INSERT INTO contact_groups (owner, name, is_default, created_at) VALUES (?, ?, 1, ?)').run(owner, DEFAULT_GROUP_NAME, now)
      .lastInsertRowid,
  );
}

export function findGroupByName(db: Database, owner: string, name: string): ContactGroup | undefined {
  const row = prepared<[string, string], { id: number; name: string; is_default: number; collapsed: number }>(
    db,
    'SELECT id, name, is_default, collapsed FROM contact_groups WHERE owner = ? AND name = ? COLLATE NOCASE',
  ).get(owner, name);
  return row && { id: row.id, name: row.name, isDefault: row.is_default === 1, collapsed: row.collapsed === 1 };
}

export function groupExists(db: Database, owner: string, id: number): boolean {
  return prepared(db, 'SELECT 1 FROM contact_groups WHERE owner = ? AND id = ?').get(owner, id) !== undefined;
}

export function createGroup(db: Database, owner: string, name: string, now = Date.now()): number {
  return Number(
    prepared(db, 'INSERT INTO contact_groups (owner, name, created_at) VALUES (?, ?, ?)').run(owner, name, now).lastInsertRowid,
  );
}

export function renameGroup(db: Database, owner: string, id: number, name: string): boolean {
  return prepared(db, 'UPDATE contact_groups SET name = ? WHERE owner = ? AND id = ?').run(name, owner, id).changes === 1;
}

/** Folds a group away in the list, or opens it again. */
export function setGroupCollapsed(db: Database, owner: string, id: number, collapsed: boolean): boolean {
  return prepared(db, 'UPDATE contact_groups SET collapsed = ? WHERE owner = ? AND id = ?').run(collapsed ? 1 : 0, owner, id).changes === 1;
}

/** Deletes a (non-default) group; its contacts move to the default group. */
export function deleteGroup(db: Database, owner: string, id: number): boolean {
  return db.transaction(() => {
    const target = ensureDefaultGroup(db, owner);
    if (id === target) return false;
    prepared(db, 'UPDATE contacts SET group_id = ? WHERE owner = ? AND group_id = ?').run(target, owner, id);
    return prepared(db, 'DELETE FROM contact_groups WHERE owner = ? AND id = ? AND is_default = 0').run(owner, id).changes === 1;
  })();
}

interface ContactRow {
  id: number;
  uri: string;
  display_name: string;
  group_id: number;
  work_phone: string | null;
  mobile_phone: string | null;
}

const CONTACT_COLUMNS = 'SELECT id, uri, display_name, group_id, work_phone, mobile_phone FROM contacts';

function toContact(row: ContactRow): ContactRecord {
  const phones = {
    ...(row.work_phone ? { work: row.work_phone } : {}),
    ...(row.mobile_phone ? { mobile: row.mobile_phone } : {}),
  };
  return { id: row.id, uri: row.uri, displayName: row.display_name, groupId: row.group_id, phones };
}

export function listContacts(db: Database, owner: string): ContactRecord[] {
  return prepared<[string], ContactRow>(db, `${CONTACT_COLUMNS} WHERE owner = ? ORDER BY id`).all(owner).map(toContact);
}

export function findContact(db: Database, owner: string, uri: string): ContactRecord | undefined {
  const row = prepared<[string, string], ContactRow>(db, `${CONTACT_COLUMNS} WHERE owner = ? AND uri = ?`).get(owner, uri);
  return row && toContact(row);
}

/** The contact with this phone number (E.164) as work or mobile number; the oldest when several share it. */
export function findContactByPhone(db: Database, owner: string, e164: string): ContactRecord | undefined {
  // Two partial indexes, one per column: a UNION of indexed lookups rather than an OR that scans.
  const row = prepared<[string, string, string, string], ContactRow>(
    db,
    `${CONTACT_COLUMNS} WHERE id IN (SELECT id FROM contacts WHERE owner = ? AND work_phone = ?
                                     UNION SELECT id FROM contacts WHERE owner = ? AND mobile_phone = ?) ORDER BY id LIMIT 1`,
  ).get(owner, e164, owner, e164);
  return row && toContact(row);
}

export function getContact(db: Database, owner: string, id: number): ContactRecord | undefined {
  const row = prepared<[string, number], ContactRow>(db, `${CONTACT_COLUMNS} WHERE owner = ? AND id = ?`).get(owner, id);
  return row && toContact(row);
}

export function insertContact(db: Database, owner: string, uri: string, displayName: string, groupId: number, now = Date.now()): number {
  return Number(
    prepared(db, 'INSERT INTO contacts (owner, uri, display_name, group_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
      owner,
      uri,
      displayName,
      groupId,
      now,
    ).lastInsertRowid,
  );
}

export function updateContact(
  db: Database,
  owner: string,
  id: number,
  changes: { displayName?: string; groupId?: number; phones?: ContactPhones },
): boolean {
  const current = getContact(db, owner, id);
  if (!current) return false;
  const phones = changes.phones ?? current.phones;
  prepared(db, 'UPDATE contacts SET display_name = ?, group_id = ?, work_phone = ?, mobile_phone = ? WHERE owner = ? AND id = ?').run(
    changes.displayName ?? current.displayName,
    changes.groupId ?? current.groupId,
    phones.work ?? null,
    phones.mobile ?? null,
    owner,
    id,
  );
  return true;
}

export function deleteContact(db: Database, owner: string, id: number): boolean {
  return prepared(db, 'DELETE FROM contacts WHERE owner = ? AND id = ?').run(owner, id).changes === 1;
}

export function listWatchers(db: Database, owner: string): WatcherRecord[] {
  return prepared<[string], { uri: string; display_name: string; decision: WatcherDecision; requested_at: number | null }>(
    db,
    'SELECT uri, display_name, decision, requested_at FROM watchers WHERE owner = ? ORDER BY requested_at, uri',
  )
    .all(owner)
    .map((row) => ({ uri: row.uri, displayName: row.display_name, decision: row.decision, requestedAt: row.requested_at }));
}

export function getWatcher(db: Database, owner: string, uri: string): WatcherRecord | undefined {
  const row = prepared<[string, string], { uri: string; display_name: string; decision: WatcherDecision; requested_at: number | null }>(
    db,
    'SELECT uri, display_name, decision, requested_at FROM watchers WHERE owner = ? AND uri = ?',
  ).get(owner, uri);
  return row && { uri: row.uri, displayName: row.display_name, decision: row.decision, requestedAt: row.requested_at };
}

/** How many requests wait for my answer. */
export function countPendingWatchers(db: Database, owner: string): number {
  return prepared<[string], { n: number }>(db, "SELECT COUNT(*) AS n FROM watchers WHERE owner = ? AND decision = 'pending'").get(owner)!.n;
}

/** A page of the requests waiting for my answer, oldest first. */
export function pagePendingWatchers(db: Database, owner: string, offset: number, limit: number): WatcherRecord[] {
  return prepared<[string, number, number], { uri: string; display_name: string; decision: WatcherDecision; requested_at: number | null }>(
    db,
    "SELECT uri, display_name, decision, requested_at FROM watchers WHERE owner = ? AND decision = 'pending' ORDER BY requested_at, uri LIMIT ? OFFSET ?",
  )
    .all(owner, limit, offset)
    .map((row) => ({ uri: row.uri, displayName: row.display_name, decision: row.decision, requestedAt: row.requested_at }));
}

/** Records a request to watch me; an existing decision is kept (a request never undoes a decision). */
export function recordWatchRequest(db: Database, owner: string, uri: string, displayName: string, now = Date.now()): boolean {
  return (
    prepared(
      db,
      `INSERT INTO watchers (owner, uri, display_name, decision, requested_at) VALUES (?, ?, ?, 'pending', ?)
         ON CONFLICT (owner, uri) DO NOTHING`,
    ).run(owner, uri, displayName, now).changes === 1
  );
}

/** Records my decision about a watcher (creating the row when I decide before they ask). */
export function decideWatcher(
  db: Database,
  owner: string,
  uri: string,
  decision: Exclude<WatcherDecision, 'pending'>,
  now = Date.now(),
): void {
  prepared(
    db,
    `INSERT INTO watchers (owner, uri, decision, decided_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (owner, uri) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at`,
  ).run(owner, uri, decision, now);
}
