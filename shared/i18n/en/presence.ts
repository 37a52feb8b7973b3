/** The presence domain's words (English). */
export const PRESENCE = {
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
} as const satisfies Record<string, string>;
