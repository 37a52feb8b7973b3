import { describe, expect, test } from 'vitest';
import { cleanBody, cleanText, isolate, MAX_COMBINING } from '../../../shared/domain/text.js';

describe('text from the network, cleaned once', () => {
  test('a bidi override cannot turn "alice‮gpj.exe" into "alice exe.jpg"', () => {
    expect(cleanText('alice\u202Egpj.exe', 100)).toBe('alicegpj.exe');
    for (const format of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200B',
      '\u200E',
      '\u200F',
      '\uFEFF',
    ]) {
      expect(cleanText(`a${format}b`, 10)).toBe('ab');
    }
  });

  test('control characters become spaces; runs of whitespace collapse; the length is bounded', () => {
    expect(cleanText('  line one\r\nline\ttwo\u0007  ', 100)).toBe('line one line two');
    expect(cleanText('x'.repeat(500), 128)).toHaveLength(128);
    // No half of a surrogate pair at the cut.
    expect(cleanText(`${'x'.repeat(9)}😀`, 10)).toBe('x'.repeat(9));
  });

  test('a stack of combining marks is cut to a few per character; real accents survive', () => {
    const zalgo = `Z${'\u0301\u0302\u0303\u0304\u0305\u0306\u0307'.repeat(20)}a`;
    expect([...cleanText(zalgo, 1000)].length).toBe(2 + MAX_COMBINING);
    expect(cleanText('Nguyễn Thị Ánh', 100)).toBe('Nguyễn Thị Ánh');
    expect(cleanText('Nguye\u0302\u0303n', 100)).toBe('Nguye\u0302\u0303n');
  });

  test('what carries meaning stays: ZWJ emoji, ZWNJ in Persian, subdivision flags', () => {
    const family = '👩\u200D👩\u200D👧';
    expect(cleanText(family, 100)).toBe(family);
    expect(cleanText('می\u200Cخواهم', 100)).toBe('می\u200Cخواهم');
    const scotland = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    expect(cleanText(`Go ${scotland}!`, 100)).toBe(`Go ${scotland}!`);
    // Tag characters elsewhere are hidden text: they go.
    expect(cleanText('hi\u{E0068}\u{E0069}', 100)).toBe('hi');
  });

  test('isolate wraps text for places without markup', () => {
    expect(isolate('مرحبا')).toBe('\u2068مرحبا\u2069');
  });
});

describe('message bodies, cleaned like names but keeping their lines', () => {
  test('overrides, embeddings, isolates and zero-width characters go; lines, tabs and bidi marks stay', () => {
    // "https://example.test/‮fdp.exe" would read "…/exe.pdf".
    expect(cleanBody('https://example.test/\u202Efdp.exe')).toBe('https://example.test/fdp.exe');
    for (const format of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200B', '\uFEFF']) {
      expect(cleanBody(`a${format}b`)).toBe('ab');
    }
    expect(cleanBody('one\r\ntwo\rthree\tfour\u0007')).toBe('one\ntwo\nthree\tfour');
    expect(cleanBody('\u05E9\u05DC\u05D5\u05DD 123\u200F!')).toBe('\u05E9\u05DC\u05D5\u05DD 123\u200F!');
  });

  test('legitimate scripts survive: Persian ZWNJ, emoji ZWJ sequences, flags, Vietnamese marks; Zalgo is trimmed', () => {
    for (const text of ['می\u200Cخواهم', '👩\u200D💻', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', 'Vie\u0302\u0323t']) {
      expect(cleanBody(text)).toBe(text);
    }
    const zalgo = `Z${'\u0301'.repeat(3000)}`;
    expect(cleanBody(zalgo)).toBe(`Z${'\u0301'.repeat(MAX_COMBINING)}`);
  });
});
