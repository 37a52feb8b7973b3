import { childNamed, parseXml, type XmlLimits } from '../presence/xml.js';

const IMDN = 'urn:ietf:params:xml:ns:imdn';
const LIMITS: XmlLimits = { maxBytes: 16 * 1024, maxDepth: 8, maxElements: 64 };

/** What a notification says about one of my messages (RFC 5438 §7). */
export interface Notification {
  /** The message it is about: its imdn.Message-ID, or the SIP Call-ID of a plain-text message. */
  readonly messageId: string;
  readonly status: 'delivered' | 'displayed' | 'failed' | 'other';
}

/** Reads an IMDN document (`message/imdn+xml`); undefined when it is not one. Parsed without entities. */
export function parseImdn(xml: string): Notification | undefined {
  let root;
  try {
    root = parseXml(xml, LIMITS);
  } catch {
    return undefined;
  }
  if (root.ns !== IMDN || root.name !== 'imdn') return undefined;
  const messageId = childNamed(root, IMDN, 'message-id')?.text.trim() ?? '';
  if (messageId === '' || messageId.length > 256) return undefined;
  const notification = childNamed(root, IMDN, 'delivery-notification') ?? childNamed(root, IMDN, 'display-notification');
  const status = notification && childNamed(notification, IMDN, 'status');
  const value = status?.children[0]?.name;
  const kind =
    notification?.name === 'display-notification' && value === 'displayed'
      ? 'displayed'
      : value === 'delivered'
        ? 'delivered'
        : value === 'failed' || value === 'error' || value === 'forbidden'
          ? 'failed'
          : 'other';
  return { messageId, status: kind };
}
