import { expect, test, vi } from 'vitest';
import { contactActions } from '../../../renderer/src/contacts/contact-actions.js';
import type { Contact } from '../../../shared/domain/contacts.js';

test("a person's actions, the same everywhere: message, call, video call, then each of a contact's numbers", () => {
  const target = { openChat: vi.fn(), call: vi.fn() };
  const contact = { uri: 'sip:bob@uc.test', phones: { work: '+4930123456', mobile: '' } } as unknown as Contact;
  const actions = contactActions({ uri: contact.uri, contact }, target, { country: 'DE' });
  expect(actions.map((action) => action.label)).toEqual(['Send message', 'Call', 'Video call', 'Call work number 030 123456']);
  actions[0]!.run();
  expect(target.openChat).toHaveBeenCalledWith('sip:bob@uc.test');
  actions[2]!.run();
  expect(target.call).toHaveBeenLastCalledWith('sip:bob@uc.test', true);
  actions[3]!.run();
  expect(target.call).toHaveBeenLastCalledWith('+4930123456', false);
  // A conversation offers no Send message: it is the conversation.
  expect(contactActions({ uri: contact.uri }, target, { country: 'DE', except: ['message'] }).map((action) => action.id)).toEqual([
    'call',
    'video',
  ]);
});
