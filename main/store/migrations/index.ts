import type { Database } from 'better-sqlite3';
import { updateToSchemaVersion0001 } from './0001-account-and-settings.js';
import { updateToSchemaVersion0002 } from './0002-contacts-and-approvals.js';
import { updateToSchemaVersion0003 } from './0003-account-state.js';
import { updateToSchemaVersion0004 } from './0004-trusted-certificate.js';
import { updateToSchemaVersion0005 } from './0005-collapsed-groups.js';
import { updateToSchemaVersion0006 } from './0006-messages.js';
import { updateToSchemaVersion0007 } from './0007-message-blocks.js';
import { updateToSchemaVersion0008 } from './0008-message-search.js';
import { updateToSchemaVersion0009 } from './0009-conversations.js';
import { updateToSchemaVersion0010 } from './0010-call-history.js';
import { updateToSchemaVersion0011 } from './0011-contact-phones.js';
import { updateToSchemaVersion0012 } from './0012-ice-servers.js';
import { updateToSchemaVersion0013 } from './0013-phone-gateway.js';
import { updateToSchemaVersion0014 } from './0014-call-end-reasons.js';
import { updateToSchemaVersion0015 } from './0015-message-failures.js';
import { updateToSchemaVersion0016 } from './0016-conversation-ids.js';

/** Migrations in order; migration N brings the schema from version N-1 to N. Never edit a shipped one. */
export const MIGRATIONS: readonly ((db: Database) => void)[] = [
  updateToSchemaVersion0001,
  updateToSchemaVersion0002,
  updateToSchemaVersion0003,
  updateToSchemaVersion0004,
  updateToSchemaVersion0005,
  updateToSchemaVersion0006,
  updateToSchemaVersion0007,
  updateToSchemaVersion0008,
  updateToSchemaVersion0009,
  updateToSchemaVersion0010,
  updateToSchemaVersion0011,
  updateToSchemaVersion0012,
  updateToSchemaVersion0013,
  updateToSchemaVersion0014,
  updateToSchemaVersion0015,
  updateToSchemaVersion0016,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` up to `target` (default: the latest), each step in its own transaction, recording the
 * version in `PRAGMA user_version`. Refuses a database written by a newer Parley rather than
 * guessing.
 */
export function migrate(db: Database, target = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`This data was written by a newer Parley (schema ${current}; this one knows up to ${SCHEMA_VERSION}).`);
  }
  for (let version = current + 1; version <= target; version++) {
    db.transaction(() => {
      MIGRATIONS[version - 1]!(db);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
