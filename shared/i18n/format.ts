import { IntlMessageFormat } from 'intl-messageformat';
import { MESSAGES_EN, type MessageKey } from './messages-en.js';

export type { MessageKey } from './messages-en.js';

/** Values a message takes: numbers for plurals, strings for names and choices. */
export type MessageValues = Readonly<Record<string, string | number | boolean>>;

const compiled = new Map<MessageKey, IntlMessageFormat>();

/**
 * The words for `key` with `values` filled in (ICU MessageFormat: plurals by the locale's rules).
 * Network text passed as a value stays text: the result is shown as text, never as markup.
 */
export function t(key: MessageKey, values: MessageValues = {}): string {
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(MESSAGES_EN[key], 'en');
    compiled.set(key, format);
  }
  const input: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) input[name] = typeof value === 'boolean' ? String(value) : value;
  return String(format.format(input));
}
