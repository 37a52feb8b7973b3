import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** What the peer learnt from a SUBSCRIBE it accepted: enough to send NOTIFYs in that dialog. */
interface Dialog {
  callId: string;
  localTag: string;
  remote: string; // the subscriber's From (with its tag)
  local: string; // our To (with our tag)
  target: string; // the subscriber's Contact URI
  routes: string[]; // Record-Route, in order (RFC 3261 §12.1.1)
  cseq: number;
}

/** A final response to a request the peer sent. */
export interface SipResponse {
  readonly status: number;
  readonly reason: string;
  /** The provisional responses (1xx) that came before it, in order. */
  readonly provisional: readonly number[];
  /** The values of a header (all occurrences), by case-insensitive name. */
  header(name: string): string[];
}

const header = (message: string, name: string): string[] =>
  message
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(line.indexOf(':') + 1).trim());

/**
 * A hand-written SIP peer over UDP for one foreign domain: it accepts any presence SUBSCRIBE and lets
 * the test push arbitrary NOTIFY bodies down the dialog. No SIP library in between, so what reaches
 * the client is exactly the bytes the test chose (hostile documents, wrong types, garbage).
 */
export class RawSipPeer {
  private readonly socket: Socket = createSocket('udp4');
  private dialog: Dialog | undefined;
  private readonly waiters: ((dialog: Dialog) => void)[] = [];
  /** Requests sent by `request()`, by Via branch, waiting for their final response. */
  private readonly pending = new Map<string, { resolve: (response: SipResponse) => void; ack?: string; provisional: number[] }>();
  port = 0;

  private constructor(
    readonly user: string,
    readonly domain: string,
  ) {}

  static async start(user: string, domain: string): Promise<RawSipPeer> {
    const peer = new RawSipPeer(user, domain);
    peer.socket.on('message', (data, from) => peer.receive(data.toString('utf8'), from.address, from.port));
    await new Promise<void>((resolve) => peer.socket.bind(0, '127.0.0.1', () => resolve()));
    peer.port = peer.socket.address().port;
    return peer;
  }

  get address(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  /** Resolves when the next new subscription's SUBSCRIBE arrives. */
  nextSubscription(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(() => resolve()));
  }

  /** Resolves once a SUBSCRIBE created the dialog. */
  subscribed(): Promise<void> {
    if (this.dialog) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(() => resolve()));
  }

  /** MESSAGEs that reached this peer (answered with `messageStatus`), oldest first. */
  readonly messages: { readonly callId: string; readonly from: string; readonly contentType: string; readonly body: string }[] = [];
  /** How this peer answers a MESSAGE (and OPTIONS, with no Accept: it takes plain text). */
  messageStatus = 200;
  /** Where this peer sends a call (302 Moved Temporarily with this Contact); unset: INVITEs go unanswered. */
  redirectTo: string | undefined;
  /** INVITEs that reached this peer (their request line). */
  readonly invites: string[] = [];
  private readonly messageWaiters: (() => void)[] = [];

  /** Resolves once `count` MESSAGEs have arrived in all. */
  async received(count: number): Promise<void> {
    while (this.messages.length < count) await new Promise<void>((resolve) => this.messageWaiters.push(resolve));
  }

  /** The final answers the subscriber gave to the NOTIFY that followed each of its un-SUBSCRIBEs. */
  readonly finalNotifyAnswers: number[] = [];

  /** Sends a NOTIFY with this body in the dialog, through the proxy that record-routed it; resolves with the answer. */
  notify(body: string, contentType = 'application/pidf+xml', state = 'active;expires=600'): Promise<SipResponse> {
    const d = this.dialog;
    if (!d) throw new Error('no subscription yet');
    d.cseq++;
    const next = d.routes[0] ?? d.target;
    const hop = /sip:([\d.]+):(\d+)/.exec(next);
    if (!hop) throw new Error(`cannot route to ${next}`);
    const bytes = Buffer.from(body, 'utf8');
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const answered = new Promise<SipResponse>((resolve) => this.pending.set(branch, { resolve, provisional: [] }));
    const message = [
      `NOTIFY ${d.target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
      ...d.routes.map((route) => `Route: ${route}`),
      // The subscriber builds its route set from the NOTIFY that makes the dialog (RFC 6665
      // §4.1.2.4, RFC 3261 §12.1.2): mirror the proxies that record-routed the SUBSCRIBE.
      ...d.routes.map((route) => `Record-Route: ${route}`),
      'Max-Forwards: 70',
      `From: ${d.local}`,
      `To: ${d.remote}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${d.cseq} NOTIFY`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port}>`,
      'Event: presence',
      `Subscription-State: ${state}`,
      `Content-Type: ${contentType}`,
      `Content-Length: ${bytes.length}`,
      '',
      '',
    ].join('\r\n');
    this.socket.send(Buffer.concat([Buffer.from(message, 'utf8'), bytes]), Number(hop[2]), hop[1]);
    return answered;
  }

  /**
   * Sends an out-of-dialog request from this peer to `to` through the proxy at `proxyPort` and
   * resolves with the final response (an INVITE's non-2xx final response is ACKed, RFC 3261 §17.1.1.3).
   */
  request(
    method: string,
    to: string,
    proxyPort: number,
    options: { headers?: string[]; body?: string; contentType?: string; from?: string; fromUri?: string; callId?: string } = {},
  ): Promise<SipResponse> {
    const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
    const callId = options.callId ?? `${randomBytes(8).toString('hex')}@raw-peer`;
    const from = `<${options.fromUri ?? `sip:${options.from ?? `${this.user}@${this.domain}`}`}>;tag=${randomBytes(4).toString('hex')}`;
    const via = `SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`;
    const body = Buffer.from(options.body ?? '', 'utf8');
    const message = [
      `${method} ${to} SIP/2.0`,
      `Via: ${via}`,
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: <${to}>`,
      `Call-ID: ${callId}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port}>`,
      ...(options.headers ?? []),
      ...(body.length > 0 ? [`Content-Type: ${options.contentType ?? 'text/plain'}`] : []),
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    const ack =
      method === 'INVITE'
        ? [
            `ACK ${to} SIP/2.0`,
            `Via: ${via}`,
            'Max-Forwards: 70',
            `From: ${from}`,
            `Call-ID: ${callId}`,
            'CSeq: 1 ACK',
            'Content-Length: 0',
          ]
        : undefined;
    return new Promise((resolve) => {
      this.pending.set(branch, { resolve, provisional: [], ...(ack ? { ack: ack.join('\r\n') } : {}) });
      this.socket.send(Buffer.concat([Buffer.from(message, 'utf8'), body]), proxyPort, '127.0.0.1');
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(message: string, host: string, port: number): void {
    const firstLine = message.slice(0, message.indexOf('\r\n'));
    if (firstLine.startsWith('SIP/2.0 ')) return this.receiveResponse(message, firstLine, host, port);
    if (firstLine.startsWith('NOTIFY ')) return this.answer(message, 200, host, port); // subscriptions it made with request()
    if (firstLine.startsWith('OPTIONS ')) return this.answer(message, 200, host, port);
    if (firstLine.startsWith('INVITE ')) {
      this.invites.push(firstLine);
      if (this.redirectTo) this.answer(message, 302, host, port, [`Contact: <${this.redirectTo}>`]);
      return;
    }
    if (firstLine.startsWith('MESSAGE ')) {
      const callId = header(message, 'Call-ID')[0] ?? '';
      if (!this.messages.some((m) => m.callId === callId)) {
        this.messages.push({
          callId,
          from: header(message, 'From')[0] ?? '',
          contentType: header(message, 'Content-Type')[0] ?? '',
          body: message.slice(message.indexOf('\r\n\r\n') + 4),
        });
        for (const waiter of this.messageWaiters.splice(0)) waiter();
      }
      return this.answer(message, this.messageStatus, host, port);
    }
    if (!firstLine.startsWith('SUBSCRIBE ')) return; // responses to our NOTIFYs, un-SUBSCRIBEs: ignored
    const expires = header(message, 'Expires')[0] ?? '600';
    const to = header(message, 'To')[0] ?? header(message, 't')[0]!;
    const existing = /;tag=/.test(to);
    const localTag = this.dialog?.localTag ?? randomBytes(4).toString('hex');
    const reply = [
      'SIP/2.0 200 OK',
      ...header(message, 'Via').map((via) => `Via: ${via}`),
      ...header(message, 'Record-Route').map((route) => `Record-Route: ${route}`),
      `From: ${header(message, 'From')[0]}`,
      `To: ${existing ? to : `${to};tag=${localTag}`}`,
      `Call-ID: ${header(message, 'Call-ID')[0]}`,
      `CSeq: ${header(message, 'CSeq')[0]}`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.port}>`,
      `Expires: ${expires}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(reply, port, host);
    if (existing && expires === '0' && this.dialog) {
      // RFC 6665 §4.2.1.4: an un-SUBSCRIBE is followed by a final NOTIFY; record what it is answered.
      void this.notify('', 'application/pidf+xml', 'terminated;reason=timeout').then((answer) =>
        this.finalNotifyAnswers.push(answer.status),
      );
      return;
    }
    if (existing || expires === '0') return;
    const contact = /<([^>]+)>/.exec(header(message, 'Contact')[0] ?? '')?.[1] ?? '';
    this.dialog = {
      callId: header(message, 'Call-ID')[0]!,
      localTag,
      remote: header(message, 'From')[0]!,
      local: `${to};tag=${localTag}`,
      target: contact,
      routes: header(message, 'Record-Route').flatMap((value) => value.split(/,(?=\s*<)/).map((r) => r.trim())),
      cseq: 0,
    };
    for (const waiter of this.waiters.splice(0)) waiter(this.dialog);
  }

  private answer(message: string, status: number, host: string, port: number, extra: string[] = []): void {
    const to = header(message, 'To')[0] ?? '';
    const reply = [
      `SIP/2.0 ${status} ${status === 200 ? 'OK' : status === 302 ? 'Moved Temporarily' : 'Refused'}`,
      ...header(message, 'Via').map((via) => `Via: ${via}`),
      `From: ${header(message, 'From')[0]}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`,
      ...extra,
      `Call-ID: ${header(message, 'Call-ID')[0]}`,
      `CSeq: ${header(message, 'CSeq')[0]}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(reply, port, host);
  }

  private receiveResponse(message: string, firstLine: string, host: string, port: number): void {
    const [, code = '0', reason = ''] = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(firstLine) ?? [];
    const status = Number(code);
    const branch = /branch=([^;\s,]+)/.exec(header(message, 'Via')[0] ?? '')?.[1] ?? '';
    const waiting = this.pending.get(branch);
    if (!waiting) return;
    if (status < 200) {
      waiting.provisional.push(status);
      return;
    }
    this.pending.delete(branch);
    if (waiting.ack && status >= 300) {
      const to = header(message, 'To')[0] ?? '';
      this.socket.send(`${waiting.ack.replace('Call-ID', `To: ${to}\r\nCall-ID`)}\r\n\r\n`, port, host);
    }
    waiting.resolve({ status, reason, provisional: waiting.provisional, header: (name) => header(message, name) });
  }
}
