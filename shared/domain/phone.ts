/**
 * Phone numbers, as people type them and as SIP carries them: E.164 on the wire (`+4930…`, sent as
 * `sip:+4930…@domain;user=phone`, RFC 3261 §19.1.1, where the provider's gateway reaches the phone
 * network), the national format on screen. Parsing and formatting use libphonenumber-js (its
 * metadata follows the numbering plans; hand-written rules would not).
 */
import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { parseSipAddress } from './sip-address.js';

/** ISO 3166 country codes libphonenumber knows (a default country must be one of them). */
export const COUNTRIES: readonly string[] = getCountries();

export function isCountry(value: unknown): value is CountryCode {
  return typeof value === 'string' && (COUNTRIES as readonly string[]).includes(value);
}

/** Characters a typed phone number may have: digits, +, spaces, dots, dashes, brackets. */
const PHONE_LIKE = /^\+?[\d\s().\-/]{3,32}$/;

/**
 * A phone number in E.164 (`+4930123456`), from what was typed in the keypad or a `tel:` link; a
 * national number needs the default country. Null when it is not a valid number.
 */
export function toE164(input: string, defaultCountry?: string): string | null {
  const text = input.trim().replace(/^tel:/i, '').split(';')[0]!;
  if (!PHONE_LIKE.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, isCountry(defaultCountry) ? defaultCountry : undefined);
  return parsed?.isValid() ? parsed.number : null;
}

/** How a number shows: national format for my own country, international otherwise. */
export function formatPhone(e164: string, defaultCountry?: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country && parsed.country === defaultCountry ? parsed.formatNational() : parsed.formatInternational();
}

/** The number in a SIP user part that is one (`+` and 6–15 digits, E.164), as calls from the phone network carry it. */
export function numberOf(user: string): string | undefined {
  return /^\+\d{6,15}$/.test(user) ? user : undefined;
}

/** What a person dialled: a SIP address, or a phone number routed through their own server. */
export type DialTarget =
  | { readonly kind: 'sip'; readonly uri: string }
  | { readonly kind: 'phone'; readonly e164: string; readonly uri: string; readonly requestUri: string };

/**
 * Reads the keypad's "Number or address" box (or a link): `bob@example.com`, `sip:…`, `tel:+…` or a
 * number. A number goes to my own domain as `sip:+E164@domain;user=phone`. Null when it is neither.
 */
export function dialTarget(input: string, myDomain: string, defaultCountry?: string): DialTarget | null {
  const text = input.trim();
  if (!/^tel:/i.test(text)) {
    const sip = parseSipAddress(text);
    if (sip) {
      // A SIP URI whose user part is a number is a call to that number all the same.
      const e164 = numberOf(sip.user);
      return e164 ? { kind: 'phone', e164, uri: sip.uri, requestUri: `${sip.uri};user=phone` } : { kind: 'sip', uri: sip.uri };
    }
  }
  const e164 = toE164(text, defaultCountry);
  if (!e164) return null;
  const uri = `sip:${e164}@${myDomain}`;
  return { kind: 'phone', e164, uri, requestUri: `${uri};user=phone` };
}
