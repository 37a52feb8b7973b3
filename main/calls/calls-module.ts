import type { ModuleFactory } from '../engine-context.js';
import { getAccountState } from '../store/account-state-repository.js';
import { getUiSettings } from '../store/ui-settings-repository.js';
import { CallService } from './call-service.js';
import { callsHandlers } from './calls-handlers.js';

/** Calls: the dialogs here, the media in the page that holds each call, and the call history. */
export const callsModule: ModuleFactory = (context) => {
  const { db, directory, emit, owner } = context;
  const account = context.need('account');
  const contacts = context.need('contacts');
  const myPresence = context.need('myPresence');
  const nameOf = (record: ReturnType<typeof directory.findByAddress>) => {
    const contact = record && contacts.contact(record.id);
    return contact ? contact.displayName || contact.networkName || contact.address : undefined;
  };
  const calls = new CallService(db, context.connection.session, owner, {
    ...(context.clock ? { clock: context.clock } : {}),
    ...context.options.calls,
    defaultCountry: () => getUiSettings(db).defaultCountry,
    doNotDisturb: () => myPresence.current.status === 'dnd',
    nameForNumber: (e164) => nameOf(directory.findByPhone(e164)),
    nameForAddress: (uri) => nameOf(directory.findByAddress(uri)),
    isBlocked: (uri) => context.isBlocked(uri),
    isContact: (uri) => directory.findByAddress(uri) !== undefined,
    gateway: () => {
      const me = owner();
      return me ? getAccountState(db, me).gateway : '';
    },
  });
  context.services.calls = calls;
  calls.onDidChange((list) => {
    emit('onDidChangeCalls', list);
    // In a call once it is (not while answering: the PUBLISH then competes with the answer itself).
    myPresence.setInCall(list.some((call) => call.state === 'connected'));
  });
  calls.media.onDidRequest((request) => emit('onDidRequestMedia', request));
  calls.onDidRecord((recorded) => emit('onDidRecordCall', recorded));
  calls.onDidChangeMissed((missed) => emit('onDidChangeMissedCalls', missed));
  return {
    name: 'calls',
    handlers: callsHandlers(calls, () => account.iceServers()),
    participants: [calls],
    dispose: () => calls.dispose(),
  };
};
