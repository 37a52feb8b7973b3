import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { EngineFleet } from './engines.js';

/**
 * An in-process SIP switch over WebSocket on loopback (RFC 7118), for logic tests that need two or
 * more engines talking without Kamailio: a registrar without authentication, a presence server that
 * accepts every PUBLISH and SUBSCRIBE (and says nothing more), and a transparent router that hands
 * each request to the registered client it names — by address of record, or by a dialog's Contact —
 * and each response back to the socket whose request it answers (by the top Via's branch). It adds
 * no Via and no Record-Route: the clients' own dialogs do the rest. Milliseconds per call or message.
 */
export class SipHub {
  /** Each client's socket by the user part of its Contact (in-dialog requests name it). */
  private readonly byContactUser = new Map<string, { socket: WebSocket; contact: string }>();
  /** Each address of record's registration (its last one). */
  private readonly byAor = new Map<string, { socket: WebSocket; contact: string; contactUser: string }>();
  /** Who sent the request with this Via branch (its responses go back there). */
  private readonly branches = new Map<string, WebSocket | 'hub'>();
  private readonly sockets = new Set<WebSocket>();
  /** Every request the hub saw, as `METHOD user` lines (for a test to count). */
  readonly seen: string[] = [];
  /** The CSeq number of every ACK the hub passed on (which INVITE of a dialog it confirms). */
  readonly acks: number[] = [];
  private cseq = 1;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly port: number,
    readonly domain: string,
    private readonly http: Server,
  ) {}

  static async start(domain = 'hub.test'): Promise<SipHub> {
    // Plain HTTP on the same port answers the XCAP root derived from the server's address: rules
    // are taken (200), and there are none to read (404).
    const http = createServer((request, response) => {
      response.statusCode = request.method === 'PUT' ? 200 : 404;
      response.end();
    });
    const wss = new WebSocketServer({ server: http, handleProtocols: () => 'sip' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const address = http.address();
    const hub = new SipHub(wss, typeof address === 'object' && address ? address.port : 0, domain, http);
    wss.on('connection', (socket) => {
      hub.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => hub.forget(socket));
      socket.on('message', (data) => hub.receive(socket, data.toString()));
    });
    return hub;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** In-dialog requests the hub answers itself, once each, instead of passing them on. */
  private readonly refusals: { method: string; status: number; headers: string[] }[] = [];

  /** Answers the next in-dialog `method` request itself with `status` (and `headers`), as a far end would. */
  refuseNext(method: string, status: number, headers: string[] = []): void {
    this.refusals.push({ method, status, headers });
  }

  /** In-dialog requests the hub loses, once each (a connection that dropped with them in it). */
  private readonly losses: string[] = [];

  /** Loses the next in-dialog `method` request: it reaches nobody. */
  loseNext(method: string): void {
    this.losses.push(method);
  }

  /** Whether `user` is registered now. */
  registered(user: string): boolean {
    return this.byAor.has(user);
  }

  /** Drops every client's connection (a server restart, a network cut). */
  dropClients(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private forget(socket: WebSocket): void {
    this.sockets.delete(socket);
    for (const [user, entry] of this.byAor) if (entry.socket === socket) this.byAor.delete(user);
    for (const [user, entry] of this.byContactUser) if (entry.socket === socket) this.byContactUser.delete(user);
  }

  private receive(socket: WebSocket, text: string): void {
    // SIP_HUB_TRACE=1 shows the traffic (the first line and the routing headers of each message).
    if (process.env.SIP_HUB_TRACE) {
      const lines = text.split('\r\n').filter((line, i) => i === 0 || /^(Via|CSeq|Call-ID)/.test(line));
      console.log(`>>> ${lines.join(' | ')}`);
    }
    if (text.trim() === '') return; // keep-alive (RFC 5626 §4.4.1 CRLF)
    if (text.startsWith('SIP/2.0')) {
      const target = this.branches.get(branchOf(text));
      if (target && target !== 'hub') send(target, text);
      return;
    }
    const [method = '', uri = ''] = text.slice(0, text.indexOf('\r\n')).split(' ');
    const user = /^sips?:([^@;>]+)@/i.exec(uri)?.[1] ?? '';
    this.seen.push(`${method} ${user}`);
    if (method === 'ACK') this.acks.push(Number(/^CSeq:\s*(\d+)/im.exec(text)?.[1] ?? 0));
    this.branches.set(branchOf(text), socket);
    if (this.branches.size > 10_000) this.branches.delete(this.branches.keys().next().value!);
    switch (method) {
      case 'REGISTER':
        return this.register(socket, text);
      case 'PUBLISH':
        return this.answer(socket, text, 200, [`SIP-ETag: ${token()}`, `Expires: ${header(text, 'Expires') ?? '3600'}`]);
      case 'SUBSCRIBE':
        if (!this.byContactUser.has(user)) return this.subscribe(socket, text);
        break;
      case 'OPTIONS':
        if (!this.byContactUser.has(user) && !this.byAor.has(user)) return this.answer(socket, text, 200);
        break;
    }
    // A dialog's request names the client's Contact; a new one names an address of record, which
    // the registrar turns into that client's Contact (RFC 3261 §16.5).
    const inDialog = this.byContactUser.get(user);
    const loss = inDialog ? this.losses.indexOf(method) : -1;
    if (loss >= 0) {
      this.losses.splice(loss, 1);
      return;
    }
    const refusal = inDialog ? this.refusals.findIndex((entry) => entry.method === method) : -1;
    if (refusal >= 0) {
      const { status, headers } = this.refusals.splice(refusal, 1)[0]!;
      this.answer(socket, text, status, headers);
      return;
    }
    const registered = inDialog ? undefined : this.byAor.get(user);
    const target = inDialog?.socket ?? registered?.socket;
    if (!target) {
      if (method !== 'ACK') this.answer(socket, text, method === 'INVITE' || method === 'MESSAGE' ? 480 : 404);
      return;
    }
    send(target, registered ? text.replace(/^(\S+) \S+/, `$1 ${registered.contact}`) : text);
  }

  private register(socket: WebSocket, text: string): void {
    const user = /^sips?:([^@;>]+)@/i.exec(/^To:.*<([^>]+)>/im.exec(text)?.[1] ?? '')?.[1] ?? '';
    const contactHeader = header(text, 'Contact') ?? '';
    const contact = /<([^>]+)>/.exec(contactHeader)?.[1] ?? '';
    const expires = Number(/;\s*expires=(\d+)/i.exec(contactHeader)?.[1] ?? header(text, 'Expires') ?? '600');
    const contactUser = /^sips?:([^@;>]+)@/i.exec(contact)?.[1] ?? '';
    if (expires === 0) {
      this.byAor.delete(user);
      this.byContactUser.delete(contactUser);
      return this.answer(socket, text, 200);
    }
    this.byAor.set(user, { socket, contact, contactUser });
    this.byContactUser.set(contactUser, { socket, contact });
    this.answer(socket, text, 200, [`Contact: <${contact}>;expires=${expires}`]);
  }

  /** Accepts a subscription and says so in its first NOTIFY (RFC 6665 §4.2.2), with no document. */
  private subscribe(socket: WebSocket, text: string): void {
    const expires = header(text, 'Expires') ?? '600';
    const toTag = /;tag=([^;>\s]+)/.exec(header(text, 'To') ?? '')?.[1] ?? token();
    const contact = `<sip:hub@127.0.0.1:${this.port};transport=ws>`;
    this.answer(socket, text, 200, [`Expires: ${expires}`, `Contact: ${contact}`], toTag);
    const target = /<([^>]+)>/.exec(header(text, 'Contact') ?? '')?.[1];
    if (!target) return;
    const event = header(text, 'Event') ?? 'presence';
    const state = expires === '0' ? 'terminated;reason=timeout' : `active;expires=${expires}`;
    const branch = `z9hG4bK${token()}`;
    this.branches.set(branch, 'hub');
    const from = header(text, 'To')!.replace(/;tag=[^;>\s]+/, '');
    send(
      socket,
      [
        `NOTIFY ${target} SIP/2.0`,
        `Via: SIP/2.0/WS 127.0.0.1:${this.port};branch=${branch}`,
        'Max-Forwards: 70',
        `From: ${from};tag=${toTag}`,
        `To: ${header(text, 'From')}`,
        `Call-ID: ${header(text, 'Call-ID')}`,
        `CSeq: ${this.cseq++} NOTIFY`,
        `Contact: ${contact}`,
        `Event: ${event}`,
        `Subscription-State: ${state}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  }

  private answer(socket: WebSocket, request: string, status: number, extra: string[] = [], toTag?: string): void {
    const to = header(request, 'To') ?? '';
    const tagged = /;tag=/.test(to) ? to : `${to};tag=${toTag ?? token()}`;
    const lines = [
      `SIP/2.0 ${status} ${REASONS[status] ?? 'Answer'}`,
      ...headers(request, 'Via').map((via) => `Via: ${via}`),
      `From: ${header(request, 'From')}`,
      `To: ${tagged}`,
      `Call-ID: ${header(request, 'Call-ID')}`,
      `CSeq: ${header(request, 'CSeq')}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ];
    send(socket, lines.join('\r\n'));
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  404: 'Not Found',
  480: 'Temporarily Unavailable',
  491: 'Request Pending',
  500: 'Server Internal Error',
};

/** Messages waiting for each socket: one leaves per turn of the event loop, as over a network. */
const queues = new WeakMap<WebSocket, string[]>();

/**
 * Sends in order, one message per turn of the event loop: a client then handles each (its ACK, say)
 * before the next arrives, as it would over a real network — two frames read in one go would reach
 * sip.js back to back, where an ACK still being processed makes it refuse a re-INVITE (500).
 */
function send(socket: WebSocket, text: string): void {
  const queue = queues.get(socket);
  if (queue) {
    queue.push(text);
    return;
  }
  const fresh = [text];
  queues.set(socket, fresh);
  const drain = () => {
    const next = fresh.shift();
    if (next === undefined) {
      queues.delete(socket);
      return;
    }
    if (socket.readyState === socket.OPEN) socket.send(next);
    setImmediate(drain);
  };
  drain();
}

function token(): string {
  return randomBytes(6).toString('hex');
}

function headerSection(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? text : text.slice(0, end);
}

function headers(text: string, name: string): string[] {
  const pattern = new RegExp(`^${name}:\\s*(.*)$`, 'gim');
  return [...headerSection(text).matchAll(pattern)].map((match) => match[1]!.trim());
}

function header(text: string, name: string): string | undefined {
  return headers(text, name)[0];
}

function branchOf(text: string): string {
  return /;branch=([^;,\s]+)/i.exec(header(text, 'Via') ?? '')?.[1] ?? '';
}

/**
 * For a test file: the in-process hub and a fleet of engines signed in to it, started before the
 * file's tests and closed after them (`hub` and `fleet` are read inside the tests).
 */
export function hubForFile(hooks: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void }): {
  readonly hub: SipHub;
  readonly fleet: EngineFleet;
} {
  const started: { hub?: SipHub; fleet?: EngineFleet } = {};
  hooks.beforeAll(async () => {
    started.hub = await SipHub.start();
    started.fleet = new EngineFleet(started.hub);
  });
  hooks.afterAll(async () => {
    await started.fleet?.dispose();
    await started.hub?.close();
  });
  return {
    get hub() {
      return started.hub!;
    },
    get fleet() {
      return started.fleet!;
    },
  };
}
