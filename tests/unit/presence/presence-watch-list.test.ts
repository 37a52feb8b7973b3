import { UserAgent } from 'sip.js';
import { describe, expect, test } from 'vitest';
import { PresenceWatchList, type WatchState } from '../../../main/presence/presence-watch-list.js';
import type { SipSession } from '../../../main/sip/sip-session.js';
import { FakeClock } from '../../support/fake-clock.js';

type Delegate = {
  onNotify?: (args: { request: unknown; subscription?: unknown }) => void;
  onReject?: (response: unknown) => void;
};

/**
 * A stand-in for the SIP session: records each SUBSCRIBE and lets the test play the notifier (the
 * NOTIFYs and final responses a server would send). The watch list's state machine runs on a fake
 * clock, so "never retried" is checked over a simulated day instead of a few real seconds.
 */
class FakeSession {
  readonly subscribes: { target: string; delegate: Delegate }[] = [];

  makeURI(uri: string) {
    return UserAgent.makeURI(uri);
  }

  subscribe(target: { toString(): string }, _headers: string[], delegate: Delegate) {
    this.subscribes.push({ target: target.toString(), delegate });
    return { waitNotifyStop: () => undefined, dispose: () => undefined };
  }

  /** The notifier answers the latest SUBSCRIBE with a NOTIFY in a new dialog. */
  notify(state: string, body = '', contentType = 'application/pidf+xml'): void {
    const last = this.subscribes.at(-1)!;
    const headers: Record<string, string> = { 'subscription-state': state, 'content-type': contentType };
    const request = { accept: () => undefined, message: { body, getHeader: (name: string) => headers[name.toLowerCase()] } };
    const subscription = { autoRefresh: false, delegate: undefined, subscriptionState: 'Active', dispose: () => undefined };
    last.delegate.onNotify?.({ request, subscription });
  }

  /** The server answers the latest SUBSCRIBE with a final failure. */
  reject(status: number, retryAfter?: string): void {
    const last = this.subscribes.at(-1)!;
    const message = { statusCode: status, getHeader: (name: string) => (name.toLowerCase() === 'retry-after' ? retryAfter : undefined) };
    last.delegate.onReject?.({ message });
  }
}

const BOB = 'sip:bob@uc.test';

async function setUp() {
  const clock = new FakeClock();
  const session = new FakeSession();
  const states: WatchState[] = [];
  const list = new PresenceWatchList((_uri, state) => states.push(state), { clock, random: () => 0.5 });
  list.add(BOB);
  await list.online(session as unknown as SipSession);
  return { clock, session, states, list };
}

describe('the presence watch list on a fake clock', () => {
  test('terminated;reason=rejected is never a loop: asked again only every 6 hours (4 times a day)', async () => {
    const { clock, session, list } = await setUp();
    expect(session.subscribes).toHaveLength(1);
    session.notify('pending');
    expect(list.get(BOB).subscription).toBe('pending');
    session.notify('terminated;reason=rejected');
    expect(list.get(BOB).subscription).toBe('rejected');
    clock.advance(6 * 3600_000 - 1);
    expect(session.subscribes).toHaveLength(1);
    // Each re-ask is rejected again at once (the notifier answers within the second); over a day
    // that is 4 more SUBSCRIBEs, no more.
    (session.subscribes[0] as { answered?: boolean }).answered = true;
    for (let second = 0; second < 24 * 3600; second++) {
      clock.advance(1_000);
      const last = session.subscribes.at(-1) as { answered?: boolean };
      if (last.answered !== true) {
        last.answered = true;
        session.notify('terminated;reason=rejected');
      }
    }
    expect(session.subscribes.length).toBeLessThanOrEqual(5);
    expect(session.subscribes.length).toBeGreaterThanOrEqual(4);
  });

  test('403 and 603 to the SUBSCRIBE are "not sharing" too: nothing more for 6 hours', async () => {
    for (const status of [403, 603]) {
      const { clock, session, list } = await setUp();
      session.reject(status);
      expect(list.get(BOB).subscription).toBe('rejected');
      clock.advance(6 * 3600_000 - 1);
      expect(session.subscribes).toHaveLength(1);
    }
  });

  test('a subscription the server keeps ending at once is retried with backoff, never in a tight loop', async () => {
    const { clock, session } = await setUp();
    // The server accepts and immediately deactivates, every time (a loop a naive client follows at once).
    for (let minute = 0; minute < 60; minute++) {
      // Bounded, so that a client that does loop makes this test fail instead of hang.
      for (let guard = 0; guard < 1_000 && (session.subscribes.at(-1) as { answered?: boolean }).answered !== true; guard++) {
        (session.subscribes.at(-1) as { answered?: boolean }).answered = true;
        session.notify('terminated;reason=deactivated');
      }
      clock.advance(60_000);
    }
    // Backoff doubles from 1–3 s up to 5 minutes: an hour holds about a dozen tries, not thousands.
    expect(session.subscribes.length).toBeGreaterThan(3);
    expect(session.subscribes.length).toBeLessThan(25);
  });

  test('a failure without a final answer (408, timeout) is retried after a backoff, not at once', async () => {
    const { clock, session, list } = await setUp();
    session.reject(408);
    expect(list.get(BOB).subscription).toBe('failed');
    expect(session.subscribes).toHaveLength(1);
    clock.advance(Math.max(...clock.pendingDelays));
    expect(session.subscribes).toHaveLength(2);
  });
});
