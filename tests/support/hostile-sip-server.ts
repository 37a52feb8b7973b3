import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';

/** One SIP request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly text: string;
  header(name: string): string | undefined;
}

/** How the server answers a request: a status line's code and reason, extra headers. */
export interface Answer {
  readonly status: number;
  readonly reason?: string;
  readonly headers?: string[];
  /** Close the connection right after answering (a server that accepts and then drops the client). */
  readonly thenClose?: boolean;
  /** After the answer, send this NOTIFY in the new subscription's dialog (SUBSCRIBE only). */
  readonly notify?: { readonly state: string; readonly body?: string; readonly contentType?: string };
}

const REASONS: Record<number, string> = {
  200: 'OK',
  202: 'Accepted',
  412: 'Conditional Request Failed',
  423: 'Interval Too Brief',
  503: 'Service Unavailable',
};

/**
 * A hand-written SIP-over-WebSocket server (RFC 7118) that answers exactly as a test tells it: a
 * registrar granting absurd lifetimes, a presence server asking to be retried "after 0 seconds", a
 * notifier that ends every subscription on probation. No authentication, no routing: one client, its
 * requests counted by method, so a test can see a retry loop for what it is.
 */
export class HostileSipServer {
  private readonly requests: ReceivedRequest[] = [];
  private readonly policies = new Map<string, (request: ReceivedRequest) => Answer>();
  private notifyCseq = 1;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly port: number,
    private readonly https?: HttpsServer,
  ) {}

  /** Starts on a free port; with `tls`, as a `wss://` server with that key and certificate. */
  static async start(options: { tls?: { key: string; cert: string }; port?: number } = {}): Promise<HostileSipServer> {
    let wss: WebSocketServer;
    let https: HttpsServer | undefined;
    if (options.tls) {
      https = createHttpsServer({ key: options.tls.key, cert: options.tls.cert });
      https.on('tlsClientError', () => undefined); // a client refusing our certificate hangs up
      await new Promise<void>((resolve) => https!.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
      wss = new WebSocketServer({ server: https, handleProtocols: () => 'sip' });
    } else {
      wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0, handleProtocols: () => 'sip' });
      await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    }
    const address = (https ?? wss).address();
    const server = new HostileSipServer(wss, typeof address === 'object' && address ? address.port : 0, https);
    wss.on('connection', (socket) => {
      socket.on('error', () => undefined);
      socket.on('message', (data) => server.receive(socket, data.toString()));
    });
    return server;
  }

  get url(): string {
    return this.https ? `wss://localhost:${this.port}` : `ws://127.0.0.1:${this.port}`;
  }

  /** Answers `method` requests with what `policy` says (default: 200 OK with what was asked). */
  on(method: string, policy: (request: ReceivedRequest) => Answer): void {
    this.policies.set(method, policy);
  }

  /** Drops every open connection (as a crashing or restarting server would). */
  dropClients(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  /** How many requests of `method` arrived so far. */
  count(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  received(method: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    if (this.https) {
      this.https.closeAllConnections();
      await new Promise((resolve) => this.https!.close(resolve));
    }
  }

  private receive(socket: WebSocket, text: string): void {
    if (text.startsWith('SIP/2.0')) return; // answers to our NOTIFYs
    const head = text.split('\r\n\r\n')[0]!;
    const method = /^([A-Z]+) /.exec(head)?.[1] ?? '';
    const header = (name: string) => new RegExp(`\\r\\n${name}\\s*:\\s*([^\\r\\n]*)`, 'i').exec(head)?.[1];
    const request: ReceivedRequest = { method, text, header };
    this.requests.push(request);
    if (method === 'ACK') return;
    const policy: (request: ReceivedRequest) => Answer = this.policies.get(method) ?? (() => ({ status: 200 }));
    const answer = policy(request);
    const toTag = randomBytes(4).toString('hex');
    const to = header('to') ?? '';
    const lines = [
      `SIP/2.0 ${answer.status} ${answer.reason ?? REASONS[answer.status] ?? 'Whatever'}`,
      ...head
        .split('\r\n')
        .filter((line) => /^via\s*:/i.test(line))
        .map((line) => line),
      `From: ${header('from')}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${toTag}`}`,
      `Call-ID: ${header('call-id')}`,
      `CSeq: ${header('cseq')}`,
      ...(method === 'REGISTER' && answer.status === 200 && !(answer.headers ?? []).some((h) => /^contact/i.test(h)) && header('contact')
        ? [`Contact: ${header('contact')}`]
        : []),
      ...(answer.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ];
    socket.send(lines.join('\r\n'));
    if (answer.thenClose) {
      setImmediate(() => socket.close());
      return;
    }
    if (method === 'SUBSCRIBE' && answer.notify) {
      const contact = /<([^>]+)>/.exec(header('contact') ?? '')?.[1] ?? '';
      const body = Buffer.from(answer.notify.body ?? '', 'utf8');
      const notify = [
        `NOTIFY ${contact} SIP/2.0`,
        `Via: SIP/2.0/WS 127.0.0.1:${this.port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        'Max-Forwards: 70',
        `From: ${/;tag=/.test(to) ? to : `${to};tag=${toTag}`}`,
        `To: ${header('from')}`,
        `Call-ID: ${header('call-id')}`,
        `CSeq: ${this.notifyCseq++} NOTIFY`,
        `Contact: <sip:notifier@127.0.0.1:${this.port};transport=ws>`,
        `Event: ${header('event') ?? 'presence'}`,
        `Subscription-State: ${answer.notify.state}`,
        ...(body.length > 0 ? [`Content-Type: ${answer.notify.contentType ?? 'application/pidf+xml'}`] : []),
        `Content-Length: ${body.length}`,
        '',
        body.toString('utf8'),
      ];
      socket.send(notify.join('\r\n'));
    }
  }
}
