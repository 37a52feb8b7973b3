/** Preferences of this installation that the Settings view changes. */

/** How much room a contact takes in the list: two lines (name, then status and note) or one. */
export type Density = 'comfortable' | 'compact';

export const DENSITIES: readonly Density[] = ['comfortable', 'compact'];

/** Preferences of this installation (not of an account: they hold whoever signs in). */
export interface UiSettings {
  readonly density: Density;
  /** Tell people when I have read their messages (RFC 5438 display notifications). */
  readonly readReceipts: boolean;
  /** ISO 3166 country whose national numbers the keypad takes and shows ('' until chosen). */
  readonly defaultCountry: string;
}

export const DEFAULT_UI_SETTINGS: UiSettings = { density: 'comfortable', readReceipts: true, defaultCountry: '' };
