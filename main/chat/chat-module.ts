import type { ChatMessage } from '../../shared/domain/chat.js';
import { ok } from '../../shared/ipc/result.js';
import type { ModuleFactory } from '../engine-context.js';
import { getUiSettings } from '../store/ui-settings-repository.js';
import { chatHandlers } from './chat-handlers.js';
import { MessagingService } from './messaging-service.js';

/** Instant messages: conversations, delivery and read receipts, typing, search, message requests. */
export const chatModule: ModuleFactory = (context) => {
  const { clock, db, emit } = context;
  const approvals = context.need('approvals');
  const messaging = new MessagingService(db, context.owner, context.directory, context.connection.session, {
    ...(clock ? { clock } : {}),
    readReceipts: () => getUiSettings(db).readReceipts,
    isBlocked: (uri) => approvals.watcher(uri)?.decision === 'blocked',
    ...context.options.messaging,
  });
  context.services.messaging = messaging;
  // Messages go to the pages in batches while they pour in (a burst from one contact, thousands
  // stored for me while I was away): the first at once, then what came meanwhile every 16 ms, at
  // most 200 to an event — not one event, one page update, per message.
  const outgoing: ChatMessage[] = [];
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const sendMessages = () => {
    const batch = outgoing.splice(0, 200);
    if (batch.length > 0) emit('onDidChangeMessages', batch);
    quiet = setTimeout(() => {
      quiet = undefined;
      if (outgoing.length > 0) sendMessages();
    }, 16);
  };
  messaging.onDidChange((messages) => {
    outgoing.push(...messages);
    if (!quiet) sendMessages();
  });
  messaging.onDidChangeTyping((change) => emit('onDidChangeTyping', change));
  messaging.onDidChangeConversations((list) => emit('onDidChangeConversations', list));
  return {
    name: 'chat',
    handlers: {
      ...chatHandlers(messaging),
      // A conversation in its own window, where the shell has windows (web mode has none).
      'app:openConversation': async ({ conversationId }) => {
        const found = messaging.conversation(conversationId);
        if (!found.ok) return found;
        return ok({ opened: context.shell.conversationOpener?.(found.value.id) ?? false });
      },
    },
    participants: [messaging],
    dispose: () => {
      clearTimeout(quiet);
      messaging.dispose();
    },
  };
};
