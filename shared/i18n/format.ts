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

/** A piece of a message: its own words, or a value filled in (a name, an address: network text). */
export interface MessagePart {
  readonly text: string;
  readonly value: boolean;
}

/**
 * The words for `key` in pieces, the `names` (text values) apart from the words around them, so the
 * page can show each name in its own bidirectional isolate (`<bdi>`): a right-to-left name does not
 * reorder the sentence, and the words do not enter the name.
 */
export function tParts(key: MessageKey, names: Readonly<Record<string, string>>, values: MessageValues = {}): MessagePart[] {
  const marked: Record<string, string> = {};
  Object.keys(names).forEach((name, i) => (marked[name] = `\uE000${i}\uE001`));
  const text = t(key, { ...values, ...marked });
  const order = Object.values(names);
  return text
    .split(/(\uE000\d+\uE001)/)
    .filter((piece) => piece !== '')
    .map((piece) => {
      const index = /^\uE000(\d+)\uE001$/.exec(piece)?.[1];
      return index === undefined ? { text: piece, value: false } : { text: order[Number(index)] ?? '', value: true };
    });
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
