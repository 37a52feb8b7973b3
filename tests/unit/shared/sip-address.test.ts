import { describe, expect, test } from 'vitest';
import { parseIceServers, validateSignIn, type SignInParams } from '../../../shared/domain/account.js';
import { defaultXcapRoot, isHttpUrl, parseServerUrl, parseSipAddress, serverFor } from '../../../shared/domain/sip-address.js';

describe('SIP addresses as people type them', () => {
  test.each([
    ['alice@example.com', 'sip:alice@example.com'],
    ['sip:alice@example.com', 'sip:alice@example.com'],
    ['  SIP:alice@Example.COM  ', 'sip:alice@example.com'],
    ['<sip:alice@example.com>', 'sip:alice@example.com'],
    ['sips:bob@outlook.example', 'sips:bob@outlook.example'],
    ['+4930123@gw.example', 'sip:+4930123@gw.example'],
    ['first.last@10.0.0.1', 'sip:first.last@10.0.0.1'],
    ['a%20b@example.com', 'sip:a%20b@example.com'],
  ])('%s → %s', (input, uri) => {
    expect(parseSipAddress(input)?.uri).toBe(uri);
  });

  test('keeps the user part’s case (RFC 3261 §19.1.4) and lower-cases the host', () => {
    expect(parseSipAddress('Alice@EXAMPLE.com')).toMatchObject({ user: 'Alice', host: 'example.com', address: 'Alice@example.com' });
  });

  test.each([
    '',
    'alice',
    '@example.com',
    'alice@',
    'alice at example.com',
    'alice@exa mple.com',
    'alice@-bad-.com',
    'tel:+123',
    'http://alice@example.com',
    'alice;x=y@example.com',
    'alice@example.com;transport=ws',
    'alice@@example.com',
  ])('refuses %j', (input) => {
    expect(parseSipAddress(input)).toBeNull();
  });
});

describe('the server a person means', () => {
  test.each([
    ['', 'alice@example.com', 'wss://example.com'],
    ['  ', 'sip:bob@Corp.Example', 'wss://corp.example'],
    ['sip.example.com:8443', 'alice@example.com', 'wss://sip.example.com:8443'],
    ['sip.example.com:8443/ws', 'alice@example.com', 'wss://sip.example.com:8443/ws'],
    ['ws://127.0.0.1:5066', 'alice@example.com', 'ws://127.0.0.1:5066'],
    ['', 'not an address', ''],
  ])('"%s" with %s → "%s"', (input, address, server) => {
    expect(serverFor(input, address)).toBe(server);
  });

  test('the form accepts an empty server or host:port, and still refuses other schemes', () => {
    const form = { address: 'alice@example.com', password: 'x', rememberPassword: false };
    expect(validateSignIn({ ...form, server: '' }, { passwordKnown: false })).toEqual([]);
    expect(validateSignIn({ ...form, server: 'sip.example.com:5443' }, { passwordKnown: false })).toEqual([]);
    expect(validateSignIn({ ...form, server: 'http://example.com' }, { passwordKnown: false })).toMatchObject([{ field: 'server' }]);
  });

  test('the phone gateway is empty or a host name', () => {
    const form = { address: 'alice@example.com', password: 'x', server: '', rememberPassword: false };
    expect(validateSignIn({ ...form, gateway: '' }, { passwordKnown: false })).toEqual([]);
    expect(validateSignIn({ ...form, gateway: ' pstn.example.com ' }, { passwordKnown: false })).toEqual([]);
    for (const gateway of ['sip:pstn.example.com', 'pstn example', 'a'.repeat(254)])
      expect(validateSignIn({ ...form, gateway }, { passwordKnown: false })).toMatchObject([{ field: 'gateway' }]);
  });
});

describe('server URLs', () => {
  test.each([
    ['wss://sip.example.com', 'wss://sip.example.com'],
    ['WS://127.0.0.1:8080', 'ws://127.0.0.1:8080'],
    ['wss://Sip.Example.com:443/ws', 'wss://sip.example.com:443/ws'],
    ['ws://[::1]:5066', 'ws://[::1]:5066'],
  ])('%s → %s', (input, url) => {
    expect(parseServerUrl(input)?.url).toBe(url);
  });

  test.each([
    '',
    'sip.example.com',
    'http://sip.example.com',
    'wss://',
    'wss://user:pw@host',
    'wss://host:70000',
    'wss://host:0',
    'wss://ho st',
    'wss://host/#frag',
  ])('refuses %j', (input) => {
    expect(parseServerUrl(input)).toBeNull();
  });
});

describe('the sign-in form’s checks', () => {
  const good: SignInParams = { address: 'alice@example.com', password: 'pw', server: 'wss://sip.example.com', rememberPassword: false };

  test('a complete form passes', () => {
    expect(validateSignIn(good, { passwordKnown: false })).toEqual([]);
  });

  test('each bad field gets its own message', () => {
    const errors = validateSignIn({ ...good, address: 'alice', password: '', server: 'https://x' }, { passwordKnown: false });
    expect(errors.map((e) => e.field)).toEqual(['address', 'password', 'server']);
    expect(errors[0]!.problem).toBe('notMySipAddress');
  });

  test('an empty password is fine when a remembered one exists', () => {
    expect(validateSignIn({ ...good, password: '' }, { passwordKnown: true })).toEqual([]);
  });

  test('control characters and overlong values are refused', () => {
    expect(validateSignIn({ ...good, displayName: 'Alice\u0000' }, { passwordKnown: false }).map((e) => e.field)).toEqual(['displayName']);
    expect(validateSignIn({ ...good, authUser: 'al ice' }, { passwordKnown: false }).map((e) => e.field)).toEqual(['authUser']);
    expect(validateSignIn({ ...good, displayName: 'x'.repeat(129) }, { passwordKnown: false }).map((e) => e.field)).toEqual([
      'displayName',
    ]);
  });
});

describe('XCAP roots', () => {
  test('the default follows the server URL: same host and port, http for ws, https for wss', () => {
    expect(defaultXcapRoot('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080/xcap-root');
    expect(defaultXcapRoot('wss://sip.example.com')).toBe('https://sip.example.com/xcap-root');
    expect(defaultXcapRoot('not a url')).toBe('');
  });

  test('a configured root must be an http(s) URL', () => {
    expect(isHttpUrl('https://xcap.example.com/xcap-root')).toBe(true);
    expect(isHttpUrl('http://127.0.0.1:8080/xcap-root')).toBe(true);
    for (const bad of ['ftp://x/y', 'https://user:pw@x/', 'xcap.example.com', 'https://x/#f', 'https://x:99999/'])
      expect(isHttpUrl(bad), bad).toBe(false);
    const good: SignInParams = { address: 'a@b.c', password: 'p', server: 'wss://b.c', rememberPassword: false };
    expect(validateSignIn({ ...good, xcapRoot: 'nope' }, { passwordKnown: false }).map((e) => e.field)).toEqual(['xcapRoot']);
    expect(validateSignIn({ ...good, xcapRoot: '' }, { passwordKnown: false })).toEqual([]);
  });
});

describe('STUN/TURN servers on the account', () => {
  const form = { address: 'alice@example.com', password: 'x', server: '', rememberPassword: false };

  test('URLs of the four schemes with port and transport, separated by spaces, commas or lines; at most four', () => {
    expect(parseIceServers('stun:stun.example.com turn:turn.example.com:3478?transport=udp,\nturns:[::1]:5349?transport=tcp')).toEqual({
      urls: ['stun:stun.example.com', 'turn:turn.example.com:3478?transport=udp', 'turns:[::1]:5349?transport=tcp'],
    });
    expect(parseIceServers('  ')).toEqual({ urls: [] });
    expect(parseIceServers('turn.example.com')).toEqual({
      error: { problem: 'iceServerBad', values: { url: 'turn.example.com' } },
    });
    expect(parseIceServers('turn:x?transport=sctp')).toHaveProperty('error');
    expect(parseIceServers('stun:a stun:b stun:c stun:d stun:e')).toEqual({ error: { problem: 'iceServersTooMany', values: { max: 4 } } });
  });

  test('a TURN server needs a user name and a password (typed, or remembered); STUN needs neither', () => {
    expect(validateSignIn({ ...form, iceServers: ['stun:stun.example.com'] }, { passwordKnown: false })).toEqual([]);
    expect(validateSignIn({ ...form, iceServers: ['turn:t.example.com'] }, { passwordKnown: false }).map((e) => e.field)).toEqual([
      'iceUser',
      'icePassword',
    ]);
    expect(
      validateSignIn({ ...form, iceServers: ['turn:t.example.com'], iceUser: 'u', icePassword: 'p' }, { passwordKnown: false }),
    ).toEqual([]);
    expect(
      validateSignIn({ ...form, iceServers: ['turn:t.example.com'], iceUser: 'u' }, { passwordKnown: false, icePasswordKnown: true }),
    ).toEqual([]);
  });
});
