import type { ModuleFactory } from '../engine-context.js';
import { MyPresenceService } from './my-presence.js';
import { presenceHandlers } from './presence-handlers.js';

/** My own presence: my status and note, published (PUBLISH, RFC 3903) while signed in. */
export const presenceModule: ModuleFactory = (context) => {
  const account = context.need('account');
  const presenceClock = context.options.presence?.clock ?? context.clock;
  const myPresence = new MyPresenceService(context.db, () => context.owner() ?? account.rememberedUri(), {
    ...context.options.presence,
    ...(presenceClock ? { clock: presenceClock } : {}),
  });
  context.services.myPresence = myPresence;
  myPresence.onDidChange((presence) => context.emit('onDidChangeMyPresence', presence));
  return {
    name: 'presence',
    handlers: presenceHandlers(myPresence),
    // (after the subscriptions: on sign-out they end before the publication goes)
    participants: [myPresence],
    dispose: () => myPresence.dispose(),
  };
};
