import { gunzipSync, inflateSync } from 'node:zlib';
import { type Core, EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';

type SipLogger = Core.Logger;
import { WebSocket, type RawData } from 'ws';
import type { TLSSocket } from 'node:tls';
import { AskedExpires, header, headOf, remember } from './network-bounds.js';
import { KamailioFrameRepair } from './ws-frame-repair.js';
import type { Duplex } from 'node:stream';
import { tlsOptions } from './tls-trust.js';

/** The biggest SIP message Parley takes from the server (a 90 MB NOTIFY must not cost 270 MB). */
export const MAX_SIP_MESSAGE_BYTES = 1024 * 1024;

/** What Parley's transport is told when sip.js's user agent creates it (`transportOptions`). */
export interface WsTransportOptions {
  /** `ws://` or `wss://` URL of the SIP-over-WebSocket endpoint (RFC 7118). */
  readonly server: string;
  /** How long to wait for the WebSocket to open, in ms. */
  readonly connectTimeoutMs?: number;
  /** Frames larger than this close the socket (ws `maxPayload`). */
  readonly maxMessageBytes?: number;
  /**
   * The methods Parley answers, for the `Allow` header of every message that carries one. sip.js
   * writes a fixed list (it names INVITE, MESSAGE, REFER, PRACK… whether or not anything handles
   * them); the truth is known only to the session that routes requests, so it is asked here.
   */
  /** Body types Parley takes: the Accept of its 200 to OPTIONS says exactly these (RFC 3261 §11.2). */
  readonly accept?: () => readonly string[];
  readonly allow?: () => readonly string[];
  /**
   * The SHA-256 fingerprint (`AB:CD:…`) of a certificate the person chose to trust for this account
   * (a private server's self-signed one). The connection is then accepted for exactly that
   * certificate and no other, whatever a certificate authority says.
   */
  readonly trustedFingerprint?: string;
  /** The shortest registration a registrar's 200 may grant before it counts as a failed sign-in (s). */
  readonly minRegistrationSeconds?: number;
  /** Told when a registrar granted less than that (its seconds). */
  readonly onRegistrationTooBrief?: (seconds: number) => void;
  /** The account's domain: a `tel:` From or To is read as a number at it (see `telToSip`). */
  readonly telHost?: string;
}

/** Why the last connection attempt or connection failed, as the socket reported it. */
export interface TransportFailure {
  /** Node's or ws's error code where there is one (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …). */
  readonly code?: string;
  readonly message: string;
}

/**
 * SIP over WebSocket (RFC 7118) with the `ws` package: Parley's own small transport, handed to
 * sip.js through `transportConstructor`. Node 20 has no global WebSocket and Electron's Node has a
 * different one; this transport is the same everywhere, caps message size, handles every socket
 * error (an unhandled one would end the process), keeps the socket's error code (sip.js would only
 * say "code 1006"), decodes binary frames and never lets an exception from sip.js escape into the
 * socket's event loop.
 */
/** At most this many read messages wait for the SIP stack (a flood beyond it loses its oldest). */
const MAX_INBOX = 5_000;
/** Most messages handed to sip.js in one turn of the event loop. */
const BATCH = 64;
/** Methods whose messages (requests and answers) sip.js settles at once: the next may follow in the same turn. */
const SAME_TURN = new Set(['NOTIFY', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'OPTIONS', 'REGISTER']);

/** The method a message's CSeq names (a response's too), upper case; '' when there is none. */
function cseqMethod(message: string): string {
  return /^\d+\s+([A-Za-z]+)/.exec(header(headOf(message), 'cseq') ?? '')?.[1]?.toUpperCase() ?? '';
}

export class WsTransport implements Transport {
  readonly protocol: string;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  private _state: TransportState = TransportState.Disconnected;
  private readonly emitter = new EmitterImpl<TransportState>();
  private socket: WebSocket | undefined;
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private failure: TransportFailure | undefined;
  /** Messages read but not yet handed to sip.js (one goes per turn of the event loop). */
  private readonly inbox: string[] = [];
  private delivering = false;
  /** The ACKs sent lately, sent again on a new connection (see SentAcks). */
  private readonly sentAcks = new SentAcks();
  /** Whether the log already says this server's big frames are being repaired. */
  private warnedRepair = false;
  /** What our requests asked for, so that no interval granted back can exceed it. */
  private readonly asked: AskedExpires;
  private readonly options: Required<Pick<WsTransportOptions, 'server' | 'connectTimeoutMs' | 'maxMessageBytes'>> &
    Pick<WsTransportOptions, 'allow' | 'accept' | 'trustedFingerprint' | 'telHost'>;

  constructor(
    private readonly logger: SipLogger,
    options: WsTransportOptions,
  ) {
    if (!/^wss?:\/\//i.test(options.server)) throw new Error(`Not a WebSocket URL: ${options.server}`);
    this.options = { connectTimeoutMs: 5_000, maxMessageBytes: MAX_SIP_MESSAGE_BYTES, ...options };
    this.asked = new AskedExpires(options.minRegistrationSeconds, options.onRegistrationTooBrief);
    // RFC 7118 §5.2: the Via transport is WS or WSS.
    this.protocol = /^wss:/i.test(options.server) ? 'WSS' : 'WS';
  }

  get state(): TransportState {
    return this._state;
  }

  get stateChange(): Emitter<TransportState> {
    return this.emitter;
  }

  /** The cause of the last failure (cleared when a connection opens). */
  get lastFailure(): TransportFailure | undefined {
    return this.failure;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    if (this._state === TransportState.Connected) return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.connecting = this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      // A socket that does not close in time is cut.
      const timer = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => clearTimeout(timer));
      this.setState(TransportState.Disconnecting);
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000);
    }).finally(() => (this.closing = undefined));
    return this.closing;
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  /**
   * Sends again the ACKs of a call sent lately: its far end refused a re-INVITE with 500, which is
   * what sip.js answers while it still waits for an ACK (lost with a dropped connection, or sent
   * before the far end was reachable again).
   */
  resendAcks(callId: string): void {
    for (const ack of this.sentAcks.recent(callId)) void this.send(ack).catch(() => undefined);
  }

  send(message: string): Promise<void> {
    // Remembered even when it cannot leave now (the connection dropped): it goes again on the next.
    if (message.startsWith('ACK ')) this.sentAcks.remember(message);
    const socket = this.socket;
    if (!socket || this._state !== TransportState.Connected) return Promise.reject(new Error('Not connected.'));
    let text = this.options.allow ? withAllow(message, this.options.allow()) : message;
    if (this.options.accept) text = withAccept(text, this.options.accept());
    this.asked.noteOutgoing(text);
    return new Promise((resolve, reject) => socket.send(text, (error) => (error ? reject(error) : resolve())));
  }

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.options.server, 'sip', {
          maxPayload: this.options.maxMessageBytes,
          handshakeTimeout: this.options.connectTimeoutMs,
          ...tlsOptions(this.options.trustedFingerprint),
        });
      } catch (error) {
        this.failure = { message: error instanceof Error ? error.message : String(error) };
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.socket = socket;
      this.setState(TransportState.Connecting);
      let opened = false;
      socket.on('error', (error: Error & { code?: string }) => {
        // Always followed by 'close'; keep the cause for the person. ws reports an HTTP answer
        // to the handshake (a web server, not a SIP WebSocket) only in its message.
        const http = /Unexpected server response: (\d{3})/.exec(error.message)?.[1];
        const code = error.code ?? (http ? `HTTP_${http}` : undefined);
        if (this.socket === socket && this.failure?.code !== 'CERT_FINGERPRINT_MISMATCH') {
          this.failure = { ...(code ? { code } : {}), message: error.message };
        }
        this.logger.warn(`WebSocket error: ${error.message}`);
      });
      socket.on('upgrade', (response) => {
        // Before ws reads a single frame: Kamailio 5.6's framing of messages over 64 KiB is repaired
        // on the way in (see KamailioFrameRepair; every other frame check stays ws's).
        repairFrames(response.socket, this.options.maxMessageBytes, () => {
          if (!this.warnedRepair)
            this.logger.warn("Repairing the server's WebSocket framing of a message over 64 KiB (a Kamailio 5.6 fault).");
          this.warnedRepair = true;
        });
        // A pinned certificate: the handshake is done, nothing of ours has been sent yet. Anything
        // but exactly that certificate ends it here.
        const pinned = this.options.trustedFingerprint;
        if (!pinned) return;
        const peer = (response.socket as TLSSocket).getPeerCertificate?.();
        if (!peer || peer.fingerprint256 !== pinned) {
          this.failure = { code: 'CERT_FINGERPRINT_MISMATCH', message: 'The certificate is not the one trusted for this account.' };
          socket.terminate();
        }
      });
      socket.on('open', () => {
        if (this.socket !== socket) return;
        opened = true;
        this.failure = undefined;
        this.setState(TransportState.Connected);
        // An ACK lost with the old connection would leave the far end's re-INVITE server transaction
        // open for good (sip.js then refuses every later re-INVITE with 500: hold, resume, the ICE
        // restart that recovers the call) — their 2xx retransmissions cannot reach the new one.
        for (const ack of this.sentAcks.recent()) void this.send(ack).catch(() => undefined);
        resolve();
        this.call(() => this.onConnect?.());
      });
      socket.on('message', (data: RawData, isBinary: boolean) => {
        if (this.socket !== socket || this._state !== TransportState.Connected) return;
        const text = isBinary ? decodeBinary(data) : rawToString(data);
        // CRLF keep-alive (RFC 5626 §3.5.1) carries nothing for sip.js.
        if (text === undefined || /^(\r\n)+$/.test(text) || text === '') return;
        const host = this.options.telHost;
        this.deliver(this.asked.bound(host ? telToSip(text, host) : text));
      });
      socket.on('close', (code: number) => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        // What the old connection sent but sip.js has not seen yet goes with it.
        this.inbox.length = 0;
        const wanted = this._state === TransportState.Disconnecting;
        const error = wanted ? undefined : new Error(this.describeClose(code));
        this.setState(TransportState.Disconnected);
        if (!opened) {
          reject(error ?? new Error('Connect aborted.'));
          return;
        }
        this.call(() => (error ? this.onDisconnect?.(error) : this.onDisconnect?.()));
      });
    });
  }

  /**
   * Hands messages to sip.js in order. Frames read in one go arrive here back to back, and sip.js
   * finishes some work only in a promise callback: an ACK still "processing" when the next frame — a
   * re-INVITE straight after it, as PBXs send to move media — is handed over makes it refuse that
   * re-INVITE with 500 (RFC 6337 §4.3). So after a message of a call's dialog (INVITE, ACK, BYE…)
   * the next waits a turn of the event loop. Presence and messages (NOTIFY, MESSAGE… and their
   * answers) go on in the same turn, up to BATCH at a time: one turn each cost about 2 ms under
   * load, which made signing in with 1,000 contacts take 10 s instead of 2.
   */
  private deliver(text: string): void {
    if (this.inbox.length >= MAX_INBOX) {
      this.logger.warn(`more than ${MAX_INBOX} messages waiting for the SIP stack; the oldest is dropped`);
      this.inbox.shift();
    }
    this.inbox.push(text);
    if (this.delivering) return;
    this.delivering = true;
    const next = () => {
      // After a call's message the turn ends even with nothing waiting: what arrives next, in the
      // same read, must find it settled.
      let settle = false;
      for (let handed = 0; handed < BATCH && !settle; handed++) {
        const message = this.inbox.shift();
        if (message === undefined) break;
        this.call(() => this.onMessage?.(message));
        settle = !SAME_TURN.has(cseqMethod(message));
      }
      if (this.inbox.length === 0 && !settle) this.delivering = false;
      else setImmediate(next);
    };
    next();
  }

  private describeClose(code: number): string {
    const cause = this.failure ? `${this.failure.code ? `${this.failure.code}: ` : ''}${this.failure.message}` : `code ${code}`;
    return `WebSocket to ${this.options.server} closed (${cause})`;
  }

  private setState(state: TransportState): void {
    if (this._state === state) return;
    this._state = state;
    this.call(() => this.emitter.emit(state));
  }

  /** Runs a sip.js callback; an exception from inside sip.js stops here instead of crashing the socket's event loop. */
  private call(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.error(`SIP handling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/**
 * A binary frame is a SIP message too (RFC 7118 §5.1). Its headers are ASCII; its body is text in the
 * charset the message declares — `Content-Type: …; charset=` (RFC 3261 §20.15) or, for XML, the
 * declaration's `encoding` — and UTF-8 otherwise. The body is decoded by that charset and
 * Content-Length restated in UTF-8 bytes, the form sip.js expects. Undefined when it cannot be read.
 */
/**
 * Puts a `KamailioFrameRepair` between the upgraded socket and ws: every 'data' the socket emits
 * (ws listens for nothing else, and re-emits what it read with the handshake the same way) goes
 * through it first.
 */
function repairFrames(raw: Duplex, maxBytes: number, repaired: () => void): void {
  const repair = new KamailioFrameRepair(maxBytes);
  const emit = raw.emit.bind(raw);
  raw.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'data' || !Buffer.isBuffer(args[0])) return emit(event, ...args);
    const before = repair.repaired;
    const chunk = repair.push(args[0]);
    if (repair.repaired !== before) repaired();
    return emit('data', chunk);
  }) as typeof raw.emit;
}

/**
 * A `tel:` URI (RFC 3966) in From or To — how many gateways name a caller from the phone network —
 * as the SIP URI RFC 3261 §19.1.6 maps it to: `sip:+4930…@<host>;user=phone`. sip.js parses only SIP
 * URIs and drops such a message unanswered (a call then times out at the caller, and leaves no
 * missed call here); read this way it is one more call or text from that number through my server.
 * A number with characters a phone number cannot have is left alone.
 */
export function telToSip(message: string, host: string): string {
  const end = message.indexOf('\r\n\r\n');
  const head = end < 0 ? message : message.slice(0, end);
  if (!/tel:/i.test(head)) return message;
  const number = (text: string): string | undefined => {
    const digits = text.replace(/[-.()\s]/g, '');
    return /^\+?[0-9*#A-Fa-f]{1,32}$/.test(digits) ? digits : undefined;
  };
  const sip = (text: string, otherwise: string) => {
    const n = number(text);
    return n ? `<sip:${n}@${host};user=phone>` : otherwise;
  };
  const fixed = head.replace(/(\r\n(?:From|f|To|t)[ \t]*:)([^\r\n]*)/gi, (_line, name: string, value: string) => {
    const bracketed = value.replace(/<tel:([^;>]+)[^>]*>/i, (whole, n: string) => sip(n, whole));
    if (bracketed !== value) return name + bracketed;
    // Without brackets, what follows the number's own `;` parameters are the header's (`;tag=`).
    return (
      name +
      value.replace(
        /^(\s*(?:"[^"]*"\s*)?)tel:([^;\s]+)(?:;(?!tag=)[^;\s]*)*/i,
        (whole, lead: string, n: string) => lead + sip(n, whole.slice(lead.length)),
      )
    );
  });
  return fixed + message.slice(head.length);
}

export function decodeBinary(data: RawData): string | undefined {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) return utf8(bytes);
  const head = bytes.subarray(0, split).toString('latin1');
  // eslint-disable-next-line no-control-regex -- checking that the header section is plain ASCII
  if (/[^\x00-\x7f]/.test(head)) return utf8(bytes);
  let body = bytes.subarray(split + 4);
  // A compressed body (Linphone sends its delivery notifications with Content-Encoding: deflate,
  // RFC 3261 §20.12): inflated here, bounded, and the header dropped, so that sip.js and the services
  // see the plain body. A body that does not inflate is dropped with its message.
  const encoding = /\r\n(?:Content-Encoding|e)\s*:\s*([^\r\n]*)/i.exec(`\r\n${head}`)?.[1]?.trim().toLowerCase();
  if (encoding === 'deflate' || encoding === 'gzip') {
    try {
      body =
        encoding === 'gzip' ? gunzipSync(body, { maxOutputLength: INFLATED_MAX }) : inflateSync(body, { maxOutputLength: INFLATED_MAX });
    } catch {
      return undefined;
    }
    const plainHead = `\r\n${head}`.replace(/\r\n(?:Content-Encoding|e)\s*:[^\r\n]*/gi, '').slice(2);
    const text = utf8(body);
    if (text === undefined) return undefined;
    return `${restateLength(plainHead, text)}\r\n\r\n${text}`;
  }
  const charset = declaredCharset(head, body);
  if (!charset || /^utf-?8$/i.test(charset)) return utf8(bytes);
  let text: string;
  try {
    text = new TextDecoder(charset, { fatal: true }).decode(body);
  } catch {
    return undefined; // an unknown charset or bytes that are not in it
  }
  return `${restateLength(head, text)}\r\n\r\n${text}`;
}

/** The most a compressed body may inflate to (a notification is a few hundred bytes). */
const INFLATED_MAX = 64 * 1024;

/** `head` with its Content-Length restated as the UTF-8 length of `text`. */
function restateLength(head: string, text: string): string {
  return /\r\n(?:Content-Length|l)\s*:/i.test(`\r\n${head}`)
    ? `\r\n${head}`.replace(/(\r\n(?:Content-Length|l)\s*:\s*)\d+/i, `$1${Buffer.byteLength(text, 'utf8')}`).slice(2)
    : head;
}

function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function declaredCharset(head: string, body: Buffer): string | undefined {
  const fromType = /\r\n(?:Content-Type|c)\s*:[^\r\n]*;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(`\r\n${head}`)?.[1];
  if (fromType) return fromType;
  // The XML declaration is ASCII in every charset an XML body can be in that we would meet here.
  const start = body.subarray(0, 200).toString('latin1');
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(start)?.[1];
}

/**
 * Replaces every `Allow:` header in a message's header section with Parley's own list (RFC 3261
 * §20.5: the methods this UA supports). Headers only: the body is left alone, so Content-Length
 * stays right.
 */
/** A 200 to OPTIONS with its Accept header saying `types` (other messages unchanged). */
export function withAccept(message: string, types: readonly string[]): string {
  if (types.length === 0 || !message.startsWith('SIP/2.0 200')) return message;
  const end = message.indexOf('\r\n\r\n');
  if (end < 0) return message;
  const head = message.slice(0, end);
  if (!/\r\nCSeq\s*:\s*\d+\s+OPTIONS\b/i.test(head)) return message;
  const replaced = head.replace(/\r\nAccept\s*:[^\r\n]*/gi, '').concat(`\r\nAccept: ${types.join(', ')}`);
  return replaced + message.slice(end);
}

export function withAllow(message: string, methods: readonly string[]): string {
  const end = message.indexOf('\r\n\r\n');
  if (end < 0) return message;
  const head = message.slice(0, end);
  if (!/\r\nAllow\s*:/i.test(head)) return message;
  const replaced = head.replace(/\r\nAllow\s*:[^\r\n]*/gi, '').concat(`\r\nAllow: ${methods.join(', ')}`);
  return replaced + message.slice(end);
}

/** Which 2xx an ACK confirms: its dialog (Call-ID, To tag) and the INVITE's CSeq number. */
function ackKey(message: string): string | undefined {
  const head = headOf(message);
  const callId = header(head, 'call-id', 'i')?.trim();
  const cseq = /^\d+/.exec(header(head, 'cseq') ?? '')?.[0];
  const toTag = /;\s*tag=([^;\s>]+)/i.exec(header(head, 'to', 't') ?? '')?.[1] ?? '';
  return callId && cseq ? `${callId} ${cseq} ${toTag}` : undefined;
}

/** How long a far end retransmits its 2xx waiting for the ACK: 64·T1 (RFC 3261 §13.3.1.4). */
const ACK_WAIT_MS = 64 * 500;

/**
 * The ACKs sent lately (bounded in number and age: a far end cannot make it grow). An ACK that left
 * on a connection as it dropped may never have arrived, and the far end's 2xx retransmissions go to
 * the dead connection: sent again on the new one, it reaches them through the dialog's route. An
 * ACK that did arrive is absorbed as a retransmission (RFC 3261 §13.3.1.4, §17.2.1).
 */
export class SentAcks {
  private readonly byKey = new Map<string, { readonly ack: string; readonly at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = 64,
  ) {}

  remember(ack: string): void {
    const key = ackKey(ack);
    if (!key) return;
    remember(this.byKey, key, { ack, at: this.now() }, this.max);
  }

  /** The ACKs a far end may still be waiting for (of one call, given its Call-ID). */
  recent(callId?: string): string[] {
    const since = this.now() - ACK_WAIT_MS;
    for (const [key, sent] of this.byKey) if (sent.at < since) this.byKey.delete(key);
    return [...this.byKey.entries()].filter(([key]) => callId === undefined || key.startsWith(`${callId} `)).map(([, sent]) => sent.ack);
  }
}
