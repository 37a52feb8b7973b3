/** The calls domain's words (English). */
export const CALLS = {
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
