/**
 * Bounds on the intervals a SIP peer or server hands us. sip.js takes `Expires` (RFC 3261 §20.19), a
 * Contact's `expires` (§10.3) and `Subscription-State: …;expires=` (RFC 6665 §4.1.3) as they come and
 * feeds them to timers: a registrar granting 3,000,000 s overflows Node's timer (it then fires after
 * 1 ms) and the client re-REGISTERs in a tight loop. Every such value passes through here on its way
 * in, and leaves no larger than what we asked for, and never over a day.
 *
 * The rules, by RFC: a registrar MAY shorten a registration but not lengthen it (RFC 3261 §10.3 step
 * 7); a notifier MAY shorten a subscription but MUST NOT lengthen it (RFC 6665 §4.2.1.1); a PUBLISH
 * answer carries the granted expiration, which cannot exceed the request's (RFC 3903 §6 step 6).
 */

/** The longest interval taken from the network, in seconds. */
export const MAX_NETWORK_SECONDS = 24 * 3600;

/**
 * The shortest registration Parley stays signed in with, by default. A registrar that answers 200
 * but grants 0 s (or 1 s) would have sip.js refresh at once, hundreds of REGISTERs a second: such a
 * grant is taken as a failed sign-in instead, retried with backoff.
 */
export const MIN_REGISTRATION_SECONDS = 30;

/** What we asked for, remembered per request until its final answer. */
export class AskedExpires {
  private readonly byRequest = new Map<string, number>();
  private readonly byDialog = new Map<string, number>();
  /** The user part of our own Contact in each REGISTER, to find our binding in its answer. */
  private readonly contactUser = new Map<string, string>();

  /**
   * @param minRegistration shortest registration taken as one (seconds)
   * @param tooBrief told when a registrar's 200 grants our binding less (its seconds): the binding is
   *   then not ours in the answer, which sip.js reads as no registration at all — it sets no refresh
   *   timer, and the connection retries with backoff instead.
   */
  constructor(
    private readonly minRegistration = MIN_REGISTRATION_SECONDS,
    private readonly tooBrief?: (seconds: number) => void,
  ) {}

  /** Notes the expiration a REGISTER, SUBSCRIBE or PUBLISH asks for, as it goes out. */
  noteOutgoing(message: string): void {
    const head = headOf(message);
    const method = /^([A-Z]+) /.exec(head)?.[1];
    if (method !== 'REGISTER' && method !== 'SUBSCRIBE' && method !== 'PUBLISH') return;
    const callId = header(head, 'call-id', 'i');
    const cseq = header(head, 'cseq');
    if (!callId || !cseq) return;
    const expires = asNumber(header(head, 'expires')) ?? asNumber(/;\s*expires\s*=\s*(\d+)/i.exec(header(head, 'contact', 'm') ?? '')?.[1]);
    if (expires === undefined) return;
    remember(this.byRequest, `${callId} ${cseq.trim()}`, expires);
    if (method === 'SUBSCRIBE') remember(this.byDialog, callId, expires);
    const user = /<sips?:([^@>;]+)@/i.exec(header(head, 'contact', 'm') ?? '')?.[1];
    if (method === 'REGISTER' && user) remember(this.contactUser, `${callId} ${cseq.trim()}`, user);
  }

  /** Brings the intervals of an incoming message within bounds; returns the message to hand on. */
  bound(message: string): string {
    const end = message.indexOf('\r\n\r\n');
    if (end < 0) return message;
    let head = message.slice(0, end);
    const callId = header(head, 'call-id', 'i') ?? '';
    if (head.startsWith('SIP/2.0 ')) {
      const cseq = (header(head, 'cseq') ?? '').trim();
      const method = /\s([A-Z]+)$/.exec(cseq)?.[1];
      if (method === 'REGISTER' || method === 'SUBSCRIBE' || method === 'PUBLISH') {
        const asked = this.byRequest.get(`${callId} ${cseq}`);
        const cap = Math.min(asked ?? MAX_NETWORK_SECONDS, MAX_NETWORK_SECONDS);
        head = capHeader(head, 'expires', cap);
        if (method === 'REGISTER') {
          // RFC 3261 §10.2.4: a binding without its own expires lasts the Expires header's time.
          // sip.js reads only the parameter (a missing one became NaN: a refresh every millisecond),
          // so the parameter is written in from the header, or from what we asked.
          const fallback = Math.min(asNumber(header(head, 'expires')) ?? asked ?? cap, cap);
          head = capContactExpires(head, cap, fallback);
          const user = this.contactUser.get(`${callId} ${cseq}`);
          if (head.startsWith('SIP/2.0 2') && asked !== undefined && asked > 0 && user) head = this.floorRegistration(head, user, asked);
        }
        // 423 Interval Too Brief names a minimum we would then ask for.
        head = capHeader(head, 'min-expires', MAX_NETWORK_SECONDS);
      }
      head = capHeader(head, 'retry-after', MAX_NETWORK_SECONDS);
    } else if (/^NOTIFY /.test(head)) {
      const cap = Math.min(this.byDialog.get(callId) ?? MAX_NETWORK_SECONDS, MAX_NETWORK_SECONDS);
      head = head.replace(
        /(\r\nSubscription-State\s*:[^\r\n]*?;\s*expires\s*=\s*)(\d+)/i,
        (_m, prefix: string, value: string) => `${prefix}${Math.min(Number(value), cap)}`,
      );
      head = head.replace(
        /(\r\nSubscription-State\s*:[^\r\n]*?;\s*retry-after\s*=\s*)(\d+)/i,
        (_m, prefix: string, value: string) => `${prefix}${Math.min(Number(value), MAX_NETWORK_SECONDS)}`,
      );
    }
    return head + message.slice(end);
  }

  /** A 2xx that grants our binding (user part `user`) less than the floor: the binding renamed, and said. */
  private floorRegistration(head: string, user: string, asked: number): string {
    const floor = Math.min(this.minRegistration, asked);
    let granted: number | undefined;
    const out = head.replace(/(\r\n(?:Contact|m)\s*:\s*)([^\r\n]*)/gi, (_line, prefix: string, value: string) => {
      const contacts = value.split(/,(?=\s*(?:"[^"]*"\s*)?<)/).map((contact) => {
        if (/<sips?:([^@>;]+)@/i.exec(contact)?.[1] !== user) return contact;
        const seconds = asNumber(/;\s*expires\s*=\s*(\d+)/i.exec(contact)?.[1]);
        if (seconds === undefined || seconds >= floor) return contact;
        granted = seconds;
        // sip.js reads a binding without expires as NaN (a refresh every millisecond) and an answer
        // without any Contact leaves its REGISTER pending for ever; a binding that is not ours is
        // its one clean path: "no registration", no timer, ready to send again.
        return contact.replace(/<(sips?:)([^@>;]+)@/i, '<$1$2.not-granted@');
      });
      return `${prefix}${contacts.join(',')}`;
    });
    if (granted === undefined) return head;
    this.tooBrief?.(granted);
    return out;
  }
}

/** Keeps at most this many requests in mind (answers come within seconds; the rest are stale). */
const REMEMBERED = 4096;

/** Sets `key` as the newest entry of `map`, dropping the oldest beyond `max` (a bounded memory). */
export function remember<T>(map: Map<string, T>, key: string, value: T, max = REMEMBERED): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** A SIP message's start line and headers (without the body). */
export function headOf(message: string): string {
  const end = message.indexOf('\r\n\r\n');
  return end < 0 ? message : message.slice(0, end);
}

/** A header's value in `head` (by its name or compact form, RFC 3261 §7.3.3); undefined when absent. */
export function header(head: string, name: string, compact?: string): string | undefined {
  const names = compact ? `${name}|${compact}` : name;
  return new RegExp(`\\r\\n(?:${names})\\s*:\\s*([^\\r\\n]*)`, 'i').exec(head)?.[1];
}

function asNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function capHeader(head: string, name: string, cap: number): string {
  return head.replace(
    new RegExp(`(\\r\\n${name}\\s*:\\s*)(\\d+)`, 'gi'),
    (_m, prefix: string, value: string) => `${prefix}${Math.min(Number(value), cap)}`,
  );
}

function capContactExpires(head: string, cap: number, fallback: number): string {
  return head.replace(/(\r\n(?:Contact|m)\s*:\s*)([^\r\n]*)/gi, (_line, prefix: string, value: string) => {
    if (value.trim() === '*') return `${prefix}${value}`;
    // Contacts are separated by commas outside angle brackets and quotes.
    const contacts = value.split(/,(?=\s*(?:"[^"]*"\s*)?<)/);
    const bounded = contacts.map((contact) => {
      if (/;\s*expires\s*=\s*\d+/i.test(contact)) {
        return contact.replace(/(;\s*expires\s*=\s*)(\d+)/gi, (_m, p: string, v: string) => `${p}${Math.min(Number(v), cap)}`);
      }
      return /<[^>]*>/.test(contact) ? `${contact.trimEnd()};expires=${fallback}` : contact;
    });
    return `${prefix}${bounded.join(',')}`;
  });
}
