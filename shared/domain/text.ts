/**
 * Text from the network (display names, notes, reason phrases) as it may be shown: one cleaning
 * function for all of it.
 *
 * - Control characters (Cc) become spaces; format characters (Cf) go — among them the bidi
 *   overrides and embeddings (U+202A–202E, U+2066–2069) that turn "alice‮gpj.exe" into
 *   "alice exe.jpg" and spill into the text beside it, zero-width spaces and BOMs. Kept, because
 *   they carry meaning: ZWNJ and ZWJ (Persian, Indic scripts, emoji sequences) and the tag
 *   characters of a subdivision flag right after U+1F3F4.
 * - At most `MAX_COMBINING` combining marks stay on one base character ("Zalgo" text otherwise
 *   grows over the lines around it).
 * - Whitespace runs become one space; the result is trimmed and at most `max` characters.
 *
 * Rendering still isolates every such string (`<bdi>` in the page, FSI…PDI in notifications):
 * cleaning removes explicit overrides, isolation contains the ordinary right-to-left text.
 */

/** Combining marks kept on one base character (Vietnamese needs 2, some scripts 3). */
export const MAX_COMBINING = 4;

const FLAG_TAGS = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const COMBINING_RUN = new RegExp(`(\\p{M}{${MAX_COMBINING}})\\p{M}+`, 'gu');

export function cleanText(text: string, max: number): string {
  // Keep subdivision flags whole while the other Cf characters go.
  const flags: string[] = [];
  const marked = text.replace(FLAG_TAGS, (flag) => `\u{F0000}${flags.push(flag) - 1}\u{F0001}`);
  const stripped = marked
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/[^\P{Cf}\u200C\u200D]/gu, '')
    .replace(COMBINING_RUN, '$1')
    .replace(/\s+/gu, ' ')
    .trim();
  const restored = stripped.replace(/\u{F0000}(\d+)\u{F0001}/gu, (_m, index: string) => flags[Number(index)] ?? '');
  return truncate(restored, max);
}

/**
 * A message body from the network as it may be kept and shown: the same cleaning as `cleanText`
 * (bidi overrides, embeddings and isolates gone — a link must not read `…/exe.pdf`; zero-width
 * spaces gone; at most `MAX_COMBINING` marks on one character) but lines kept: line breaks made
 * uniform, tabs kept, other control characters gone. The bidi marks (LRM, RLM, ALM) stay: they
 * only nudge neutral characters, which right-to-left writers need, and cannot reorder a link.
 */
export function cleanBody(text: string): string {
  const flags: string[] = [];
  const marked = text.replace(FLAG_TAGS, (flag) => `\u{F0000}${flags.push(flag) - 1}\u{F0001}`);
  const stripped = marked
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '')
    .replace(/[^\P{Cf}\u061C\u200E\u200F\u200C\u200D]/gu, '')
    .replace(COMBINING_RUN, '$1');
  return stripped.replace(/\u{F0000}(\d+)\u{F0001}/gu, (_m, index: string) => flags[Number(index)] ?? '');
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** Wraps text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE for places without markup (notifications, the tray). */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
