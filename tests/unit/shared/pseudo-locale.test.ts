import { afterEach, expect, test } from 'vitest';
import { setLocale, t, tParts } from '../../../shared/i18n/format.js';
import { MESSAGES_EN, type MessageKey } from '../../../shared/i18n/messages-en.js';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/** A value for every argument a message names: 2 for a plural, 'other' for a choice, 'X' for text. */
function valuesFor(message: string): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  const visit = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.plural) values[element.value] = 2;
      else if (element.type === TYPE.select) values[element.value] = 'other';
      else if (element.type === TYPE.argument || element.type === TYPE.number) values[element.value] ??= 'X';
      if (element.type === TYPE.plural || element.type === TYPE.select)
        for (const option of Object.values(element.options)) visit(option.value);
    }
  };
  visit(parse(message));
  return values;
}

afterEach(() => setLocale('en'));

test('the pseudo-locale accents every word, pads it about 30 % and brackets it; values, plurals and choices still work', () => {
  setLocale('en-XA');
  expect(t('contact.action.message')).toBe('[Šéñð ɱéššáĝé~~~~]');
  const missed = t('calls.missed.count', { count: 3 });
  expect(missed).toMatch(/^\[.*3.*~+\]$/);
  expect(missed).not.toMatch(/[A-Za-z]{2}/);
  // A name passed in stays as it is.
  expect(t('call.end.forwarded', { target: 'Bob' })).toContain('Bob');
  // A choice still picks its branch.
  expect(t('signIn.problem.notAnswering', { server: 'wss://x', status: '0' })).not.toContain('(');
  setLocale('en');
  expect(t('contact.action.message')).toBe('Send message');
});

test('every message of the catalogue has a pseudo-locale form at least 30 % longer, with no plain English word left', () => {
  setLocale('en-XA');
  for (const key of Object.keys(MESSAGES_EN) as MessageKey[]) {
    const values = valuesFor(MESSAGES_EN[key]);
    let english: string;
    let pseudo: string;
    try {
      pseudo = t(key, values);
      setLocale('en');
      english = t(key, values);
      setLocale('en-XA');
    } catch (error) {
      throw new Error(`${key}: ${String(error)}`, { cause: error });
    }
    expect(pseudo.length, key).toBeGreaterThanOrEqual(Math.floor(english.length * 1.3));
    expect(pseudo.replace(/\b(X|other)\b/g, ''), key).not.toMatch(/[a-z]{2}/);
  }
});

test('a message with names comes in pieces, each name apart (for its own <bdi>) and never accented', () => {
  expect(tParts('chat.typing', { name: 'Bob' })).toEqual([
    { text: 'Bob', value: true },
    { text: ' is typing…', value: false },
  ]);
  // A name that looks like a placeholder, or holds the markers' neighbours, is still just text.
  expect(tParts('chat.empty', { name: '{x} \uE0010' }).map((part) => part.text)).toEqual([
    'No messages yet. Say hello to ',
    '{x} \uE0010',
    '.',
  ]);
  setLocale('en-XA');
  const parts = tParts('chat.typing', { name: 'Bob' });
  expect(parts[1]).toEqual({ text: 'Bob', value: true });
  expect(parts.map((part) => part.text).join('')).toMatch(/^\[Bob îš ţýþîñĝ…~+\]$/);
});
