import { HISTORY_PAGE } from '../../shared/domain/chat.js';
import type { chatRequests } from '../../shared/ipc/chat.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { MessagingService } from './messaging-service.js';

/** The `chat` channels. */
export function chatHandlers(messaging: MessagingService): Handlers<ChannelsOf<typeof chatRequests>> {
  return {
    'chat:conversations': async () => ok(messaging.conversations()),
    'chat:with': async ({ peer }) => messaging.conversationWith(peer),
    'chat:get': async ({ conversationId }) => messaging.conversation(conversationId),
    'chat:history': async ({ conversationId, before, after, limit, around }) => {
      if (around !== undefined) return messaging.historyAround(conversationId, around);
      if (after !== undefined) return messaging.historyAfter(conversationId, limit ?? HISTORY_PAGE, after);
      return messaging.history(conversationId, limit ?? HISTORY_PAGE, before);
    },
    'chat:search': async ({ query }) => messaging.search(query),
    'chat:send': async ({ conversationId, text }) => messaging.send(conversationId, text),
    'chat:retry': async ({ id }) => messaging.retry(id),
    'chat:markRead': async ({ conversationId }) => messaging.markRead(conversationId),
    'chat:typing': async ({ conversationId, active }) => messaging.setTyping(conversationId, active),
    'chat:accept': async ({ conversationId }) => messaging.acceptRequest(conversationId),
    'chat:block': async ({ conversationId }) => messaging.blockRequest(conversationId),
    'chat:delete': async ({ conversationId }) => messaging.deleteConversation(conversationId),
  };
}
