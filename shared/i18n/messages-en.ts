/**
 * The English message catalogue: every word Parley shows for the domains moved to it so far, keyed,
 * in ICU MessageFormat (plurals and choices inside the message, never glued together in code).
 * Other catalogues have the same keys; a key missing there falls back to this one.
 */
export const MESSAGES_EN = {
  // Presence: each state, mine and my contacts' (Availability | MyStatus).
  'presence.available': 'Available',
  'presence.busy': 'Busy',
  'presence.dnd': 'Do not disturb',
  'presence.brb': 'Be right back',
  'presence.away': 'Away',
  'presence.offline': 'Offline',
  'presence.appearOffline': 'Appear offline',
  'presence.inCall': 'In a call',
  'presence.idle': '{status} (idle)',
  // A contact's line: where my subscription to them stands (SubscriptionStatus).
  'contact.status.unknown': 'Presence unknown',
  'contact.status.pending': 'Awaiting approval',
  'contact.status.rejected': 'Not sharing presence',
  'contact.status.subscribing': 'Updating…',
  // What I share with a contact (their card says it).
  'contact.sharing.none': 'Has not asked to see your presence.',
  'contact.sharing.pending': 'Asked to see your presence: see Approval requests.',
  'contact.sharing.allowed': 'Can see your presence.',
  'contact.sharing.declined': 'You declined to share your presence.',
  'contact.sharing.blocked': 'Blocked: cannot see your presence.',
  // Panes.
  'pane.close': 'Close',
  'pane.back': 'Back to contacts',
  // Settings ▸ Language.
  'settings.language.heading': 'Language',
  'settings.language.label': 'Parley speaks',
  'settings.language.hint': 'Every window shows its words in this language at once.',
  // What one can do with a person (the list's menu, the contact card, a conversation).
  'contact.action.message': 'Send message',
  'contact.action.call': 'Call',
  'contact.action.video': 'Video call',
  'contact.action.callNumber': 'Call {kind} number {number}',
  // Why signing in (or staying signed in) failed (SignInProblem), as the form and the banner say it.
  'signIn.problem.authFailed': 'The server rejected the user name or password.',
  'signIn.problem.refused': 'The server refused the sign-in ({status} {phrase}).',
  'signIn.problem.notAnswering':
    '{status, select, 0 {The server at {server} did not answer.} other {The server at {server} is not answering ({status} {phrase}).}}',
  'signIn.problem.tooBrief':
    "The server at {server} accepted the sign-in but kept it for only {seconds} s, so Parley can't stay signed in. Its administrator can fix this; Parley keeps trying.",
  'signIn.problem.connectionRefused': 'Nothing answers at {server}. Check the server address and port.',
  'signIn.problem.hostNotFound': "Can't find the server {host}. Check its name.",
  'signIn.problem.notSipWebSocket': '{server} answered, but it is not a SIP WebSocket (HTTP {status}). Check the server address and path.',
  'signIn.problem.selfSigned': "The server's certificate is self-signed, so this computer can't tell it is really {host}.",
  'signIn.problem.otherName': "The server's certificate was issued for another name, not {host}.",
  'signIn.problem.certificateExpired': "The server's certificate is not valid now.",
  'signIn.problem.certificateChanged':
    "The server's certificate is not the one you trusted for this account. It may have been replaced — or someone is in between.",
  'signIn.problem.unknownIssuer': "The server's certificate is from an issuer this computer doesn't trust.",
  'signIn.problem.unreachable': "Can't reach the server at {server}.",
  'signIn.problem.connectionLost': 'Lost the connection to the server.',
  'signIn.problem.registrationLapsed': 'The registration lapsed.',
  'signIn.problem.serverSilent': 'The server stopped answering.',
  // How a call ended (CallEndReason), as the call bar and the history say it.
  'call.end.ended': 'Call ended',
  'call.end.remoteHungUp': 'They hung up',
  'call.end.declined': 'Declined',
  'call.end.cancelled': 'Cancelled',
  'call.end.noAnswer': 'No answer',
  'call.end.busy': 'Busy',
  'call.end.notFound': 'No such person or number',
  'call.end.unavailable': 'Not available (not signed in)',
  'call.end.incompatible': "Their phone can't take this kind of call",
  'call.end.forbidden': 'Not allowed by the server',
  'call.end.serverFailure': 'The server could not connect the call ({status})',
  'call.end.failed': '{status, select, 0 {The call failed} other {The call failed ({status})}}',
  'call.end.missed': 'Missed call',
  'call.end.missedDnd': 'Missed while in Do not disturb',
  'call.end.missedInCall': 'Missed while in another call',
  'call.end.missedPlainRtp':
    "Missed: their phone's media is not encrypted for the web (no DTLS-SRTP/ICE); the server needs a media relay for calls with it",
  'call.end.plainRtp':
    "The call could not connect: their phone's media is not encrypted for the web (no DTLS-SRTP/ICE); the server needs a media relay for calls with it",
  'call.end.transferred': 'Transferred',
  'call.end.forwarded': 'Forwarded to {target}',
  'call.end.forwardUnfollowable': "The call was forwarded somewhere Parley can't follow ({status}).",
  'call.end.serverLost': 'Call lost: the connection to the server dropped and did not come back',
  'call.end.networkLost': 'Call lost when the network dropped',
  'call.end.mediaLost': 'Call lost: the connection to them dropped',
  'call.end.mediaNotAllowed':
    "Parley isn't allowed to use your microphone or camera. Allow it in your browser or system settings, then call again.",
  'call.end.mediaNotFound': 'No microphone (or camera) was found. Connect one and call again.',
  'call.end.mediaInUse': 'Your microphone or camera is in use by another app, or not working.',
  'call.end.mediaFailed': "The call's media failed.",
  'call.end.noWindow': 'The window holding the call did not answer (it was closed, or is not responding).',
  // Why a message failed (MessageFailure: the SIP status that refused it).
  'chat.failed':
    "{status, select, 403 {The server refused to deliver it.} 404 {There is no such user.} 408 {No answer from their side in time.} 410 {That address no longer exists.} 413 {It is too long for their server.} 415 {Their client can't take this kind of message.} 480 {They are not signed in.} 486 {They are busy and not taking messages.} 488 {Their client can't take this kind of message.} 503 {Their server is not available.} 603 {They declined it.} other {It was refused ({code}).}}",
  'chat.failedWithPhrase': 'It was refused ({code} {phrase}).',
  // Media in the page.
  'media.failedWith': "The call's media failed: {message}",
  // A transfer I asked for that did not happen (the call goes on).
  'call.transfer.refused': 'The transfer was refused: {why}.',
  'call.transfer.failed': 'The transfer did not go through: {why}.',
  'call.transfer.noWord': 'They did not say whether the transfer went through.',
  'call.transfer.noReason': 'they gave no reason',
  // The line of a call under way.
  'call.state.calling': 'Calling…',
  'call.state.ringing': 'Ringing…',
  'call.state.ringingEarlyMedia': 'Ringing — playing sound from their network (tones or a message)',
  'call.state.incoming': '{video, select, true {Incoming video call} other {Incoming call}}',
  'call.state.connecting': 'Connecting…',
  'call.state.reconnecting': 'Reconnecting…',
  'call.state.remoteHeld': 'On hold',
  'call.state.held': 'You put the call on hold',
  'call.state.connected': 'In a call',
  // The history's line for a call.
  'call.history.answered': '{direction, select, in {Incoming} other {Outgoing}} {video, select, true {video call} other {call}}, {length}',
  'call.history.missed': '{video, select, true {Missed video call} other {Missed call}}',
  'call.history.line': '{direction, select, in {Incoming} other {Outgoing}} {video, select, true {video call} other {call}}: {reason}',
  // Missed calls waiting to be seen.
  'calls.missed.count': '{count, plural, one {# missed call} other {# missed calls}}',
  'calls.missed.strangers':
    '{count, plural, one {# missed call from someone not in your contacts} other {# missed calls from people not in your contacts}}',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof MESSAGES_EN;
