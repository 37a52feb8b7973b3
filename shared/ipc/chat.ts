/** The `chat` domain: conversations, their history, sending and what arrives. */

import { ACCOUNT_LIMITS } from '../domain/account.js';
import {
  HISTORY_PAGE,
  MESSAGE_MAX_BYTES,
  type ChatMessage,
  type Conversation,
  type ConversationId,
  type ConversationSummary,
} from '../domain/chat.js';
import { event, type EventSpecs } from './define.js';
import { bool, conversationId, int, none, obj, optional, str } from './schema.js';

const id = int(1, Number.MAX_SAFE_INTEGER);
const peer = str(ACCOUNT_LIMITS.address + 8);

export const chatRequests = {
  'chat:conversations': none,
  /** The direct conversation with `peer` (made the first time it is asked for). */
  'chat:with': obj({ peer }),
  /** A conversation by its id: who is in it. */
  'chat:get': obj({ conversationId }),
  /**
   * A page of a conversation, oldest first: the latest, those `before` a message, those `after` one
   * (a conversation opened at a search result, read forward), or `around` one (that result).
   */
  'chat:history': obj({
    conversationId,
    before: optional(id),
    after: optional(id),
    limit: optional(int(1, HISTORY_PAGE * 4)),
    around: optional(id),
  }),
  /** Full-text search over every conversation (newest first, at most 50 results). */
  'chat:search': obj({ query: str(256) }),
  // Characters, at most the byte limit: the exact byte check happens in main.
  'chat:send': obj({ conversationId, text: str(MESSAGE_MAX_BYTES) }),
  'chat:retry': obj({ id }),
  'chat:markRead': obj({ conversationId }),
  /** I am typing in a conversation (or stopped): told as RFC 3994 is-composing, to those who take it. */
  'chat:typing': obj({ conversationId, active: bool }),
  /** Message requests: take them as a contact, refuse their messages, or delete the conversation. */
  'chat:accept': obj({ conversationId }),
  'chat:block': obj({ conversationId }),
  'chat:delete': obj({ conversationId }),
};

export interface ChatResponses {
  'chat:conversations': readonly ConversationSummary[];
  'chat:with': Conversation;
  'chat:get': Conversation;
  'chat:history': readonly ChatMessage[];
  'chat:search': readonly ChatMessage[];
  'chat:send': ChatMessage;
  'chat:retry': ChatMessage;
  'chat:markRead': void;
  'chat:typing': void;
  'chat:accept': void;
  'chat:block': void;
  'chat:delete': void;
}

/** Whether someone is typing to me, in which conversation. */
export interface TypingChange {
  readonly conversationId: ConversationId;
  /** Who is typing (a member of the conversation). */
  readonly sender: string;
  readonly typing: boolean;
}

export const chatEvents = {
  /** Messages arrived or changed state (new ones, sent, failed, read), in order. */
  onDidChangeMessages: event<readonly ChatMessage[]>(),
  /** Someone started or stopped typing to me. */
  onDidChangeTyping: event<TypingChange>(),
  /** Conversations went or changed as a whole (deleted, blocked): read the list again. */
  onDidChangeConversations: event<readonly ConversationSummary[]>(),
} satisfies EventSpecs;
