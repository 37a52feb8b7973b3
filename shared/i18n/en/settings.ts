/** The settings domain's words (English). */
export const SETTINGS = {
  // Settings ▸ Language.
  'settings.language.heading': 'Language',
  'settings.language.label': 'Parley speaks',
  'settings.language.hint': 'Every window shows its words in this language at once.',
  'settings.presence': 'Presence',
  'settings.idle.label': 'Show me as Away after',
  'settings.idle.hint': '0 means never.',
  'settings.idle.unit': 'minutes idle',
  'settings.idle.invalid': 'Enter whole minutes from 0 (never) to {max}.',
  'settings.idle.saved':
    '{minutes, plural, =0 {Idle time will not change your status.} one {Away after # minute idle.} other {Away after # minutes idle.}}',
  'settings.density': 'Contact list',
  'settings.density.comfortable': 'Comfortable: picture, name, then status and note',
  'settings.density.compact': 'Compact: one line per contact',
  'settings.messages': 'Messages',
  'settings.readReceipts': 'Send read receipts (people see when you have read their messages)',
  'settings.calls': 'Calls',
  'settings.country': 'Country for phone numbers',
  'settings.country.none': 'None: numbers start with + and the country code',
  'settings.country.hint': "Numbers you dial without a country code are read as this country's, and shown its way.",
  'settings.notifications': 'Notifications',
} as const satisfies Record<string, string>;
