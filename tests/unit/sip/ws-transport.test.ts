import { deflateSync, gzipSync } from 'node:zlib';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { parsePidf } from '../../../main/presence/pidf.js';
import { decodeBinary, MAX_SIP_MESSAGE_BYTES, SentAcks, telToSip, withAllow, WsTransport } from '../../../main/sip/ws-transport.js';

const logger = { error: vi.fn(), warn: vi.fn(), log: vi.fn(), debug: vi.fn() } as unknown as ConstructorParameters<typeof WsTransport>[0];
const servers: WebSocketServer[] = [];

async function server(onConnection: (socket: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  servers.push(wss);
  wss.on('connection', onConnection);
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  return `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

describe('telToSip (RFC 3966 numbers as RFC 3261 §19.1.6 maps them)', () => {
  const head = (from: string, to = '<sip:alice@uc.test>') =>
    `INVITE sip:alice@uc.test SIP/2.0\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: x\r\n\r\nbody tel:+1`;
  test('bracketed, with a display name and parameters; bare, with the header tag kept; compact names', () => {
    expect(telToSip(head('"Reception" <tel:+49-30-1234;phone-context=+49>;tag=a1'), 'uc.test')).toBe(
      head('"Reception" <sip:+49301234@uc.test;user=phone>;tag=a1'),
    );
    expect(telToSip(head('tel:+4930;isub=12;tag=b2'), 'uc.test')).toBe(head('<sip:+4930@uc.test;user=phone>;tag=b2'));
    expect(telToSip('OPTIONS sip:a SIP/2.0\r\nf: <tel:+1555>;tag=c\r\nt: tel:+1666\r\n\r\n', 'uc.test')).toBe(
      'OPTIONS sip:a SIP/2.0\r\nf: <sip:+1555@uc.test;user=phone>;tag=c\r\nt: <sip:+1666@uc.test;user=phone>\r\n\r\n',
    );
  });
  test('anything that is not a number, other headers and the body are left alone', () => {
    const odd = head('<tel:+49%0D%0AVia:x>;tag=a');
    expect(telToSip(odd, 'uc.test')).toBe(odd);
    const other = 'MESSAGE sip:a SIP/2.0\r\nP-Asserted-Identity: <tel:+1>\r\nFrom: <sip:b@c>;tag=1\r\n\r\ntel:+1';
    expect(telToSip(other, 'uc.test')).toBe(other);
  });
});

describe('withAllow', () => {
  test('replaces every Allow header with the truthful list, in the headers only', () => {
    const message =
      'SIP/2.0 405 Method Not Allowed\r\nVia: SIP/2.0/WSS x;branch=z9hG4bK1\r\nAllow: ACK,BYE,CANCEL,INFO,INVITE,MESSAGE,NOTIFY,OPTIONS,PRACK,REFER,REGISTER,SUBSCRIBE\r\nAllow-Events: presence\r\nContent-Length: 11\r\n\r\nAllow: body';
    const out = withAllow(message, ['NOTIFY', 'OPTIONS']);
    expect(out).toContain('\r\nAllow: NOTIFY, OPTIONS\r\n\r\nAllow: body');
    expect(out.split('\r\n\r\n')[0]!.match(/\r\nAllow:/g)).toHaveLength(1);
    expect(out).toContain('\r\nAllow-Events: presence');
  });

  test('leaves a message without Allow untouched', () => {
    const message = 'OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nContent-Length: 0\r\n\r\n';
    expect(withAllow(message, ['NOTIFY'])).toBe(message);
  });
});

/**
 * A WebSocket server that hands the test the raw TCP socket under it, to write bytes past ws
 * (several frames in one write, as a busy proxy's arrive; a frame as Kamailio 5.6 wrongly sends it).
 */
async function rawServer(): Promise<{
  url: string;
  raw: () => Duplex | undefined;
  serverSide: () => WebSocket | undefined;
  close: () => void;
}> {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'sip' });
  servers.push(wss);
  const http = createHttpServer();
  let raw: Duplex | undefined;
  let serverSide: WebSocket | undefined;
  http.on('upgrade', (request, socket, head) => {
    raw = socket;
    wss.handleUpgrade(request, socket, head, (ws) => (serverSide = ws));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  return {
    url: `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    raw: () => raw,
    serverSide: () => serverSide,
    close: () => http.close(),
  };
}

/** One unmasked text frame of a short message (RFC 6455 §5.2), as a server sends it. */
const frame = (text: string) => Buffer.concat([Buffer.from([0x81, text.length]), Buffer.from(text)]);

describe("Parley's WebSocket transport", () => {
  test("reads Kamailio 5.6's frame of a message over 64 KiB (a 4-byte length after marker 127) instead of failing the connection", async () => {
    // A server whose raw socket the test writes to, past ws: exactly the bytes Kamailio 5.6.3 sends.
    const { url, raw, serverSide, close } = await rawServer();
    try {
      const transport = new WsTransport(logger, { server: url });
      const messages: string[] = [];
      transport.onMessage = (text) => messages.push(text);
      let lost: Error | undefined;
      transport.onDisconnect = (error) => (lost = error ?? new Error('closed'));
      await transport.connect();
      await vi.waitFor(() => expect(serverSide()).toBeDefined());
      const watchers = Array.from(
        { length: 900 },
        (_, i) => `<watcher id="w${i}" event="subscribe" status="pending">sip:bot${i}@evil.test</watcher>`,
      );
      const notify = `NOTIFY sip:alice@uc.test SIP/2.0\r\nContent-Type: application/watcherinfo+xml\r\n\r\n${watchers.join('')}`;
      const payload = Buffer.from(notify, 'utf8');
      expect(payload.length).toBeGreaterThan(65_536);
      const header = Buffer.from([0x81, 0x7f, 0, 0, 0, 0]);
      header.writeUInt32BE(payload.length, 2);
      raw()!.write(Buffer.concat([header, payload]));
      serverSide()!.send('OPTIONS sip:alice@uc.test SIP/2.0\r\n\r\n');
      await vi.waitFor(() => expect(messages).toHaveLength(2));
      expect(messages[0]).toBe(notify);
      expect(messages[1]).toBe('OPTIONS sip:alice@uc.test SIP/2.0\r\n\r\n');
      expect(lost).toBeUndefined();
      await transport.disconnect();
    } finally {
      close();
    }
  });

  test('frames read in one go reach the SIP stack one per turn of the event loop (an ACK settles before the re-INVITE behind it)', async () => {
    const { url, raw, close } = await rawServer();
    try {
      const transport = new WsTransport(logger, { server: url });
      // What sip.js does with an ACK: part of it in a promise callback (its "ACK processing" flag).
      let settling = false;
      const seen: { text: string; settling: boolean }[] = [];
      transport.onMessage = (text) => {
        seen.push({ text, settling });
        settling = true;
        void Promise.resolve().then(() => (settling = false));
      };
      await transport.connect();
      await vi.waitFor(() => expect(raw()).toBeDefined());
      // Two frames in one TCP write: read together, as a busy client reads a proxy's ACK and re-INVITE.
      raw()!.write(Buffer.concat([frame('ACK sip:a@b SIP/2.0\r\n\r\n'), frame('INVITE sip:a@b SIP/2.0\r\n\r\n')]));
      await vi.waitFor(() => expect(seen).toHaveLength(2));
      expect(seen).toEqual([
        { text: 'ACK sip:a@b SIP/2.0\r\n\r\n', settling: false },
        { text: 'INVITE sip:a@b SIP/2.0\r\n\r\n', settling: false },
      ]);
      await transport.disconnect();
    } finally {
      close();
    }
  });

  test('a presence flood read in one go goes through in a few turns, not one turn per NOTIFY; a call’s message still waits a turn', async () => {
    const { url, raw, close } = await rawServer();
    try {
      const transport = new WsTransport(logger, { server: url });
      // Turns of the event loop, counted while the frames are handed over.
      let turn = 0;
      let counting = true;
      const count = () => {
        turn++;
        if (counting) setImmediate(count);
      };
      const seen: { text: string; turn: number }[] = [];
      transport.onMessage = (text) => seen.push({ text, turn });
      await transport.connect();
      await vi.waitFor(() => expect(raw()).toBeDefined());
      const notify = (n: number) => `NOTIFY sip:a@b SIP/2.0\r\nCSeq: ${n} NOTIFY\r\n\r\n`;
      const frames = [...Array.from({ length: 100 }, (_, i) => frame(notify(i + 1))), frame('ACK sip:a@b SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n')];
      frames.push(frame('INVITE sip:a@b SIP/2.0\r\nCSeq: 2 INVITE\r\n\r\n'));
      count();
      raw()!.write(Buffer.concat(frames));
      await vi.waitFor(() => expect(seen).toHaveLength(102));
      counting = false;
      expect(seen.map((message) => message.text)).toEqual([
        ...Array.from({ length: 100 }, (_, i) => notify(i + 1)),
        expect.stringMatching(/^ACK/),
        expect.stringMatching(/^INVITE/),
      ]);
      // 100 NOTIFYs in at most two batches (they took 100 turns, about 2 ms each under load)…
      expect(new Set(seen.slice(0, 100).map((message) => message.turn)).size).toBeLessThanOrEqual(2);
      // …and the re-INVITE after the ACK still comes a turn later.
      expect(seen[101]!.turn).toBeGreaterThan(seen[100]!.turn);
      await transport.disconnect();
    } finally {
      close();
    }
  });

  test('delivers text and binary frames as SIP text, and rewrites Allow on the way out', async () => {
    let serverSide: WebSocket | undefined;
    const received: string[] = [];
    const url = await server((socket) => {
      serverSide = socket;
      socket.on('message', (data) => received.push(data.toString()));
    });
    const transport = new WsTransport(logger, { server: url, allow: () => ['NOTIFY', 'OPTIONS'] });
    const messages: string[] = [];
    transport.onMessage = (text) => messages.push(text);
    await transport.connect();
    expect(transport.isConnected()).toBe(true);
    serverSide!.send('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
    serverSide!.send(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\n\r\nhé', 'utf8'), { binary: true });
    await vi.waitFor(() => expect(messages).toEqual(['OPTIONS sip:a@b SIP/2.0\r\n\r\n', 'MESSAGE sip:a@b SIP/2.0\r\n\r\nhé']));
    await transport.send('REGISTER sip:b SIP/2.0\r\nAllow: INVITE, MESSAGE\r\n\r\n');
    await vi.waitFor(() => expect(received).toEqual(['REGISTER sip:b SIP/2.0\r\nAllow: NOTIFY, OPTIONS\r\n\r\n']));
    await transport.disconnect();
    expect(transport.isConnected()).toBe(false);
  });

  test('a message over the cap closes this connection with a reason, and nothing throws', async () => {
    let serverSide: WebSocket | undefined;
    const url = await server((socket) => (serverSide = socket));
    const transport = new WsTransport(logger, { server: url });
    const lost = new Promise<Error | undefined>((resolve) => (transport.onDisconnect = resolve));
    transport.onMessage = () => undefined;
    await transport.connect();
    serverSide!.send('x'.repeat(MAX_SIP_MESSAGE_BYTES + 1));
    const error = await lost;
    expect(error?.message).toMatch(/closed/);
    expect(transport.isConnected()).toBe(false);
  });

  test('an exception inside the SIP stack stays there: the socket keeps working', async () => {
    let serverSide: WebSocket | undefined;
    const url = await server((socket) => (serverSide = socket));
    const transport = new WsTransport(logger, { server: url });
    const seen: string[] = [];
    transport.onMessage = (text) => {
      seen.push(text);
      if (text === 'first') throw new Error('bug in the stack');
    };
    await transport.connect();
    serverSide!.send('first');
    serverSide!.send('second');
    await vi.waitFor(() => expect(seen).toEqual(['first', 'second']));
    expect(transport.isConnected()).toBe(true);
    await transport.disconnect();
  });

  test('a refused connection rejects with the cause kept (ECONNREFUSED), not just "closed"', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const transport = new WsTransport(logger, { server: `ws://127.0.0.1:${port}` });
    await expect(transport.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(transport.lastFailure).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('refuses a URL that is not ws:// or wss://', () => {
    expect(() => new WsTransport(logger, { server: 'http://example.com' })).toThrow(/Not a WebSocket URL/);
  });
});

describe('bodies in another charset', () => {
  const latin1Notify = (body: Buffer, contentType = 'application/pidf+xml') =>
    Buffer.concat([
      Buffer.from(
        `NOTIFY sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 2 NOTIFY\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
        'latin1',
      ),
      body,
    ]);

  test('an XML body declared ISO-8859-1 is read as ISO-8859-1, and Content-Length restated in UTF-8 bytes', () => {
    const body = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:b@x"><tuple id="t"><status><basic>open</basic></status></tuple><note>Café à midi</note></presence>',
      'latin1',
    );
    const text = decodeBinary(latin1Notify(body))!;
    const [head, xml] = text.split('\r\n\r\n') as [string, string];
    expect(xml).toContain('<note>Café à midi</note>');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(xml, 'utf8')}`);
    expect(parsePidf(xml)).toEqual({ availability: 'available', note: 'Café à midi' });
  });

  test('a charset named in Content-Type counts too; UTF-8 (said or unsaid) is read as UTF-8', () => {
    const text = decodeBinary(latin1Notify(Buffer.from('Grüße', 'latin1'), 'text/plain; charset=ISO-8859-1'))!;
    expect(text.endsWith('\r\n\r\nGrüße')).toBe(true);
    const utf8 = decodeBinary(latin1Notify(Buffer.from('Grüße', 'utf8'), 'text/plain'))!;
    expect(utf8.endsWith('\r\n\r\nGrüße')).toBe(true);
  });

  test('an unknown charset or bytes that are not text are dropped, not guessed', () => {
    expect(decodeBinary(latin1Notify(Buffer.from('x'), 'text/plain; charset=x-klingon'))).toBeUndefined();
    expect(decodeBinary(Buffer.from([0x4e, 0x4f, 0xff, 0xfe]))).toBeUndefined();
  });
});

describe('compressed bodies (Content-Encoding: deflate, as Linphone sends its notifications)', () => {
  const compressed = (body: Buffer, encoding = 'deflate') =>
    Buffer.concat([
      Buffer.from(
        `MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 2 MESSAGE\r\nContent-Type: message/imdn+xml\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${body.length}\r\n\r\n`,
        'latin1',
      ),
      body,
    ]);
  const imdn = '<?xml version="1.0"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>call-1</message-id></imdn>';

  test('are inflated, the encoding header dropped and Content-Length restated', () => {
    const text = decodeBinary(compressed(deflateSync(Buffer.from(imdn))))!;
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    expect(body).toBe(imdn);
    expect(head).not.toMatch(/Content-Encoding/i);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(imdn)}`);
    expect(decodeBinary(compressed(gzipSync(Buffer.from(imdn)), 'gzip'))!.endsWith(imdn)).toBe(true);
  });

  test('a bomb (a few KB that inflate past 64 KiB) or bytes that do not inflate are dropped', () => {
    expect(decodeBinary(compressed(deflateSync(Buffer.alloc(10 * 1024 * 1024))))).toBeUndefined();
    expect(decodeBinary(compressed(Buffer.from([0x78, 0x9c, 1, 2, 3])))).toBeUndefined();
  });
});

test('the ACKs kept to send again on a new connection are bounded: the newest 64, none older than 64·T1', () => {
  let now = 0;
  const acks = new SentAcks(() => now);
  const ack = (n: number) => `ACK sip:b@c SIP/2.0\r\nCall-ID: call${n}\r\nCSeq: 2 ACK\r\nTo: <sip:b@c>;tag=t\r\n\r\n`;
  for (let n = 0; n < 100; n++) acks.remember(ack(n));
  expect(acks.recent()).toHaveLength(64);
  expect(acks.recent()[0]).toBe(ack(36));
  acks.remember(ack(99)); // the same ACK again: kept once
  expect(acks.recent()).toHaveLength(64);
  now = 32_001;
  acks.remember(ack(1000));
  expect(acks.recent()).toEqual([ack(1000)]);
});
