/**
 * A piece of message text: plain, a link the system browser opens (`href`), or a SIP address that
 * opens a conversation in Parley itself (`sip`).
 */
export type TextPart = { readonly text: string; readonly href?: string; readonly sip?: string };

/** Schemes a link in a message may use (anything else stays text). */
const LINK = /\b(?:https?:\/\/[^\s<>"“”‘’«»]+|mailto:[^\s<>"“”‘’«»]+|sips?:[^\s<>"“”‘’«»@]+@[^\s<>"“”‘’«»]+)/giu;

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
    parts.push(/^sips?:/i.test(url) ? { text: url, sip: url } : { text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
