import type { Core } from 'sip.js';
import { addressOf } from '../sip/uri.js';
import { cleanBody } from '../../shared/domain/text.js';
import { childNamed, parseXml } from '../presence/xml.js';

/** The longest text Parley keeps from one incoming message (characters). */
export const INCOMING_TEXT_MAX = 16_384;

/** What to do with an incoming MESSAGE. */
export type IncomingReading =
  | {
      readonly kind: 'message';
      readonly message: { peer: string; text: string; sentAt: number; dedupe: string; imdnId?: string; wantDisplay?: boolean };
      /** The sender asked to be told it arrived (RFC 5438 positive-delivery). */
      readonly wantDelivery: boolean;
      /** Speaks CPIM (it sent some). */
      readonly cpim: boolean;
    }
  /** Taken (200) but not a message to show (an empty one). */
  | { readonly kind: 'ignore' }
  /** A notification about a message of mine (RFC 5438 IMDN): never shown as a message. */
  | { readonly kind: 'notification'; readonly xml: string }
  /** The sender is typing or stopped (RFC 3994), for `refreshMs` unless told again. */
  | { readonly kind: 'composing'; readonly peer: string; readonly active: boolean; readonly refreshMs: number }
  | { readonly kind: 'refuse'; readonly status: number; readonly headers?: string[] };

/**
 * How far back a message's `Date:` may go: a server keeps messages for someone signed out for days
 * (msilo), not for years.
 */
const MAX_BACKDATE_MS = 90 * 24 * 3600_000;

/** Longest accepted clock skew for a `Date:` in the future. */
const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * Reads an incoming MESSAGE (RFC 3428): who sent it, its text (plain, or the text/plain inside a
 * CPIM wrapper, RFC 3862), when it was sent, and the key that identifies a retransmission.
 */
export function readIncoming(request: Core.IncomingRequestMessage, now: number): IncomingReading {
  const from = addressOf(request.from.uri);
  if (!from) return { kind: 'refuse', status: 400 };
  const type = (request.getHeader('Content-Type') ?? 'text/plain').toLowerCase();
  const encoding = (request.getHeader('Content-Encoding') ?? '').toLowerCase().trim();
  // RFC 5438 delivery and read notifications are about messages, not messages themselves.
  if (type.startsWith('message/imdn+xml')) return { kind: 'notification', xml: request.body };
  if (type.startsWith('application/im-iscomposing+xml')) {
    const composing = parseComposing(request.body);
    return composing ? { kind: 'composing', peer: from.uri, ...composing } : { kind: 'refuse', status: 400 };
  }
  if (encoding !== '' && encoding !== 'identity') return { kind: 'refuse', status: 415, headers: ['Accept-Encoding: identity', ACCEPT] };
  let text: string;
  let cpim: Cpim | undefined;
  if (type.startsWith('text/plain')) {
    // A store-and-forward server (Kamailio's msilo) may hand on a CPIM message as text/plain.
    cpim = unwrapCpim(request.body);
    if (cpim?.notification !== undefined) return { kind: 'notification', xml: cpim.notification };
    text = cpim?.text ?? request.body;
  } else if (type.startsWith('message/cpim')) {
    cpim = unwrapCpim(request.body);
    if (cpim?.notification !== undefined) return { kind: 'notification', xml: cpim.notification };
    if (cpim?.text === undefined) return { kind: 'refuse', status: 415, headers: [ACCEPT] };
    text = cpim.text;
  } else {
    return { kind: 'refuse', status: 415, headers: [ACCEPT] };
  }
  text = cleanBody(text);
  if (text.length > INCOMING_TEXT_MAX) return { kind: 'refuse', status: 413 };
  if (text.trim() === '') return { kind: 'ignore' };
  const dated = Date.parse(request.getHeader('Date') ?? '');
  // The sender's clock is information, not order (messages show in the order they arrived): a date
  // in the future or absurdly far back (1970) is not believed at all.
  const sentAt = Number.isFinite(dated) && dated <= now + FUTURE_SLACK_MS && dated >= now - MAX_BACKDATE_MS ? Math.min(dated, now) : now;
  const imdnId = cpim?.headers['imdn.message-id']?.slice(0, 256);
  const disposition = (cpim?.headers['imdn.disposition-notification'] ?? '').toLowerCase();
  // The IMDN Message-ID identifies a message across resends and store-and-forward copies (which
  // carry new Call-IDs); without one, the transaction's identity does.
  const dedupe = imdnId ? `imdn|${imdnId}|${from.uri}` : `${request.callId}|${request.cseq}|${from.uri}`;
  return {
    kind: 'message',
    message: {
      peer: from.uri,
      text,
      sentAt,
      dedupe: dedupe.slice(0, 1024),
      ...(imdnId ? { imdnId, wantDisplay: /\bdisplay\b/.test(disposition) } : {}),
    },
    wantDelivery: Boolean(imdnId) && /\bpositive-delivery\b/.test(disposition),
    cpim: type.startsWith('message/cpim'),
  };
}

/** A CPIM message's headers (names in lower case) and its text or notification. */
interface Cpim {
  readonly headers: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly notification?: string;
}

const ACCEPT = 'Accept: text/plain, message/cpim, application/im-iscomposing+xml';

const COMPOSING = 'urn:ietf:params:xml:ns:im-iscomposing';

/**
 * An is-composing document (RFC 3994 §5): active or idle, and for how long an active state stands
 * without a refresh (default 120 s, §3; bounded here to 10 s – 5 min whatever the sender says).
 */
function parseComposing(xml: string): { active: boolean; refreshMs: number } | undefined {
  let root;
  try {
    root = parseXml(xml, { maxBytes: 4096, maxDepth: 4, maxElements: 16 });
  } catch {
    return undefined;
  }
  if (root.ns !== COMPOSING || root.name !== 'isComposing') return undefined;
  const state = childNamed(root, COMPOSING, 'state')?.text.trim();
  if (state !== 'active' && state !== 'idle') return undefined;
  const refresh = Number(childNamed(root, COMPOSING, 'refresh')?.text.trim() ?? '120');
  const seconds = Number.isFinite(refresh) && refresh > 0 ? Math.min(300, Math.max(10, refresh)) : 120;
  return { active: state === 'active', refreshMs: seconds * 1000 };
}

/**
 * A CPIM message (RFC 3862 §2: message headers, a blank line, the MIME headers of the content, a
 * blank line, the content): its headers and its text, or its notification when the content is an
 * IMDN; undefined when `body` is not CPIM.
 */
function unwrapCpim(body: string): Cpim | undefined {
  const text = body.replace(/\r\n/g, '\n');
  const firstBreak = text.indexOf('\n\n');
  if (firstBreak < 0) return undefined;
  const head = text.slice(0, firstBreak);
  // CPIM message headers are "Name: value" lines; From/To/DateTime/NS are the telling ones.
  if (!/^(From|To|DateTime|NS|Subject|cc|imdn\.[\w-]+):/im.test(head) || !head.split('\n').every((line) => /^[\w.-]+:\s?/.test(line)))
    return undefined;
  const rest = text.slice(firstBreak + 2);
  const secondBreak = rest.indexOf('\n\n');
  if (secondBreak < 0) return undefined;
  const mime = rest.slice(0, secondBreak).toLowerCase();
  if (!/^content-type:/m.test(mime)) return undefined;
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const content = rest.slice(secondBreak + 2);
  if (/^content-type:\s*message\/imdn\+xml/m.test(mime)) return { headers, notification: content };
  if (!/^content-type:\s*text\/plain/m.test(mime)) return { headers };
  return { headers, text: content };
}
