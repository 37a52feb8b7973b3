import type { Database } from 'better-sqlite3';

/**
 * A contact's phone numbers (work and mobile), in E.164 so that a call from the phone network —
 * which carries the caller's number — finds the contact by an indexed lookup.
 */
export function updateToSchemaVersion0011(db: Database): void {
  db.exec(`
    ALTER TABLE contacts ADD COLUMN work_phone TEXT CHECK (work_phone IS NULL OR (length(work_phone) <= 16 AND work_phone GLOB '+[1-9]*'));
    ALTER TABLE contacts ADD COLUMN mobile_phone TEXT CHECK (mobile_phone IS NULL OR (length(mobile_phone) <= 16 AND mobile_phone GLOB '+[1-9]*'));
    CREATE INDEX contacts_work_phone ON contacts (owner, work_phone) WHERE work_phone IS NOT NULL;
    CREATE INDEX contacts_mobile_phone ON contacts (owner, mobile_phone) WHERE mobile_phone IS NOT NULL;
  `);
}
