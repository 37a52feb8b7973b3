import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/ipc/result.js';
import { createLogger } from '../logger.js';
import { CONTENT_SECURITY_POLICY } from '../csp.js';

export interface WebServerOptions {
  /** Folder with the built renderer (index.html and assets). */
  readonly staticDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The IPC router (same one the desktop shell uses). */
  readonly handle: (channel: unknown, payload: unknown) => Promise<Result<unknown>>;
  /** Registers a receiver of engine events; returns the function that removes it. */
  readonly addSink: (sink: (event: EventName, payload: unknown) => void) => () => void;
  /** The per-launch secret; random if not given. */
  readonly token?: string;
}

export interface WebServer {
  /** The URL to open, carrying the secret in its fragment (never sent to the server in requests). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const log = createLogger('web');

/** Largest IPC message accepted from the page. */
const MAX_MESSAGE_BYTES = 1 << 20;

/**
 * Web mode: the renderer served on loopback and the IPC contract carried over a WebSocket.
 * Defences: binds 127.0.0.1 only; every request must name us in `Host` (no DNS rebinding); the
 * WebSocket must come from our own origin (no other page can drive it) and present the per-launch
 * secret.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server: Server = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 421, 'Misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    void serveStatic(options.staticDir, req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://invalid');
    const ok =
      url.pathname === '/ipc' &&
      allowedHosts().has(req.headers.host ?? '') &&
      allowedOrigins().has(req.headers.origin ?? '') &&
      sameSecret(url.searchParams.get('token') ?? '', token);
    if (!ok) {
      log.warn(`refused a WebSocket from origin ${req.headers.origin ?? '(none)'} host ${req.headers.host ?? '(none)'}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveIpc(ws, options));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveIpc(ws: WebSocket, options: WebServerOptions): void {
  const removeSink = options.addSink((event, payload) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'event', event, payload }));
  });
  ws.on('close', removeSink);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'text only');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'not JSON');
    }
    if (typeof message !== 'object' || message === null) return ws.close(1007, 'not an object');
    const { type, id, channel, payload } = message as Record<string, unknown>;
    if (type !== 'request' || typeof id !== 'number' || !Number.isSafeInteger(id)) return ws.close(1007, 'bad request');
    void options.handle(channel, payload).then((result) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'response', id, result }));
    });
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://invalid').pathname);
  } catch {
    return refuse(res, 400, 'Bad request');
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = normalize(join(root, pathname));
  if (!file.startsWith(normalize(root) + sep)) return refuse(res, 404, 'Not found');
  try {
    const info = await stat(file);
    if (!info.isFile()) return refuse(res, 404, 'Not found');
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  } catch {
    refuse(res, 404, 'Not found');
  }
}
