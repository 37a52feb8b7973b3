import type { Page } from 'playwright-core';

// What a page's calls carry, read from its own RTCPeerConnections: the page is loaded with a wrapper
// that lists every connection it makes, so a test can read their statistics as `getStats` gives them.

/** Makes the page keep a list of its RTCPeerConnections (before any of its scripts run). */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const list: RTCPeerConnection[] = [];
    (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections = list;
    window.RTCPeerConnection = class extends Original {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        list.push(this);
      }
    };
  });
}

/** The sum of one `inbound-rtp` counter over all of the page's connections, for `kind` media. */
export function inbound(page: Page, kind: 'audio' | 'video', counter: 'packetsReceived' | 'framesDecoded'): Promise<number> {
  return page.evaluate(
    async ([kind, counter]) => {
      let total = 0;
      for (const pc of (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections) {
        (await pc.getStats()).forEach((report: Record<string, unknown>) => {
          if (report.type === 'inbound-rtp' && report.kind === kind) total += Number(report[counter] ?? 0);
        });
      }
      return total;
    },
    [kind, counter] as const,
  );
}

/** Audio RTP packets the page has received, over all its calls. */
export const audioPacketsIn = (page: Page) => inbound(page, 'audio', 'packetsReceived');

/** Video frames the page has decoded, over all its calls. */
export const videoFramesIn = (page: Page) => inbound(page, 'video', 'framesDecoded');

/** The negotiated direction of the audio in the page's newest open connection (or 'none'). */
export function audioDirection(page: Page): Promise<string> {
  return page.evaluate(() => {
    const list = (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    const live = list.filter((pc) => pc.connectionState !== 'closed').at(-1);
    return live?.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.currentDirection ?? 'none';
  });
}

/** Live camera tracks the page sends in its open connections (0 once the camera is off). */
export function camerasSending(page: Page): Promise<number> {
  return page.evaluate(() => {
    const list = (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    return list
      .filter((pc) => pc.connectionState !== 'closed')
      .flatMap((pc) => pc.getSenders())
      .filter((sender) => sender.track?.kind === 'video' && sender.track.readyState === 'live').length;
  });
}

/**
 * A WebRTC-shaped audio SDP (ICE credentials and a DTLS fingerprint) for engines without a page:
 * tests answer their media requests with it. No media ever flows.
 */
export const PAGELESS_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'm=audio 9 UDP/TLS/RTP/SAVPF 0',
  'c=IN IP4 127.0.0.1',
  'a=ice-ufrag:test',
  'a=ice-pwd:testtesttesttesttesttest',
  'a=sendrecv',
  '',
].join('\r\n');

/**
 * Makes the page keep the calls its Parley last told it about (read from the web-mode socket's
 * `onDidChangeCalls` events), so a test can learn a call's id — as the desktop shell does when it
 * opens a call window for it.
 */
export async function trackCalls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Original = window.WebSocket;
    const state = { calls: [] as { id: string; state: string }[] };
    (window as unknown as { testCalls: typeof state }).testCalls = state;
    window.WebSocket = class extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (event: MessageEvent) => {
          try {
            const message = JSON.parse(String(event.data)) as { type?: string; event?: string; payload?: unknown };
            if (message.type === 'event' && message.event === 'onDidChangeCalls') state.calls = message.payload as typeof state.calls;
          } catch {
            // not for us
          }
        });
      }
    };
  });
}

/** The calls the page last heard of (see `trackCalls`). */
export const knownCalls = (page: Page) =>
  page.evaluate(() => (window as unknown as { testCalls: { calls: { id: string; state: string }[] } }).testCalls.calls);
