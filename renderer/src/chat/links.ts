/**
 * A piece of message text: plain, a link the system browser opens (`href`), a SIP address that
 * opens a conversation in Parley itself (`sip`), or a phone number (`tel:`) that opens Parley's
 * keypad with it (`tel`, the number as written after `tel:`).
 */
export type TextPart = { readonly text: string; readonly href?: string; readonly sip?: string; readonly tel?: string };

/** Schemes a link in a message may use (anything else stays text). */
const LINK = /\b(?:https?:\/\/[^\s<>"“”‘’«»]+|mailto:[^\s<>"“”‘’«»]+|sips?:[^\s<>"“”‘’«»@]+@[^\s<>"“”‘’«»]+|tel:\+?[\d().-]{3,32})/giu;

/**
 * Splits message text into text and links. Nothing from the network becomes HTML: the page renders
 * each part as text; only http, https and mailto become links, and sip: addresses open a
 * conversation in Parley (trailing punctuation stays text).
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    const trail = /[.,;:!?)\]}'"…]+$/u.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trail.length);
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    if (/^sips?:/i.test(url)) parts.push({ text: url, sip: url });
    else if (/^tel:/i.test(url)) parts.push({ text: url, tel: url.slice(4) });
    else parts.push({ text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
