import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { BuddyList } from '../../../main/contacts/buddy-list.js';
import { ContactDirectory } from '../../../main/contacts/contact-directory.js';
import { ApprovalService } from '../../../main/presence/approvals.js';
import { PresenceWatchService } from '../../../main/presence/presence-watch.js';
import { recordWatchRequest } from '../../../main/store/contacts-repository.js';
import { openDatabase } from '../../../main/store/db.js';
import { FakeClock } from '../../support/fake-clock.js';

const OWNER = 'sip:alice@uc.test';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function buddyList() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-buddies-'));
  const db = openDatabase(join(dir, 'parley.sqlite'));
  const clock = new FakeClock();
  const directory = new ContactDirectory(db, () => OWNER);
  const watch = new PresenceWatchService(directory, { clock });
  const approvals = new ApprovalService(db, () => OWNER, directory, { clock });
  cleanups.push(() => {
    approvals.dispose();
    watch.dispose();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, directory, buddies: new BuddyList(directory, watch, approvals) };
}

test('a contact is found by address however it is written: case of the host, with or without sip:, or sips: for sip:', () => {
  const { directory, buddies } = buddyList();
  buddies.add({ address: 'bob@uc.test' });
  buddies.add({ address: 'sips:carol@uc.test' });
  for (const written of ['bob@UC.test', 'sip:bob@uc.test', 'sips:bob@uc.test', '<sip:bob@uc.test>']) {
    expect(directory.findByAddress(written)?.uri).toBe('sip:bob@uc.test');
  }
  expect(directory.findByAddress('sip:carol@uc.test')?.uri).toBe('sips:carol@uc.test');
  expect(directory.findByAddress('Bob@uc.test')).toBeUndefined();
  expect(directory.findByAddress('dave@uc.test')).toBeUndefined();
});

test("a contact I gave no name shows the network's name (watcher-info display-name), cleaned; mine wins when I give one", () => {
  const { db, buddies } = buddyList();
  // Bob asked to see me; his watcher-info entry carried a display name (with a bidi override).
  // Adding him also lets him see me (the default for people I add).
  recordWatchRequest(db, OWNER, 'sip:bob@uc.test', 'Bob \u202EBuilder', 0);
  const added = buddies.add({ address: 'bob@uc.test' });
  expect(added).toMatchObject({ ok: true, value: { displayName: '', networkName: 'Bob Builder' } });
  expect(buddies.list().contacts[0]).toMatchObject({ displayName: '', networkName: 'Bob Builder', decision: 'allowed' });

  const renamed = buddies.update(buddies.list().contacts[0]!.id, { displayName: 'Robert' });
  expect(renamed).toMatchObject({ ok: true, value: { displayName: 'Robert', networkName: 'Bob Builder' } });
  // Someone the network never named has none.
  expect(buddies.add({ address: 'carol@uc.test' })).toMatchObject({ ok: true, value: { networkName: '' } });
});

test('a group remembers being collapsed; another owner cannot fold it; a group that does not exist says so', () => {
  const { buddies } = buddyList();
  const group = buddies.createGroup('Vendors');
  expect(group).toMatchObject({ ok: true, value: { collapsed: false } });
  const id = (group as { value: { id: number } }).value.id;
  expect(buddies.setGroupCollapsed(id, true)).toEqual({ ok: true, value: undefined });
  expect(buddies.list().groups.find((g) => g.id === id)?.collapsed).toBe(true);
  expect(buddies.setGroupCollapsed(9999, true)).toMatchObject({ ok: false, error: { message: 'That group does not exist.' } });
});
