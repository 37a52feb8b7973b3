import { describe, expect, test } from 'vitest';
import { CHANNELS, createParleyApi, EVENTS, isChannel, isEventName, requestSchemas } from '../../../shared/ipc/contract.js';
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
    const schema = requestSchemas['account:signIn'];
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
    expect(requestSchemas['connection:get']({ sneaky: 1 }, 'payload')).toMatchObject({ ok: false });
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
