import { expect, test, vi } from 'vitest';
import type { Invitation } from 'sip.js';
import { CALL_TRANSITIONS, CallSession, nextCallState, type CallEvent, type NewCall } from '../../../main/calls/call-session.js';
import type { CallState } from '../../../shared/domain/calls.js';
import { FakeClock } from '../../support/fake-clock.js';

const STATES = Object.keys(CALL_TRANSITIONS) as CallState[];
const EVENTS: CallEvent[] = ['ring', 'earlyMedia', 'answer', 'established', 'end'];

function session(state: CallState, clock = new FakeClock()) {
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const changed = vi.fn();
  const call: NewCall = {
    id: 'c1',
    peer: 'sip:bob@example.com',
    peerName: '',
    direction: state === 'incoming' || state === 'connecting' ? 'in' : 'out',
    state,
    video: false,
    held: false,
    startedAt: 0,
  };
  return { call: new CallSession({} as Invitation, call, clock, log as never, changed), log, changed, clock };
}

test('the table: outgoing calling → ringing → connected, incoming → connecting → connected, every live state may end, ended is final', () => {
  const moves = STATES.flatMap((state) => EVENTS.map((event) => `${state} --${event}--> ${nextCallState(state, event) ?? '×'}`));
  expect(moves).toEqual([
    'calling --ring--> ringing',
    'calling --earlyMedia--> ringing',
    'calling --answer--> ×',
    'calling --established--> connected',
    'calling --end--> ended',
    'ringing --ring--> ringing',
    'ringing --earlyMedia--> ringing',
    'ringing --answer--> ×',
    'ringing --established--> connected',
    'ringing --end--> ended',
    'incoming --ring--> ×',
    'incoming --earlyMedia--> ×',
    'incoming --answer--> connecting',
    'incoming --established--> ×',
    'incoming --end--> ended',
    'connecting --ring--> ×',
    'connecting --earlyMedia--> ×',
    'connecting --answer--> ×',
    'connecting --established--> connected',
    'connecting --end--> ended',
    'connected --ring--> ×',
    'connected --earlyMedia--> ×',
    'connected --answer--> ×',
    'connected --established--> ×',
    'connected --end--> ended',
    'ended --ring--> ×',
    'ended --earlyMedia--> ×',
    'ended --answer--> ×',
    'ended --established--> ×',
    'ended --end--> ×',
  ]);
});

test('a legal move applies its changes and tells the service; an illegal one is refused, logged, and changes nothing', () => {
  const { call, log, changed } = session('calling');
  expect(call.transition('ring')).toBe(true);
  expect(call.call.state).toBe('ringing');
  expect(call.transition('established', { connectedAt: 5 })).toBe(true);
  expect(call.call).toMatchObject({ state: 'connected', connectedAt: 5 });
  expect(changed).toHaveBeenCalledTimes(2);
  // A late 180 after the answer: refused.
  expect(call.transition('ring', { earlyMedia: true })).toBe(false);
  expect(call.call).toMatchObject({ state: 'connected' });
  expect(call.call.earlyMedia).toBeUndefined();
  expect(log.warn).toHaveBeenCalledWith(expect.stringContaining("no move 'ring' from connected"));
  expect(changed).toHaveBeenCalledTimes(2);
  expect(call.transition('end', { end: { reason: 'remoteHungUp' } })).toBe(true);
  // Nothing moves an ended call, not even a second end.
  expect(call.transition('end', { end: { reason: 'ended' } })).toBe(false);
  expect(call.call.end).toEqual({ reason: 'remoteHungUp' });
});

test("ending stops the call's timers but the one that clears it away; dispose stops that too", () => {
  const { call, clock } = session('incoming');
  const fired: string[] = [];
  call.ringTimer.schedule(1_000, () => fired.push('ring'));
  call.mediaTimer.schedule(1_000, () => fired.push('media'));
  call.lingerTimer.schedule(2_000, () => fired.push('linger'));
  call.transition('end');
  clock.advance(1_500);
  expect(fired).toEqual([]);
  clock.advance(1_000);
  expect(fired).toEqual(['linger']);
  call.lingerTimer.schedule(1_000, () => fired.push('again'));
  call.dispose();
  clock.advance(2_000);
  expect(fired).toEqual(['linger']);
});

test('who is in the call follows the other side it names, with what they send, through every change', () => {
  const { call } = session('calling');
  expect(call.call.participants).toEqual([{ uri: 'sip:bob@example.com', name: '', media: { camera: false, held: false } }]);
  call.update({ peerName: 'Bob' });
  call.theirMedia({ camera: true, held: false });
  call.transition('established');
  call.theirMedia({ camera: true, held: true });
  expect(call.call.participants).toEqual([{ uri: 'sip:bob@example.com', name: 'Bob', media: { camera: true, held: true } }]);
});
