import { describe, expect, test } from 'vitest';
import { DOMAIN } from '../support/kamailio.js';
import { useCallRig } from '../support/call-rig.js';
import { addContact, contactRow, contactTree } from '../support/parley-page.js';

// Calls in Chromium through a real Kamailio, as people meet them: declined, busy, the keypad, missed
// calls, call waiting, a refused microphone, transfers. (Media and devices: calls.test.ts.)
const { rig, signIn, audioFlows, callWith, incoming, call, talking } = useCallRig();

describe('calls as people meet them', () => {
  test('declined, cancelled, and busy in Do not disturb: each said in words', async () => {
    const [carol, dave] = await Promise.all([signIn('carol'), signIn('dave')]);
    // Declined.
    await call(carol, 'dave', 'Dave');
    await incoming(dave).getByRole('button', { name: 'Decline' }).click();
    await callWith(carol, 'Dave').getByText('Declined').waitFor();
    await incoming(dave).waitFor({ state: 'detached' });

    // Cancelled while ringing: dave's toast goes, and he sees he missed it. (Close puts an ended
    // call away; a new call would too.)
    await callWith(carol, 'Dave').getByRole('button', { name: 'Close' }).click();
    await callWith(carol, 'Dave').waitFor({ state: 'detached' });
    await carol.getByRole('region', { name: 'Dave' }).getByRole('button', { name: 'Call', exact: true }).click();
    await incoming(dave).waitFor();
    await callWith(carol, 'Dave').getByRole('button', { name: 'Cancel' }).click();
    await callWith(carol, 'Dave').getByText('Cancelled').waitFor();
    await incoming(dave).waitFor({ state: 'detached' });
    await callWith(dave, `carol@${DOMAIN}`).getByText('Missed call').waitFor();

    // Do not disturb: the call is refused as busy, and nothing rings.
    await dave.getByRole('button', { name: /^Status: / }).click();
    await dave.getByRole('menu', { name: 'Status' }).getByRole('menuitemradio', { name: 'Do not disturb' }).click();
    await dave.getByRole('button', { name: 'Status: Do not disturb' }).waitFor();
    await carol.getByRole('region', { name: 'Dave' }).getByRole('button', { name: 'Call', exact: true }).click();
    await callWith(carol, 'Dave').getByText('Busy').waitFor();
    expect(await incoming(dave).count()).toBe(0);
  });

  test('the keypad calls an address or a number; a national number needs a country (said how), then shows its way; a tel: link opens it filled', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    const keypad = alice.getByRole('region', { name: 'Keypad' });
    const box = keypad.getByRole('textbox', { name: 'Number or address' });
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill(`bob@${DOMAIN}`);
    await box.press('Enter');
    await incoming(bob).getByRole('button', { name: 'Decline' }).click();
    await callWith(alice, `bob@${DOMAIN}`).getByText('Declined').waitFor();
    await callWith(alice, `bob@${DOMAIN}`).getByRole('button', { name: 'Close' }).click();

    // A national number without a country: refused on the field, saying what to do; the text stays.
    await alice.getByRole('button', { name: 'Keypad' }).click();
    for (const key of ['4', '1', '5', '5', '5', '5', '2', '6', '7', '1'])
      await keypad.getByRole('button', { name: key, exact: true }).click();
    expect(await box.inputValue()).toBe('4155552671');
    await keypad.getByRole('button', { name: 'Call', exact: true }).click();
    await keypad
      .getByRole('alert')
      .filter({ hasText: /choose your country in Settings/ })
      .waitFor();
    expect(await box.inputValue()).toBe('4155552671');

    await alice.getByRole('button', { name: 'My account' }).click();
    await alice.getByRole('menuitem', { name: 'Settings' }).click();
    await alice.getByRole('combobox', { name: 'Country for phone numbers' }).selectOption('US');
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await box.fill('(415) 555-2671');
    await keypad.getByRole('button', { name: 'Call', exact: true }).click();
    // Through the server (nobody there has that number here): shown the national way.
    await callWith(alice, '(415) 555-2671').getByText('No such person or number').waitFor();
    await callWith(alice, '(415) 555-2671').getByRole('button', { name: 'Close' }).click();

    // A tel: link in a message opens the keypad with the number.
    await addContact(bob, `alice@${DOMAIN}`, 'Alice');
    await contactRow(bob, 'Alice').dblclick();
    await bob.getByRole('textbox', { name: 'Message' }).fill('my desk is tel:+14155552671');
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bob.getByRole('log', { name: 'Messages' }).getByRole('button', { name: 'tel:+14155552671' }).click();
    await expect(
      bob.getByRole('region', { name: 'Keypad' }).getByRole('textbox', { name: 'Number or address' }).inputValue(),
    ).resolves.toBe('+14155552671');
  });

  test('a missed call counts on the title and the contact until seen; the history lists it after a restart and calls back', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    await addContact(bob, `alice@${DOMAIN}`, 'Alice');
    await call(alice, 'bob', 'Bob');
    await incoming(bob).waitFor();
    await callWith(alice, 'Bob').getByRole('button', { name: 'Cancel' }).click();
    await incoming(bob).waitFor({ state: 'detached' });
    await expect.poll(() => bob.title()).toBe('(1) Parley');
    await contactTree(bob)
      .getByRole('treeitem', { name: /^Alice , 1 missed call,/ })
      .waitFor();
    await bob.getByRole('status').filter({ hasText: 'Missed call from Alice.' }).waitFor();

    // Bob's Parley restarts: the missed call is still there, still unseen.
    const first = rig.dataDirs.get('bob')!;
    await first.stop();
    const again = await signIn('bob', first.dataDir);
    await expect.poll(() => again.title()).toBe('(1) Parley');
    await again.getByRole('status').getByRole('button', { name: 'Call history' }).click();
    const calls = again.getByRole('list', { name: 'Calls' });
    await calls.getByRole('listitem').filter({ hasText: 'Alice' }).filter({ hasText: 'Missed call' }).waitFor();
    // Seen: the counts go.
    await expect.poll(() => again.title()).toBe('Parley');
    await contactTree(again)
      .getByRole('treeitem', { name: /^Alice , Available/ })
      .waitFor();
    await calls.getByRole('button', { name: 'Call Alice back' }).click();
    await callWith(alice, `bob@${DOMAIN}`)
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await incoming(alice).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(again, 'Alice').getByText('In a call').waitFor();
    await callWith(again, 'Alice').getByRole('button', { name: 'Hang up' }).click();
    // The answered call joins the history at the top.
    await calls
      .getByRole('listitem')
      .first()
      .filter({ hasText: /Outgoing call, 0:0\d/ })
      .waitFor();
  });

  test('call waiting: a second call rings during a call; Answer puts the first on hold and takes the second; Resume swaps back', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await talking(alice, bob, 'bob', 'Bob');

    await call(carol, 'alice', 'Alice');
    const waiting = incoming(alice);
    await waiting.getByText(`carol@${DOMAIN}`).first().waitFor();
    await waiting.getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('You put the call on hold').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('On hold').waitFor();
    await callWith(alice, `carol@${DOMAIN}`).getByText('In a call').waitFor();
    await callWith(carol, 'Alice').getByText('In a call').waitFor();
    await audioFlows(carol);

    // Back to Bob: Carol goes on hold.
    await callWith(alice, 'Bob').getByRole('button', { name: 'Resume' }).click();
    await callWith(carol, 'Alice').getByText('On hold').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('In a call').waitFor();
    await audioFlows(bob);
  });

  test('a microphone the person refused: the call does not start, and the page says what to do', async () => {
    // Dave is signed in: an INVITE to him would be relayed (and logged as such) by the server.
    const [alice, dave] = await Promise.all([signIn('alice'), signIn('dave')]);
    await alice.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const relayed = () => rig.kamailio.output.match(/relay INVITE /g)?.length ?? 0;
    const before = relayed();
    await call(alice, 'dave', 'Dave');
    await callWith(alice, 'Dave')
      .getByText(/isn't allowed to use your microphone or camera/)
      .waitFor();
    // No INVITE left, and nothing rang at Dave's.
    expect(relayed()).toBe(before);
    expect(await incoming(dave).count()).toBe(0);
  });

  test('blind transfer: alice hands bob over to carol; bob calls carol, alice is out of it', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await talking(alice, bob, 'bob', 'Bob');
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer' }).click();
    await callWith(alice, 'Bob').getByRole('textbox', { name: 'Transfer to' }).fill(`carol@${DOMAIN}`);
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer call' }).click();
    await callWith(alice, 'Bob').getByText(`Transferring to carol@${DOMAIN}…`).waitFor();
    // Bob is asked first; nothing rings at Carol's until he says Call.
    const asked = bob.getByRole('group', { name: /^Transfer request from / });
    await asked.getByText(`wants to transfer you to carol@${DOMAIN}`).waitFor();
    expect(await incoming(carol).count()).toBe(0);
    await asked.getByRole('button', { name: 'Call' }).click();
    await incoming(carol).getByText(`bob@${DOMAIN}`).first().waitFor();
    await incoming(carol).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('Transferred').waitFor();
    await callWith(bob, `carol@${DOMAIN}`).getByText('In a call').waitFor();
    await audioFlows(carol);
    await audioFlows(bob);
  });

  test('a transfer the other side declines: alice is told why, stays in the call, and can dismiss the words', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    await talking(alice, bob, 'bob', 'Bob');
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer' }).click();
    await callWith(alice, 'Bob').getByRole('textbox', { name: 'Transfer to' }).fill(`carol@${DOMAIN}`);
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer call' }).click();
    await bob
      .getByRole('group', { name: /^Transfer request from / })
      .getByRole('button', { name: 'Decline' })
      .click();
    const told = callWith(alice, 'Bob').getByRole('status').filter({ hasText: 'The transfer did not go through: Declined.' });
    await told.waitFor();
    await told.getByRole('button', { name: 'Dismiss' }).click();
    await told.waitFor({ state: 'detached' });
    await callWith(alice, 'Bob').getByText('In a call').waitFor();
  });

  test('a transfer that would make a third call is refused: alice is talking to bob while carol rings', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await talking(bob, alice, 'alice', 'Alice');
    await call(carol, 'alice', 'Alice');
    await incoming(alice).waitFor();
    await callWith(bob, 'Alice').getByRole('button', { name: 'Transfer' }).click();
    await callWith(bob, 'Alice').getByRole('textbox', { name: 'Transfer to' }).fill(`dave@${DOMAIN}`);
    await callWith(bob, 'Alice').getByRole('button', { name: 'Transfer call' }).click();
    await bob.getByRole('alert').filter({ hasText: 'The transfer was refused: Declined.' }).waitFor();
    await callWith(bob, 'Alice').getByText('In a call').waitFor();
  });
});
