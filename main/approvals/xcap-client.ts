import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tlsOptions } from '../sip/tls-trust.js';

export interface XcapCredentials {
  readonly username: string;
  readonly password: string;
}

export class XcapError extends Error {
  override readonly name = 'XcapError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * A minimal XCAP client (RFC 4825) for the documents Parley owns: PUT of one user's document. Writes are serialised (Kamailio's sqlite back end refuses parallel PUTs) and each
 * request uses its own connection (Kamailio closes it after each reply; kamailio.md trap 15). HTTP
 * digest (RFC 7616, MD5) is answered with the SIP credentials.
 */
export class XcapClient {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly user: string,
    private readonly credentials: XcapCredentials,
    private readonly limits: XcapLimits = DEFAULT_XCAP_LIMITS,
    private readonly trust: XcapTrust = {},
  ) {}

  /** `<root>/<auid>/users/<xui>/<document>` (RFC 4825 §6). */
  documentUrl(auid: string, document: string): string {
    return `${this.root.replace(/\/$/, '')}/${auid}/users/${encodeURIComponent(this.user).replace(/%3A/gi, ':').replace(/%40/g, '@')}/${document}`;
  }

  /** Replaces a document. Resolves when the server accepted it. */
  put(auid: string, document: string, contentType: string, body: string): Promise<void> {
    const run = () => this.send('PUT', this.documentUrl(auid, document), { 'Content-Type': contentType }, body).then(() => undefined);
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async send(method: string, url: string, headers: Record<string, string>, body: string | undefined): Promise<string> {
    let response = await once(method, url, headers, body, this.limits, this.trust);
    if (response.status === 401 && response.challenge) {
      response = await once(
        method,
        url,
        { ...headers, Authorization: digest(response.challenge, method, url, this.credentials) },
        body,
        this.limits,
        this.trust,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new XcapError(`The presence server refused to save the rules (HTTP ${response.status}).`, response.status);
    }
    return response.body;
  }
}

/** How long one XCAP request may take in all, and how much of an answer is read. */
export interface XcapLimits {
  /** The whole exchange, connect to last byte (a server sending a byte every few seconds must not hold the answer forever). */
  readonly deadlineMs: number;
  /** Answers to a PUT are a few hundred bytes; anything far larger is refused. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_XCAP_LIMITS: XcapLimits = { deadlineMs: 15_000, maxBodyBytes: 64 * 1024 };

/** How the XCAP server's certificate is checked: as for the SIP WebSocket (see tls-trust.ts). */
export interface XcapTrust {
  /** SHA-256 fingerprint of the certificate trusted for this account, if any. */
  readonly trustedFingerprint?: string;
}

interface HttpResponse {
  status: number;
  body: string;
  challenge?: string;
}

function once(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  limits: XcapLimits,
  trust: XcapTrust,
): Promise<HttpResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        agent: false,
        timeout: limits.deadlineMs,
        ...(target.protocol === 'https:' ? tlsOptions(trust.trustedFingerprint) : {}),
        headers: { ...headers, Connection: 'close', ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) },
      },
      (res: IncomingMessage) => {
        const pinned = trust.trustedFingerprint;
        if (pinned && (res.socket as TLSSocket).getPeerCertificate?.().fingerprint256 !== pinned) {
          req.destroy(new XcapError(`The presence server's certificate is not the one trusted for this account.`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBodyBytes) {
            req.destroy(new XcapError(`The presence server at ${target.host} sent a far larger answer than expected.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', () => undefined); // reported through req's error
        res.on('end', () => {
          clearTimeout(deadline);
          const challenge = res.headers['www-authenticate'];
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(typeof challenge === 'string' ? { challenge } : {}),
          });
        });
      },
    );
    // The socket timeout only measures silence; this bounds the whole exchange.
    const deadline = setTimeout(
      () => req.destroy(new XcapError(`The presence server at ${target.host} did not answer in time.`)),
      limits.deadlineMs,
    );
    req.on('timeout', () => req.destroy(new XcapError(`The presence server at ${target.host} did not answer.`)));
    req.on('error', (error) => {
      clearTimeout(deadline);
      reject(error instanceof XcapError ? error : new XcapError(`Can't reach the presence server at ${target.host}.`));
    });
    req.end(body);
  });
}

/** An RFC 7616 digest `Authorization` header (MD5, qop=auth when offered). */
function digest(challenge: string, method: string, url: string, credentials: XcapCredentials): string {
  const params: Record<string, string> = {};
  for (const match of challenge.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g))
    params[match[1]!.toLowerCase()] = match[3] ?? match[2]!;
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const uri = new URL(url).pathname;
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const ha1 = md5(`${credentials.username}:${realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = params.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const parts = [
    `username="${credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (params.opaque) parts.push(`opaque="${params.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
