import type { Database } from 'better-sqlite3';

/**
 * Per-account state gets a table of its own. Until now my status, note and idle minutes were global
 * settings (a second account on the machine inherited the first one's "Do not disturb"), and the
 * XCAP root and the "pres-rules not yet written" flag were settings under string-built keys.
 *
 * The old values move to their account: the global presence settings to the remembered account
 * (the only one that could have set them), the keyed ones to the account their key names. A value
 * that does not fit the new column's check is dropped rather than carried over.
 */
export function updateToSchemaVersion0003(db: Database): void {
  db.exec(`
    CREATE TABLE account_state (
      owner TEXT PRIMARY KEY,
      status TEXT NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'busy', 'dnd', 'brb', 'away', 'appearOffline')),
      note TEXT NOT NULL DEFAULT '',
      idle_minutes INTEGER NOT NULL DEFAULT 10 CHECK (idle_minutes BETWEEN 0 AND 1440),
      xcap_root TEXT NOT NULL DEFAULT '',
      pres_rules_dirty INTEGER NOT NULL DEFAULT 0 CHECK (pres_rules_dirty IN (0, 1))
    ) STRICT;
  `);
  const setting = (key: string): unknown => {
    const row = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  };
  const ensure = db.prepare('INSERT INTO account_state (owner) VALUES (?) ON CONFLICT (owner) DO NOTHING');
  const tryUpdate = (sql: string, value: unknown, owner: string) => {
    try {
      db.prepare(sql).run(value, owner);
    } catch {
      // A value the new column refuses (a status from a future build, a bad number) is dropped.
    }
  };

  const account = db.prepare<[], { uri: string }>('SELECT uri FROM account WHERE id = 1').get();
  if (account) {
    ensure.run(account.uri);
    const status = setting('presence.status');
    const note = setting('presence.note');
    const idle = setting('presence.idleMinutes');
    if (typeof status === 'string') tryUpdate('UPDATE account_state SET status = ? WHERE owner = ?', status, account.uri);
    if (typeof note === 'string') tryUpdate('UPDATE account_state SET note = ? WHERE owner = ?', note, account.uri);
    if (typeof idle === 'number' && Number.isInteger(idle))
      tryUpdate('UPDATE account_state SET idle_minutes = ? WHERE owner = ?', idle, account.uri);
  }
  const keyed = db.prepare<[], { key: string; value: string }>(
    "SELECT key, value FROM settings WHERE key LIKE 'xcapRoot:%' OR key LIKE 'presRules.dirty:%'",
  );
  for (const { key } of keyed.all()) {
    const [prefix, ...rest] = key.split(':');
    const owner = rest.join(':');
    if (!owner) continue;
    ensure.run(owner);
    const value = setting(key);
    if (prefix === 'xcapRoot' && typeof value === 'string')
      tryUpdate('UPDATE account_state SET xcap_root = ? WHERE owner = ?', value, owner);
    if (prefix === 'presRules.dirty' && typeof value === 'boolean')
      tryUpdate('UPDATE account_state SET pres_rules_dirty = ? WHERE owner = ?', value ? 1 : 0, owner);
  }
  db.exec(`
    DELETE FROM settings WHERE key IN ('presence.status', 'presence.note', 'presence.idleMinutes')
      OR key LIKE 'xcapRoot:%' OR key LIKE 'presRules.dirty:%';
  `);
}
