import { escapeXml } from '../presence/xml.js';

/**
 * CPIM (RFC 3862) with IMDN headers (RFC 5438 §6): how Parley sends a message to a client that takes
 * `message/cpim`, asking to be told when it is delivered and read, and how it sends those
 * notifications itself.
 */

/** A text message wrapped in CPIM, asking for delivery and display notifications. */
export function cpimMessage(options: { from: string; to: string; messageId: string; sentAt: number; text: string }): string {
  return [
    `From: <${options.from}>`,
    `To: <${options.to}>`,
    `DateTime: ${new Date(options.sentAt).toISOString()}`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${options.messageId}`,
    'imdn.Disposition-Notification: positive-delivery, display',
    '',
    'Content-Type: text/plain;charset=utf-8',
    '',
    options.text,
  ].join('\r\n');
}

/**
 * A delivery or display notification about message `aboutId`, in CPIM (RFC 5438 §7.2.1.1: it has
 * its own Message-ID and asks for no notification itself).
 */
export function cpimNotification(options: {
  from: string;
  to: string;
  messageId: string;
  aboutId: string;
  status: 'delivered' | 'displayed';
  at: number;
}): string {
  const kind = options.status === 'delivered' ? 'delivery-notification' : 'display-notification';
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
    `<message-id>${escapeXml(options.aboutId)}</message-id>` +
    `<datetime>${new Date(options.at).toISOString()}</datetime>` +
    `<${kind}><status><${options.status}/></status></${kind}>` +
    '</imdn>';
  return [
    `From: <${options.from}>`,
    `To: <${options.to}>`,
    `DateTime: ${new Date(options.at).toISOString()}`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${options.messageId}`,
    '',
    'Content-Type: message/imdn+xml',
    'Content-Disposition: notification',
    '',
    xml,
  ].join('\r\n');
}
