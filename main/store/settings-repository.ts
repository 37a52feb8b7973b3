import type { Database } from 'better-sqlite3';
import { prepared } from './statements.js';

/** A setting's value, or `undefined` when unset. Values are JSON. */
export function getSetting<T>(db: Database, key: string): T | undefined {
  const row = prepared<[string], { value: string }>(db, 'SELECT value FROM settings WHERE key = ?').get(key);
  return row ? (JSON.parse(row.value) as T) : undefined;
}

/** Stores a setting as JSON. */
export function setSetting(db: Database, key: string, value: unknown): void {
  prepared(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
}
