import type { ModuleFactory } from '../engine-context.js';
import { PresenceWatchService } from '../presence/presence-watch.js';
import { BuddyList } from './buddy-list.js';
import { contactsHandlers } from './contacts-handlers.js';

/** The buddy list: my contacts and groups, their presence (subscriptions) and my decisions on them. */
export const contactsModule: ModuleFactory = (context) => {
  const { clock, directory, emit } = context;
  const { clock: _myPresenceClock, ...watchOptions } = context.options.presence ?? {};
  const presenceWatch = new PresenceWatchService(directory, { ...watchOptions, ...(clock ? { clock } : {}) });
  const contacts = new BuddyList(directory, presenceWatch, context.need('approvals'));
  context.services.presenceWatch = presenceWatch;
  context.services.contacts = contacts;
  context.connection.onDidChange((state) => {
    if (state.status === 'registered') emit('onDidChangeContacts', contacts.list());
  });
  directory.onDidChange(() => emit('onDidChangeContacts', contacts.list()));
  presenceWatch.onDidChangePresence((changes) => emit('onDidChangeContactPresence', changes));
  return {
    name: 'contacts',
    handlers: contactsHandlers(contacts),
    participants: [presenceWatch],
    dispose: () => presenceWatch.dispose(),
  };
};
