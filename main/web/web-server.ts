import { Problem } from '../../shared/domain/problem.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../../shared/ipc/contract.js';
import { err, type Result } from '../../shared/ipc/result.js';
import { createLogger } from '../logger.js';
import { CONTENT_SECURITY_POLICY } from '../csp.js';

export interface WebServerOptions {
  /** Folder with the built renderer (index.html and assets). */
  readonly staticDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The IPC router (same one the desktop shell uses); `caller` names the page's socket. */
  readonly handle: (channel: unknown, payload: unknown, caller: { readonly id: string }) => Promise<Result<unknown>>;
  /** Registers a receiver of engine events for the page `callerId`; returns the function that removes it. */
  readonly addSink: (sink: (event: EventName, payload: unknown) => void, callerId: string) => () => void;
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
export const MAX_MESSAGE_BYTES = 1 << 20;
/** Requests one socket may have waiting for an answer; more are refused until some are answered. */
export const MAX_IN_FLIGHT = 64;
/** Output a socket may leave unread before it is dropped (a page that stopped reading). */
export const MAX_BUFFERED_BYTES = 8 << 20;

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
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 421, 'Misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    void serveStatic(options.staticDir, req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  // A malformed request or a peer that resets the connection must never reach the process.
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('upgrade', (req, socket, head) => {
    // Every socket gets an error handler first: a refused peer that resets the connection would
    // otherwise raise an unhandled 'error' and end the process.
    socket.on('error', (error) => log.debug(`upgrade socket: ${error.message}`));
    let ok: boolean;
    try {
      const url = new URL(req.url ?? '/', 'http://invalid');
      ok =
        url.pathname === '/ipc' &&
        allowedHosts().has(req.headers.host ?? '') &&
        allowedOrigins().has(req.headers.origin ?? '') &&
        sameSecret(url.searchParams.get('token') ?? '', token);
    } catch {
      ok = false; // an unparsable request target (`GET //[`) is simply refused
    }
    if (!ok) {
      log.warn(`refused a WebSocket from origin ${clip(req.headers.origin)} host ${clip(req.headers.host)}`);
      if (socket.writable) socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveIpc(ws, options));
  });
  wss.on('error', (error) => log.warn(`WebSocket server: ${error.message}`));

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

/**
 * One page's IPC socket. Whatever the page sends — a protocol error, invalid UTF-8, a frame over the
 * cap, a flood of requests, or no reading at all — costs at most this socket, never the engine.
 */
let sockets = 0;

function serveIpc(ws: WebSocket, options: WebServerOptions): void {
  let inFlight = 0;
  // This socket's name for the engine: its requests are this page's, and events meant for this page
  // alone (a call's media requests) come only here.
  const caller = { id: `web-${++sockets}` };
  const send = (message: unknown) => {
    if (ws.readyState !== ws.OPEN) return;
    // A page that stopped reading would make us hold every event for it: drop it instead.
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn('dropped a page that stopped reading its WebSocket');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message), (error) => {
      if (error) log.debug(`send: ${error.message}`);
    });
  };
  const removeSink = options.addSink((event, payload) => send({ type: 'event', event, payload }), caller.id);
  ws.on('close', removeSink);
  // ws reports protocol errors (oversize frame, invalid UTF-8, reserved bits, unmasked frames) here
  // and has already failed the connection; without a listener they would end the process.
  ws.on('error', (error) => {
    log.warn(`closed a page's WebSocket: ${error.message}`);
    ws.terminate();
  });
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
    if (inFlight >= MAX_IN_FLIGHT) {
      send({ type: 'response', id, result: err('state', Problem.Busy) });
      return;
    }
    inFlight++;
    void options
      .handle(channel, payload, caller)
      .catch(() => err('internal', Problem.Internal))
      .then((result) => {
        inFlight--;
        send({ type: 'response', id, result });
      });
  });
}

/** A header value as it may go into a log line: short, no control characters. */
function clip(value: string | undefined): string {
  if (value === undefined) return '(none)';
  return value.replace(/[\p{Cc}\p{Cf}]/gu, '?').slice(0, 80);
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
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  } catch {
    refuse(res, 404, 'Not found');
  }
}
