import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { Engine } from '../../../main/engine.js';
import { createRouter } from '../../../main/ipc/router.js';
import { FileSecretStore } from '../../../main/store/secret-store.js';
import { startWebServer, type WebServer } from '../../../main/web/web-server.js';

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
      result: { ok: false, error: { kind: 'invalid', message: 'Unknown request.' } },
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
        payload: { status: 'signedOut', error: { kind: 'unreachable', message: "Can't reach the server at ws://127.0.0.1:9." } },
      },
    ]);
    ws.close();
  });
});
