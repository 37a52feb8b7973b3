import { problemText } from '../../../shared/domain/problem.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { BuddyList } from '../../../main/contacts/buddy-list.js';
import { ContactDirectory } from '../../../main/contacts/contact-directory.js';
import { ApprovalService } from '../../../main/approvals/approvals.js';
import { PresenceWatchService } from '../../../main/presence/presence-watch.js';
import { recordWatchRequest } from '../../../main/store/contacts-repository.js';
import { openDatabase } from '../../../main/store/db.js';
import { FakeClock } from '../../support/fake-clock.js';

const OWNER = 'sip:alice@uc.test';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function buddyList(country?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-buddies-'));
  const db = openDatabase(join(dir, 'parley.sqlite'));
  const clock = new FakeClock();
  const directory = new ContactDirectory(
    db,
    () => OWNER,
    () => country,
  );
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
  expect(buddies.setGroupCollapsed(9999, true)).toMatchObject({ ok: false, error: { problem: 'groupMissing' } });
});

test('phone numbers: typed national in my country or international, stored E.164, cleared by an empty box, found by number', () => {
  const { directory, buddies } = buddyList('GB');
  const bob = buddies.add({ address: 'bob@uc.test' });
  const carol = buddies.add({ address: 'carol@uc.test' });
  if (!bob.ok || !carol.ok) throw new Error('add failed');
  const saved = buddies.update(bob.value.id, { phones: { work: '020 7946 0000', mobile: '+1 (202) 555-0143' } });
  expect(saved.ok && saved.value.phones).toEqual({ work: '+442079460000', mobile: '+12025550143' });
  expect(directory.findByPhone('+442079460000')?.uri).toBe('sip:bob@uc.test');
  expect(directory.findByPhone('+12025550143')?.uri).toBe('sip:bob@uc.test');
  expect(directory.findByPhone('+442079460001')).toBeUndefined();
  expect(directory.findByPhone('not a number')).toBeUndefined();
  // A bad number is refused with its kind named, and nothing already saved is lost.
  const bad = buddies.update(bob.value.id, { phones: { work: '12', mobile: '' } });
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.error).toMatchObject({
    field: 'workPhone',
    problem: 'notPhoneNumber',
    values: { kind: 'work', country: 'missing' },
  });
  expect(!bad.ok && problemText(bad.error)).toMatch(/^Work number: that is not a phone number/);
  expect(buddies.contact(bob.value.id)?.phones).toEqual({ work: '+442079460000', mobile: '+12025550143' });
  // Renaming leaves the numbers alone; an empty box clears one.
  buddies.update(bob.value.id, { displayName: 'Bob' });
  expect(buddies.contact(bob.value.id)?.phones).toEqual({ work: '+442079460000', mobile: '+12025550143' });
  buddies.update(bob.value.id, { phones: { work: '020 7946 0000', mobile: '' } });
  expect(buddies.contact(bob.value.id)?.phones).toEqual({ work: '+442079460000' });
  expect(directory.findByPhone('+12025550143')).toBeUndefined();
  expect(buddies.contact(carol.value.id)?.phones).toEqual({});
});

test('a bare name is a colleague on my own server: "bob" is bob@<my domain>; anything else must be an address', () => {
  const { buddies } = buddyList();
  expect(buddies.add({ address: ' bob ' })).toMatchObject({ ok: true, value: { uri: 'sip:bob@uc.test' } });
  expect(buddies.add({ address: 'j.smith' })).toMatchObject({ ok: true, value: { uri: 'sip:j.smith@uc.test' } });
  expect(buddies.add({ address: 'not an address' })).toMatchObject({ ok: false, error: { problem: 'notSipAddress' } });
  expect(buddies.add({ address: '12 34' })).toMatchObject({ ok: false, error: { problem: 'notSipAddress' } });
});

test('a national number without a country is refused with what to do', () => {
  const { buddies } = buddyList();
  const bob = buddies.add({ address: 'bob@uc.test' });
  if (!bob.ok) throw new Error('add failed');
  const result = buddies.update(bob.value.id, { phones: { mobile: '07700 900123' } });
  expect(!result.ok && problemText(result.error)).toMatch(/^Mobile number: .*choose your country in Settings/);
});
