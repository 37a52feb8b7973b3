import { t } from '../i18n/format.js';
import { Problem, type ProblemOf } from './problem.js';

/**
 * Instant messages (SIP MESSAGE, RFC 3428) as the renderer sees them.
 *
 * An outgoing message's state:
 *
 * ```
 *            send()                 2xx                  (IMDN, later)
 * queued ──────────► sending ──────────────► sent ────► delivered ──► read
 *   ▲  not registered   │ 202 (stored by the server for someone signed out) ──► stored
 *   │                   │ 4xx–6xx
 *   │                   ▼
 *   └── connection lost failed (reason as a value; Retry puts it back in the queue)
 * ```
 *
 * `sending` is only ever told, never stored; with more than one recipient the state is their
 * summary (`summarizeSendStates`), each recipient's moving only forward (`reduceSendState`).
 *
 * An incoming message is `received`.
 */

/** Where a message stands. */
export type MessageState = 'queued' | 'sending' | 'sent' | 'stored' | 'delivered' | 'read' | 'failed' | 'received';

/**
 * A conversation's id (its row in the store), branded so that a message id or a count is never
 * passed where a conversation is meant.
 */
export type ConversationId = number & { readonly __brand: 'ConversationId' };

/** Reads a number (from the store or a checked request) as a conversation id. */
export function asConversationId(id: number): ConversationId {
  return id as ConversationId;
}

/** `direct`: me and one other person; `group`: me and several (to come). */
export type ConversationKind = 'direct' | 'group';

/** A conversation and who is in it. */
export interface Conversation {
  readonly id: ConversationId;
  readonly kind: ConversationKind;
  /** Everyone in it but me: normalised SIP URIs (one in a direct conversation). */
  readonly members: readonly string[];
}

/** The other person of a direct conversation (undefined for a group). */
export function directPeer(conversation: Pick<Conversation, 'kind' | 'members'>): string | undefined {
  return conversation.kind === 'direct' ? conversation.members[0] : undefined;
}

/** One message of a conversation. */
export interface ChatMessage {
  readonly id: number;
  readonly conversationId: ConversationId;
  /** Who wrote it: the sender's normalised SIP URI (my own for mine). */
  readonly sender: string;
  readonly direction: 'in' | 'out';
  /** The text, exactly as typed or received (always shown as text). */
  readonly text: string;
  /** When it was sent (incoming: the sender's or the storing server's Date when given), epoch ms. */
  readonly sentAt: number;
  readonly state: MessageState;
  /** Why it failed (a failed message only). */
  readonly failure?: MessageFailure;
}

/** A conversation in the list: who is in it, the last message and how many are unread. */
export interface ConversationSummary extends Conversation {
  readonly last: ChatMessage;
  readonly unread: number;
  /** True when the other person of a direct conversation is not in my contacts (a message request). */
  readonly stranger: boolean;
}

/**
 * The longest message Parley sends, in UTF-8 bytes. RFC 3428 §5 limits a MESSAGE to 1300 bytes where
 * the path may include UDP without congestion control; this server path is TCP/WebSocket end to end
 * and its store-and-forward relay is on loopback, so Parley allows more, but bounds it.
 */
export const MESSAGE_MAX_BYTES = 4096;

/**
 * Messages in the order they reached this Parley (mine: when I wrote them), as a conversation shows
 * them. Not by the sender's `Date`: anyone can date a message 1970 and put it above everything it
 * answers; the time they give is shown beside the message as information.
 */
export function inArrivalOrder(messages: readonly ChatMessage[]): ChatMessage[] {
  return [...messages].sort((a, b) => a.id - b.id);
}

/** How many messages one history page holds. */
export const HISTORY_PAGE = 50;

/** Checks a message before it is sent: what is wrong with it, or null. */
export function messageError(text: string): ProblemOf | null {
  if (text.trim() === '') return { problem: Problem.MessageEmpty };
  const bytes = utf8Length(text);
  if (bytes > MESSAGE_MAX_BYTES) return { problem: Problem.MessageTooLong, values: { max: MESSAGE_MAX_BYTES, bytes } };
  return null;
}

/** The length of `text` in UTF-8 bytes (shared code has no TextEncoder of its own). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Why a message failed, as a value: the final SIP status that refused it (RFC 3261 §21; 408 also
 * when no answer came in time) and, for a status without words of its own, the far end's phrase.
 */
export interface MessageFailure {
  readonly status: number;
  /** The reason phrase the refusal carried (network text, cleaned), shown only for an unusual status. */
  readonly phrase?: string;
}

/** The statuses whose words the catalogue has (`chat.failed`); any other is said with its number. */
const SAID = new Set([403, 404, 408, 410, 413, 415, 480, 486, 488, 503, 603]);

/** Why a message failed, in words. */
export function messageFailureText(failure: MessageFailure): string {
  if (!SAID.has(failure.status) && failure.phrase)
    return t('chat.failedWithPhrase', { code: String(failure.status), phrase: failure.phrase });
  return t('chat.failed', { status: SAID.has(failure.status) ? String(failure.status) : 'other', code: String(failure.status) });
}
