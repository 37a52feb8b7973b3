import { describe, expect, test } from 'vitest';
import { dialTarget, formatPhone, toE164 } from '../../../shared/domain/phone.js';

describe('phone numbers', () => {
  test('typed numbers become E.164 with the default country; junk and impossible numbers do not', () => {
    expect(toE164('030 1234567', 'DE')).toBe('+49301234567');
    expect(toE164('+1 (415) 555-2671')).toBe('+14155552671');
    expect(toE164('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(toE164('tel:+44 20 7946 0958')).toBe('+442079460958');
    // National without a country cannot be placed; letters, too short and impossible numbers are refused.
    expect(toE164('030 1234567')).toBeNull();
    expect(toE164('call me')).toBeNull();
    expect(toE164('12')).toBeNull();
    expect(toE164('+1 555 0000 0000 0000')).toBeNull();
  });

  test('numbers show in the national format at home and international elsewhere', () => {
    expect(formatPhone('+49301234567', 'DE')).toBe('030 1234567');
    expect(formatPhone('+49301234567', 'US')).toBe('+49 30 1234567');
    expect(formatPhone('+14155552671', 'US')).toBe('(415) 555-2671');
  });

  test('the keypad box takes an address or a number; a number goes to my domain with user=phone', () => {
    expect(dialTarget('bob@example.com', 'uc.test')).toEqual({ kind: 'sip', uri: 'sip:bob@example.com' });
    expect(dialTarget('sip:bob@example.com', 'uc.test')).toEqual({ kind: 'sip', uri: 'sip:bob@example.com' });
    expect(dialTarget('+1 415 555 2671', 'uc.test')).toEqual({
      kind: 'phone',
      e164: '+14155552671',
      uri: 'sip:+14155552671@uc.test',
      requestUri: 'sip:+14155552671@uc.test;user=phone',
    });
    expect(dialTarget('tel:+14155552671', 'uc.test')).toMatchObject({ kind: 'phone', e164: '+14155552671' });
    expect(dialTarget('0301234567', 'uc.test', 'DE')).toMatchObject({ uri: 'sip:+49301234567@uc.test' });
    expect(dialTarget('sip:+14155552671@gw.example', 'uc.test')).toMatchObject({ kind: 'phone', uri: 'sip:+14155552671@gw.example' });
    expect(dialTarget('not a thing', 'uc.test')).toBeNull();
  });
});
