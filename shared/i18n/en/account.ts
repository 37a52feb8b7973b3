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
  'me.notShared': "This server doesn't share your status; others can't see it.",
  'me.notConnected': 'Not connected',
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
  // The sign-in form.
  'signIn.heading': 'Sign in to Parley',
  'signIn.submit': 'Sign in',
  'signIn.busy': 'Signing in…',
  'signIn.address': 'SIP address',
  'signIn.password': 'Password',
  'signIn.passwordSaved': 'Saved password',
  'signIn.server': 'Server',
  'signIn.serverHint':
    "The SIP-over-WebSocket address your administrator gave you. Empty: wss:// and your address's domain; host:port works too.",
  'signIn.more': 'More options',
  'signIn.authUser': 'Authorization user',
  'signIn.authUserPlaceholder': 'Only if it differs from your address',
  'signIn.displayName': 'Display name',
  'signIn.xcapRoot': 'XCAP root',
  'signIn.xcapRootHint': 'Where your presence rules (who may see you) are stored. Leave empty for the default.',
  'signIn.gateway': 'Phone gateway',
  'signIn.gatewayHint':
    'Only if calls from the phone network reach you from another domain than yours: the numbers in its calls then name your contacts. Leave empty otherwise.',
  'signIn.iceServers': 'STUN/TURN servers for calls',
  'signIn.iceServersHint':
    'Help calls get through firewalls. Up to {max}, separated by spaces. Leave empty if your administrator gave you none.',
  'signIn.iceUser': 'TURN user name',
  'signIn.icePassword': 'TURN password',
  'signIn.icePasswordSaved': 'Remembered',
  'signIn.trusted': 'Trusted certificate for this account:',
  'signIn.untrust': 'Stop trusting this certificate',
  'signIn.remember': 'Remember password',
  'signIn.keptInFile': 'Kept in {location}, a file only your user account can read.',
  'signIn.keptInKeychain': 'Kept encrypted by your operating system’s keychain.',
  'signIn.noKeychain': 'This computer offers no keychain, so Parley cannot keep your password safely and will ask for it at each start.',
  'signIn.keychainNotRunning':
    'No keychain (such as GNOME Keyring or KWallet) is running, so Parley cannot keep your password safely and will ask for it at each start.',
  // A server certificate the computer does not trust, shown for the person to decide.
  'signIn.certificate.heading': "The server's certificate",
  'signIn.certificate.subject': 'Issued to',
  'signIn.certificate.issuer': 'Issued by',
  'signIn.certificate.validTo': 'Valid until',
  'signIn.certificate.fingerprint': 'SHA-256 fingerprint',
  'signIn.certificate.hint':
    "Trust it only if this fingerprint is the one your server's administrator gave you. Parley will then accept this server with exactly this certificate, and no other.",
  'signIn.certificate.trust': 'Trust this certificate and sign in',
} as const satisfies Record<string, string>;
