import { HISTORY_PAGE } from '../../shared/domain/chat.js';
import type { chatRequests } from '../../shared/ipc/chat.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { MessagingService } from './messaging-service.js';

/** The `chat` channels. */
export function chatHandlers(messaging: MessagingService): Handlers<ChannelsOf<typeof chatRequests>> {
  return {
    'chat:conversations': async () => ok(messaging.conversations()),
    'chat:history': async ({ peer, before, after, limit, around }) => {
      if (around !== undefined) return messaging.historyAround(peer, around);
      if (after !== undefined) return messaging.historyAfter(peer, limit ?? HISTORY_PAGE, after);
      return messaging.history(peer, limit ?? HISTORY_PAGE, before);
    },
    'chat:search': async ({ query }) => messaging.search(query),
    'chat:send': async ({ peer, text }) => messaging.send(peer, text),
    'chat:retry': async ({ id }) => messaging.retry(id),
    'chat:markRead': async ({ peer }) => messaging.markRead(peer),
    'chat:typing': async ({ peer, active }) => messaging.setTyping(peer, active),
    'chat:accept': async ({ peer }) => messaging.acceptRequest(peer),
    'chat:block': async ({ peer }) => messaging.blockRequest(peer),
    'chat:delete': async ({ peer }) => messaging.deleteConversation(peer),
  };
}
