/** The account domain's words (English). */
export const ACCOUNT = {
  // My bar: who I am, my status and note, my menu.
  'me.search': 'Search messages',
  'me.history': 'Call history',
  'me.settings': 'Settings',
  'me.signOut': 'Sign out',
  'me.account': 'My account',
  'me.status': 'Status: {status}',
  'me.statusMenu': 'Status',
  'me.note': 'Note',
  'me.notePlaceholder': "What's happening today?",
  'me.offline': 'Not connected: a status or note you set now is shared as soon as Parley is back.',
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
} as const satisfies Record<string, string>;
