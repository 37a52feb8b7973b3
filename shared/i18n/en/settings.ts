/** The settings domain's words (English). */
export const SETTINGS = {
  // Settings ▸ Language.
  'settings.language.heading': 'Language',
  'settings.language.label': 'Parley speaks',
  'settings.language.hint': 'Every window shows its words in this language at once.',
} as const satisfies Record<string, string>;
