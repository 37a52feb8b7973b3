import { describe, expect, test } from 'vitest';
import { AskedExpires, MAX_NETWORK_SECONDS } from '../../../main/sip/network-bounds.js';

const register = (contactExpires: string) =>
  `REGISTER sip:uc.test SIP/2.0\r\nVia: SIP/2.0/WS x;branch=z9hG4bK1\r\nCall-ID: c1\r\nCSeq: 7 REGISTER\r\nContact: <sip:abc@x.invalid;transport=ws>${contactExpires}\r\nContent-Length: 0\r\n\r\n`;
const response = (method: string, cseq: number, headers: string[]) =>
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/WS x;branch=z9hG4bK1',
    'Call-ID: c1',
    `CSeq: ${cseq} ${method}`,
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('intervals from the network, bounded on their way in', () => {
  test('a registrar may shorten a registration, never lengthen it (RFC 3261 §10.3)', () => {
    const asked = new AskedExpires();
    asked.noteOutgoing(register(';expires=600'));
    const out = asked.bound(response('REGISTER', 7, ['Expires: 3000000', 'Contact: <sip:abc@x.invalid;transport=ws>;expires=3000000']));
    expect(out).toContain('\r\nExpires: 600\r\n');
    expect(out).toContain('<sip:abc@x.invalid;transport=ws>;expires=600');
    const shorter = asked.bound(response('REGISTER', 7, ['Contact: <sip:abc@x.invalid;transport=ws>;expires=60']));
    expect(shorter).toContain(';expires=60\r\n');
  });

  test("a binding without its own expires gets the Expires header's (capped), so no timer ever sees NaN", () => {
    const asked = new AskedExpires();
    asked.noteOutgoing(register(';expires=600'));
    const out = asked.bound(
      response('REGISTER', 7, ['Expires: 300', 'Contact: <sip:abc@x.invalid>, "Other" <sip:def@y.invalid>;expires=20']),
    );
    expect(out).toContain('Contact: <sip:abc@x.invalid>;expires=300, "Other" <sip:def@y.invalid>;expires=20');
  });

  test('a notifier may not lengthen a subscription (RFC 6665 §4.2.1.1); retry-after is a day at most', () => {
    const asked = new AskedExpires();
    asked.noteOutgoing('SUBSCRIBE sip:b@uc.test SIP/2.0\r\nCall-ID: s1\r\nCSeq: 1 SUBSCRIBE\r\nExpires: 3600\r\n\r\n');
    const notify = (state: string) =>
      `NOTIFY sip:abc@x.invalid SIP/2.0\r\nCall-ID: s1\r\nCSeq: 2 NOTIFY\r\nSubscription-State: ${state}\r\n\r\n`;
    expect(asked.bound(notify('active;expires=3000000'))).toContain('Subscription-State: active;expires=3600\r\n');
    expect(asked.bound(notify('terminated;reason=probation;retry-after=99999999'))).toContain(`retry-after=${MAX_NETWORK_SECONDS}`);
  });

  test('answers to requests we never sent are capped at a day; other messages pass unchanged', () => {
    const asked = new AskedExpires();
    expect(asked.bound(response('PUBLISH', 3, ['Expires: 3000000', 'Min-Expires: 9999999']))).toContain(
      `Expires: ${MAX_NETWORK_SECONDS}\r\nMin-Expires: ${MAX_NETWORK_SECONDS}`,
    );
    const message = 'MESSAGE sip:a@b SIP/2.0\r\nCall-ID: m\r\nCSeq: 1 MESSAGE\r\nExpires: 3000000\r\n\r\nExpires: 3000000';
    expect(asked.bound(message)).toBe(message);
  });
});
