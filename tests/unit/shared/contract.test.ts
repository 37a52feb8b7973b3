import { describe, expect, test } from 'vitest';
import { CHANNELS, createParleyApi, EVENTS, isChannel, isEventName, requestSchemas } from '../../../shared/ipc/contract.js';
import { validate } from '../../../shared/ipc/schema.js';
import { ok } from '../../../shared/ipc/result.js';
import { accountEvents, accountRequests } from '../../../shared/ipc/account.js';
import { appEvents, appRequests } from '../../../shared/ipc/app.js';
import { approvalsEvents, approvalsRequests } from '../../../shared/ipc/approvals.js';
import { contactsEvents, contactsRequests } from '../../../shared/ipc/contacts.js';
import { presenceEvents, presenceRequests } from '../../../shared/ipc/presence.js';
import { settingsEvents, settingsRequests } from '../../../shared/ipc/settings.js';
import { chatEvents, chatRequests } from '../../../shared/ipc/chat.js';
import { callsEvents, callsRequests } from '../../../shared/ipc/calls.js';

describe('the IPC contract', () => {
  test('channels are domain:verb and events onDid*', () => {
    for (const channel of CHANNELS) expect(channel).toMatch(/^[a-z]+:[a-z][A-Za-z]+$/);
    for (const event of EVENTS) expect(event).toMatch(/^onDid[A-Z][A-Za-z]+$/);
    expect(isChannel('account:signIn')).toBe(true);
    expect(isChannel('__proto__')).toBe(false);
    expect(isChannel('toString')).toBe(false);
    expect(isEventName('onDidChangeConnection')).toBe(true);
    expect(isEventName('constructor')).toBe(false);
  });

  test('the contract is composed from the domains: no channel or event declared twice, none left out', () => {
    const domains = [
      appRequests,
      accountRequests,
      presenceRequests,
      contactsRequests,
      approvalsRequests,
      settingsRequests,
      chatRequests,
      callsRequests,
    ];
    const declared = domains.flatMap((d) => Object.keys(d));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...CHANNELS].sort()).toEqual([...declared].sort());
    const events = [
      appEvents,
      accountEvents,
      presenceEvents,
      contactsEvents,
      approvalsEvents,
      settingsEvents,
      chatEvents,
      callsEvents,
    ].flatMap((d) => Object.keys(d));
    expect(new Set(events).size).toBe(events.length);
    expect([...EVENTS].sort()).toEqual([...events].sort());
    expect(EVENTS).toContain('onDidReceiveApprovalRequests');
  });

  test('sign-in payloads are checked strictly: types, lengths, no extra keys', () => {
    const schema = (value: unknown, path: string) => validate(requestSchemas['account:signIn'], value, path);
    const good = { address: 'a@b.c', password: 'p', server: 'wss://b.c', rememberPassword: true };
    expect(schema(good, 'payload')).toEqual({ ok: true, value: good });
    expect(schema({ ...good, displayName: 'A' }, 'payload')).toMatchObject({ ok: true, value: { displayName: 'A' } });
    expect(schema({ ...good, admin: true }, 'payload')).toEqual({ ok: false, message: 'payload.admin is not expected' });
    expect(schema({ ...good, password: 5 }, 'payload')).toEqual({ ok: false, message: 'payload.password must be a string' });
    expect(schema({ ...good, rememberPassword: 'yes' }, 'payload')).toMatchObject({ ok: false });
    expect(schema({ ...good, address: 'a'.repeat(10_000) }, 'payload')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/longer than/),
    });
    expect(schema(null, 'payload')).toMatchObject({ ok: false });
    expect(schema([good], 'payload')).toMatchObject({ ok: false });
    // An array is never an object, even where every key is optional.
    expect(validate(requestSchemas['approvals:list'], [], 'payload')).toEqual({ ok: false, message: 'payload must be an object' });
    expect(validate(requestSchemas['connection:get'], { sneaky: 1 }, 'payload')).toMatchObject({ ok: false });
    expect(validate(requestSchemas['connection:get'], null, 'payload')).toEqual({ ok: true, value: undefined });
  });

  test('STUN/TURN servers travel as a list: at most four, each bounded', () => {
    const servers = (value: unknown) =>
      validate(
        requestSchemas['account:signIn'],
        { address: 'a@b.c', password: 'p', server: '', rememberPassword: false, iceServers: value },
        'payload',
      );
    expect(servers(['stun:a', 'turn:b:3478'])).toMatchObject({ ok: true, value: { iceServers: ['stun:a', 'turn:b:3478'] } });
    expect(servers('stun:a turn:b')).toEqual({ ok: false, message: 'payload.iceServers must be a list' });
    expect(servers(['stun:a', 'stun:b', 'stun:c', 'stun:d', 'stun:e'])).toMatchObject({ ok: false });
    expect(servers(['x'.repeat(513)])).toMatchObject({ ok: false });
  });

  test('keypad tones are checked by the schema: digits, *, # and A–D, at most 32', () => {
    const tones = (value: unknown) => validate(requestSchemas['calls:dtmf'], { id: 'c1', tones: value }, 'payload');
    expect(tones('12#*ABCD')).toMatchObject({ ok: true });
    expect(tones('1;2')).toEqual({ ok: false, message: 'payload.tones is not in the expected form' });
    expect(tones('')).toMatchObject({ ok: false });
    expect(tones('1'.repeat(33))).toMatchObject({ ok: false });
  });

  test('createParleyApi routes each domain.verb to its channel', async () => {
    const calls: unknown[][] = [];
    const api = createParleyApi({
      invoke: async (channel, params) => {
        calls.push([channel, params]);
        return ok(channel);
      },
      subscribe: () => () => undefined,
    });
    await expect(api.account.signOut()).resolves.toEqual({ ok: true, value: 'account:signOut' });
    await api.connection.get();
    expect(calls).toEqual([
      ['account:signOut', undefined],
      ['connection:get', undefined],
    ]);
  });
});
