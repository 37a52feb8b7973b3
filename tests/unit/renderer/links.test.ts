import { expect, test } from 'vitest';
import { linkify } from '../../../renderer/src/chat/links.js';

test('http, https and mailto become links without the punctuation or quotes around them; anything else stays text', () => {
  expect(linkify('see https://example.org/a?b=1.')).toEqual([
    { text: 'see ' },
    { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
    { text: '.' },
  ]);
  expect(linkify('“https://example.org/agend…” said')).toEqual([
    { text: '“' },
    { text: 'https://example.org/agend', href: 'https://example.org/agend' },
    { text: '…” said' },
  ]);
  expect(linkify('(mailto:bob@example.org)')).toEqual([
    { text: '(' },
    { text: 'mailto:bob@example.org', href: 'mailto:bob@example.org' },
    { text: ')' },
  ]);
  // A SIP address opens a conversation in Parley, not the system browser.
  expect(linkify('ask sip:carol@uc.test.')).toEqual([
    { text: 'ask ' },
    { text: 'sip:carol@uc.test', sip: 'sip:carol@uc.test' },
    { text: '.' },
  ]);
  // A phone number opens the keypad with it.
  expect(linkify('call tel:+1-415-555-2671.')).toEqual([
    { text: 'call ' },
    { text: 'tel:+1-415-555-2671', tel: '+1-415-555-2671' },
    { text: '.' },
  ]);
  for (const text of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<b>x</b>',
    '<a href="https://x">x</a>'.replace('https://x', 'x'),
  ]) {
    expect(linkify(text).every((part) => part.href === undefined)).toBe(true);
  }
});
