import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Engine } from '../../../main/engine.js';
import { createRouter } from '../../../main/ipc/router.js';
import { FileSecretStore } from '../../../main/store/secret-store.js';
import type { EventName } from '../../../shared/ipc/contract.js';
import { MAX_IN_FLIGHT, startWebServer, type WebServer } from '../../../main/web/web-server.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-websrv-'));
const staticDir = join(dir, 'static');
let engine: Engine;
let server: WebServer;
let token: string;

beforeAll(async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(dir, 'outside.txt'), 'not for you');
  engine = new Engine({
    dataDir: join(dir, 'data'),
    mode: 'web',
    version: '0.0.0-test',
    secrets: new FileSecretStore(join(dir, 'data', 'credentials.json')),
  });
  server = await startWebServer({ staticDir, port: 0, handle: createRouter(engine.handlers), addSink: (sink) => engine.addSink(sink) });
  token = new URL(server.url).hash.replace('#token=', '');
});

afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(options: { token?: string; origin?: string; host?: string } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc?token=${encodeURIComponent(options.token ?? token)}`, {
    origin: options.origin ?? `http://127.0.0.1:${server.port}`,
    headers: options.host ? { Host: options.host } : {},
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends a request and resolves with its response (events that arrive meanwhile are skipped). */
function ask(ws: WebSocket, message: { id: number } & Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { type: string; id?: number };
      if (reply.type !== 'response' || reply.id !== message.id) return;
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(message));
  });
}

describe('web mode serves the renderer on loopback only', () => {
  test('binds 127.0.0.1 and prints a URL whose secret is in the fragment', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  test('serves the page with the strict CSP and no-sniff headers', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Parley</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  test('refuses a foreign Host (DNS rebinding) and paths outside the renderer', async () => {
    expect((await get('/', `attacker.example:${server.port}`)).status).toBe(421);
    expect((await get('/', '127.0.0.1:1')).status).toBe(421);
    expect((await get('/../outside.txt')).status).toBe(404);
    expect((await get('/%2e%2e/outside.txt')).status).toBe(404);
    expect((await get('/..%2foutside.txt')).status).toBe(404);
  });
});

describe('the IPC WebSocket', () => {
  test('answers the contract for our own page with the secret', async () => {
    const ws = await openSocket();
    await expect(ask(ws, { type: 'request', id: 1, channel: 'app:getInfo' })).resolves.toEqual({
      type: 'response',
      id: 1,
      result: {
        ok: true,
        value: { mode: 'web', version: '0.0.0-test', secretStorage: { kind: 'file', location: join(dir, 'data', 'credentials.json') } },
      },
    });
    ws.close();
  });

  test('refuses a missing or wrong secret, another origin and a foreign Host', async () => {
    await expect(openSocket({ token: '' })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ token: token.slice(1) + 'x' })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ origin: 'null' })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ host: `rebound.example:${server.port}` })).rejects.toThrow('HTTP 403');
  });

  test('validates payloads in main and closes on garbage', async () => {
    const ws = await openSocket();
    await expect(ask(ws, { type: 'request', id: 2, channel: 'account:signIn', payload: { address: 1 } })).resolves.toMatchObject({
      id: 2,
      result: { ok: false, error: { kind: 'invalid' } },
    });
    await expect(ask(ws, { type: 'request', id: 3, channel: 'shell:exec', payload: 'rm -rf /' })).resolves.toMatchObject({
      id: 3,
      result: { ok: false, error: { kind: 'invalid', problem: 'unknownRequest' } },
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('{not json');
    expect(await closed).toBe(1007);
  });

  test('pushes engine events to the page', async () => {
    const ws = await openSocket();
    const events: unknown[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'event') events.push(message);
    });
    await ask(ws, {
      type: 'request',
      id: 4,
      channel: 'account:signIn',
      payload: { address: 'alice@uc.test', password: 'pw', server: 'ws://127.0.0.1:9', rememberPassword: false },
    });
    expect(events).toEqual([
      { type: 'event', event: 'onDidChangeConnection', payload: expect.objectContaining({ status: 'signingIn' }) },
      {
        type: 'event',
        event: 'onDidChangeConnection',
        payload: {
          status: 'signedOut',
          error: {
            kind: 'unreachable',
            problem: 'signIn',
            signIn: { problem: 'connectionRefused', server: 'ws://127.0.0.1:9' },
          },
        },
      },
    ]);
    ws.close();
  });
});

/** A raw TCP connection to the web server: whatever bytes the test writes, the server gets. */
function rawSocket(): Promise<import('node:net').Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** The server still serves pages and the contract (it did not die or wedge). */
async function stillServing(): Promise<void> {
  expect((await get('/')).status).toBe(200);
  const ws = await openSocket();
  expect(await ask(ws, { type: 'request', id: 1, channel: 'app:getInfo' })).toMatchObject({ result: { ok: true } });
  ws.close();
}

/** A client-to-server WebSocket frame, masked unless told otherwise (RFC 6455 §5.2). */
function frame(opcode: number, payload: Buffer, options: { mask?: boolean; rsv?: number } = {}): Buffer {
  const mask = options.mask ?? true;
  const first = 0x80 | ((options.rsv ?? 0) << 4) | opcode;
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([first, (mask ? 0x80 : 0) | length])
      : Buffer.from([first, (mask ? 0x80 : 0) | 126, length >> 8, length & 0xff]);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([header, key, masked]);
}

/** Opens the IPC WebSocket by hand on a raw socket, so the test can send frames ws would never build. */
async function rawIpc(): Promise<import('node:net').Socket> {
  const socket = await rawSocket();
  socket.write(
    [
      `GET /ipc?token=${encodeURIComponent(token)} HTTP/1.1`,
      `Host: 127.0.0.1:${server.port}`,
      `Origin: http://127.0.0.1:${server.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return socket;
}

const closed = (socket: import('node:net').Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('hostile clients cost at most their own connection', () => {
  test('an upgrade request with an unparsable target (GET //[) is refused and the server lives on', async () => {
    const socket = await rawSocket();
    socket.write(
      `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const answer = await new Promise<string>((resolve) => socket.once('data', (data) => resolve(data.toString())));
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    socket.destroy();
    await stillServing();
  });

  test('a refused upgrade followed by a TCP reset does not end the process', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = await rawSocket();
      socket.on('error', () => undefined);
      socket.write(`GET /ipc?token=wrong HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
      socket.resetAndDestroy();
    }
    await stillServing();
  });

  test('protocol errors (oversize frame, invalid UTF-8, reserved bits, unmasked frame) close that socket only', async () => {
    const attacks: [string, Buffer][] = [
      ['oversize', frame(0x1, Buffer.alloc(0))], // replaced below: a header announcing more than the cap
      ['invalid UTF-8', frame(0x1, Buffer.from([0xc3, 0x28]))],
      ['reserved bits', frame(0x1, Buffer.from('{}'), { rsv: 0b010 })],
      ['unmasked', frame(0x1, Buffer.from('{}'), { mask: false })],
    ];
    // 0x7f: a 64-bit length follows; announce 2 MiB (over the 1 MiB cap).
    attacks[0]![1] = Buffer.concat([Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x20, 0, 0]), randomBytes(4)]);
    const bystander = await openSocket();
    for (const [name, bytes] of attacks) {
      const socket = await rawIpc();
      const gone = closed(socket);
      socket.on('error', () => undefined);
      socket.write(bytes);
      await gone;
      expect(name).toBeTruthy();
    }
    expect(bystander.readyState).toBe(WebSocket.OPEN);
    expect(await ask(bystander, { type: 'request', id: 7, channel: 'app:getInfo' })).toMatchObject({ result: { ok: true } });
    bystander.close();
    await stillServing();
  });

  test('a flood of requests from one page is answered "busy" beyond the cap instead of queueing without end', async () => {
    // A server whose handler never answers on its own: every request stays in flight.
    const waiting: (() => void)[] = [];
    const slow = await startWebServer({
      staticDir,
      port: 0,
      handle: () => new Promise((resolve) => waiting.push(() => resolve({ ok: true, value: null }))),
      addSink: () => () => undefined,
    });
    try {
      const slowToken = new URL(slow.url).hash.replace('#token=', '');
      const ws = new WebSocket(`ws://127.0.0.1:${slow.port}/ipc?token=${slowToken}`, { origin: `http://127.0.0.1:${slow.port}` });
      await new Promise((resolve) => ws.once('open', resolve));
      const replies: { id: number; result: { ok: boolean; error?: { kind: string } } }[] = [];
      ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString()) as (typeof replies)[number]));
      const count = MAX_IN_FLIGHT + 20;
      for (let id = 1; id <= count; id++) ws.send(JSON.stringify({ type: 'request', id, channel: 'app:getInfo' }));
      // The 20 over the cap are answered at once, "busy"; the rest wait for the handler.
      await vi.waitFor(() => expect(replies).toHaveLength(20));
      expect(replies.every((r) => r.result.error?.kind === 'state')).toBe(true);
      expect(waiting).toHaveLength(MAX_IN_FLIGHT);
      for (const release of waiting.splice(0)) release();
      await vi.waitFor(() => expect(replies).toHaveLength(count));
      ws.close();
    } finally {
      await slow.close();
    }
  });

  test('a page that stops reading is dropped once its unread output passes the cap', async () => {
    let push: ((event: EventName, payload: unknown) => void) | undefined;
    const chatty = await startWebServer({
      staticDir,
      port: 0,
      handle: async () => ({ ok: true, value: null }),
      addSink: (sink) => {
        push = sink;
        return () => (push = undefined);
      },
    });
    try {
      const chattyToken = new URL(chatty.url).hash.replace('#token=', '');
      const socket = await new Promise<import('node:net').Socket>((resolve) => {
        const s = connect(chatty.port, '127.0.0.1', () => resolve(s));
      });
      socket.write(
        `GET /ipc?token=${chattyToken} HTTP/1.1\r\nHost: 127.0.0.1:${chatty.port}\r\nOrigin: http://127.0.0.1:${chatty.port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.pause(); // and never reads again
      const gone = closed(socket);
      const big = 'x'.repeat(512 * 1024);
      // At most 64 MiB: far past the kernel's buffers and the 8 MiB cap.
      for (let i = 0; i < 128 && push; i++) {
        push('onDidChangeMyPresence', { note: big });
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(push).toBeUndefined(); // the server let go of this page
      socket.destroy();
      await gone;
    } finally {
      await chatty.close();
    }
  });
});
