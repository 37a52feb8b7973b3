/** The shell domain's words (English). */
export const SHELL = {
  // Panes.
  'pane.close': 'Close',
  'pane.back': 'Back to contacts',
  // The window, and the tray (the desktop app).
  'window.title': '{title} — Parley',
  'tray.status': '{address} — {status}',
  'tray.signedOut': 'Signed out',
  'tray.reconnecting': 'Reconnecting…',
  'tray.signingIn': 'Signing in…',
  'tray.signingOut': 'Signing out…',
  'tray.unread': '{count, plural, one {# unread message} other {# unread messages}}',
  'tray.open': 'Open Parley',
  'tray.quit': 'Quit Parley',
  'app.name': 'Parley',
  'app.title': '{waiting, plural, =0 {Parley} other {(#) Parley}}',
  'app.starting': 'Starting…',
  'app.loading': 'Loading…',
  // The main window's banners and notices.
  'shell.retrying': 'Trying again automatically (attempt {attempt}).',
  'shell.tryNow': 'Try now',
  'shell.review': 'Review',
  'shell.missedFrom': 'Missed call from {name}.',
  'shell.missed': '{count, plural, one {# missed call.} other {# missed calls.}}',
  'shell.missedFromStranger': 'Missed call from {name}, who is not in your contacts.',
  'shell.missedStrangers':
    '{count, plural, one {# missed call from someone not in your contacts.} other {# missed calls from people not in your contacts.}}',
  'shell.messageFromStranger': 'Message from {address}, who is not in your contacts.',
  'shell.messageRequests':
    '{count, plural, one {# message request from someone not in your contacts.} other {# message requests from people not in your contacts.}}',
  'shell.idle': 'Select a contact to see their card.',
} as const satisfies Record<string, string>;
