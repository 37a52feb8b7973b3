import { IntlMessageFormat } from 'intl-messageformat';
import { DEFAULT_LOCALE, type Locale } from './locales.js';
import { MESSAGES_EN, type MessageKey } from './messages-en.js';
import { pseudoMessage } from './pseudo.js';

export type { MessageKey } from './messages-en.js';

/** Values a message takes: numbers for plurals, strings for names and choices. */
export type MessageValues = Readonly<Record<string, string | number | boolean>>;

const compiled = new Map<MessageKey, IntlMessageFormat>();
let locale: Locale = DEFAULT_LOCALE;

/**
 * The language words come in from now on (each process has its own: main for the tray and
 * notifications, each page for itself). What is on screen already keeps its words until drawn again.
 */
export function setLocale(next: Locale): void {
  if (next === locale) return;
  locale = next;
  compiled.clear();
}

export function currentLocale(): Locale {
  return locale;
}

/**
 * The words for `key` with `values` filled in (ICU MessageFormat: plurals by the locale's rules).
 * Network text passed as a value stays text: the result is shown as text, never as markup.
 */
export function t(key: MessageKey, values: MessageValues = {}): string {
  let format = compiled.get(key);
  if (!format) {
    // Only English has a catalogue yet; the pseudo-locale is English, transformed.
    format =
      locale === 'en-XA' ? new IntlMessageFormat(pseudoMessage(MESSAGES_EN[key]), 'en') : new IntlMessageFormat(MESSAGES_EN[key], 'en');
    compiled.set(key, format);
  }
  const input: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) input[name] = typeof value === 'boolean' ? String(value) : value;
  return String(format.format(input));
}
