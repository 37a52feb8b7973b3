/** The chat domain's words (English). */
export const CHAT = {
  // Why a message failed (MessageFailure: the SIP status that refused it).
  'chat.failed':
    "{status, select, 403 {The server refused to deliver it.} 404 {There is no such user.} 408 {No answer from their side in time.} 410 {That address no longer exists.} 413 {It is too long for their server.} 415 {Their client can't take this kind of message.} 480 {They are not signed in.} 486 {They are busy and not taking messages.} 488 {Their client can't take this kind of message.} 503 {Their server is not available.} 603 {They declined it.} other {It was refused ({code}).}}",
  // A conversation (MessageState of my messages; the rest of its words).
  'chat.state.queued': 'Waiting to send',
  'chat.state.sending': 'Sending…',
  'chat.state.sent': 'Sent',
  'chat.state.stored': 'Will be delivered when they sign in',
  'chat.state.delivered': 'Delivered',
  'chat.state.read': 'Read',
  'chat.state.failed': 'Not sent',
  'chat.retry': 'Retry',
  'chat.you': 'You',
  'chat.typing': '{name} is typing…',
  'chat.empty': 'No messages yet. Say hello to {name}.',
  'chat.earlier': 'Show earlier messages',
  'chat.newer': 'Show newer messages',
  'chat.box': 'Message',
  'chat.log': 'Messages',
  'chat.window': '{unread, plural, =0 {{name}} other {(#) {name}}}',
  'chat.boxHint': 'Type a message (Enter sends, Shift+Enter for a new line)',
  'chat.send': 'Send',
  'chat.back': 'Back',
  'chat.card': 'Contact card',
  'chat.missing': 'This conversation no longer exists.',
  'chat.request.group': 'Not in your contacts',
  'chat.request.text': '{address} is not in your contacts.',
  'chat.request.accept': 'Accept',
  'chat.request.block': 'Block',
  'chat.request.delete': 'Delete',
  'chat.failedWithPhrase': 'It was refused ({code} {phrase}).',
  // Message requests: people not in my contacts who wrote.
  'chat.requests.heading': 'Message requests',
  'chat.requests.hint': 'People who are not in your contacts wrote to you. Nothing is sent back until you answer.',
  'chat.requests.none': 'No message requests.',
  'chat.requests.open': 'Open',
  // Searching messages.
  'search.placeholder': 'Words in a message',
  'search.submit': 'Search',
  'search.found':
    '{count, plural, =0 {No message matches.} one {# message matches.} other {{all, select, true {# messages match.} other {The # newest messages match.}}}}',
  'search.results': 'Results',
  'search.fromMeTo': 'You to {to}',
} as const satisfies Record<string, string>;
