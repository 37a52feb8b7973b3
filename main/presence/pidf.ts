import type { Availability, MyStatus, Presence } from '../../shared/domain/presence.js';
import { NOTE_MAX } from '../../shared/domain/presence.js';
import { cleanText } from '../../shared/domain/text.js';
import { childNamed, childrenNamed, escapeXml, parseXml, type XmlElement } from './xml.js';

// RFC 3863 (PIDF), RFC 4479 (data model), RFC 4480 (RPID).
const PIDF = 'urn:ietf:params:xml:ns:pidf';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';
const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';

/** Activities (RFC 4480 §3.2) that mean the person cannot be disturbed much. */
const BUSY_ACTIVITIES = new Set(['busy', 'on-the-phone', 'meeting', 'performance', 'presentation', 'appointment', 'steering']);
const AWAY_ACTIVITIES = new Set(['away', 'vacation', 'holiday', 'sleeping', 'lunch', 'meal', 'travel', 'permanent-absence']);

/** `rpid:other` texts Parley publishes to keep states RPID has no element for. */
const OTHER_DND = 'Do not disturb';
const OTHER_BRB = 'Be right back';

/** Keeps a note readable: no control characters, trimmed, bounded. */
export function cleanNote(text: string): string {
  return cleanText(text, NOTE_MAX);
}

/** How to read a document: the time now (for `until`/`from`) and the languages the person reads. */
export interface ReadOptions {
  readonly now?: number;
  /** BCP 47 tags, most preferred first (`de-CH`, `en`); the note in the best of these is shown. */
  readonly languages?: readonly string[];
}

/**
 * The activities a person element states now (RFC 4480 §3.2): an `<rpid:activities>` whose `until`
 * has passed, or whose `from` has not come yet, says nothing any more.
 */
function activitiesOf(person: XmlElement, now: number): { names: string[]; other: string } {
  const activities = childNamed(person, RPID, 'activities');
  if (!activities || !inEffect(activities, now)) return { names: [], other: '' };
  const names = activities.children.filter((c) => c.ns === RPID && c.name !== 'other').map((c) => c.name);
  const other = cleanNote(activities.children.find((c) => c.ns === RPID && c.name === 'other')?.text ?? '');
  return { names, other };
}

function inEffect(element: XmlElement, now: number): boolean {
  const until = Date.parse(element.attrs.until ?? '');
  const from = Date.parse(element.attrs.from ?? '');
  return !(Number.isFinite(until) && until <= now) && !(Number.isFinite(from) && from > now);
}

/** RFC 4480 §3.7: `<rpid:user-input>idle</rpid:user-input>` — the person is not at the device. */
function isIdle(person: XmlElement): boolean {
  return childNamed(person, RPID, 'user-input')?.text.trim().toLowerCase() === 'idle';
}

function availabilityFrom(names: string[], other: string): Availability {
  if (/do not disturb|\bdnd\b/i.test(other)) return 'dnd';
  if (/be right back|\bbrb\b/i.test(other)) return 'brb';
  if (names.some((name) => BUSY_ACTIVITIES.has(name))) return 'busy';
  if (names.some((name) => AWAY_ACTIVITIES.has(name))) return 'away';
  return 'available';
}

/**
 * The note to show: the first non-empty one in the person's best language (by `xml:lang`, RFC 3863
 * §4.1.6), else one with no language, else the first there is.
 */
function pickNote(notes: XmlElement[], languages: readonly string[]): string {
  const written = notes.filter((n) => n.text.trim() !== '');
  const langOf = (n: XmlElement) => (n.attrs.lang ?? '').toLowerCase();
  for (const wanted of languages.map((l) => l.toLowerCase())) {
    const exact = written.find((n) => langOf(n) === wanted);
    if (exact) return exact.text;
    const primary = wanted.split('-')[0]!;
    const close = written.find((n) => langOf(n).split('-')[0] === primary);
    if (close) return close.text;
  }
  return (written.find((n) => langOf(n) === '') ?? written[0])?.text ?? '';
}

/** Our own markers for states RPID has no element for; shown as the state, not as a note. */
function isOurMarker(other: string): boolean {
  return other === OTHER_DND || other === OTHER_BRB;
}

/**
 * Reads a PIDF document (RFC 3863; data model RFC 4479; RPID RFC 4480 — several tuples and persons,
 * unknown elements) into what a person sees. An open tuple makes the person reachable; a document
 * with no tuple at all still tells what the person is doing (a busy activity is Busy, not
 * Offline); closed tuples and nothing else is Offline. Throws `XmlError` for documents the strict
 * parser refuses; callers show such a contact as Offline.
 */
export function parsePidf(xml: string, options: ReadOptions = {}): Presence {
  const now = options.now ?? Date.now();
  const languages = options.languages ?? [];
  const root = parseXml(xml);
  if (root.ns !== PIDF || root.name !== 'presence') return { availability: 'offline', note: '' };
  const tuples = childrenNamed(root, PIDF, 'tuple');
  const open = tuples.some((tuple) => {
    const basic = childNamed(childNamed(tuple, PIDF, 'status') ?? tuple, PIDF, 'basic');
    return basic?.text.trim().toLowerCase() === 'open';
  });
  const persons = childrenNamed(root, DM, 'person');
  const notes = [
    ...persons.flatMap((p) => childrenNamed(p, DM, 'note')),
    ...tuples.flatMap((t) => childrenNamed(t, PIDF, 'note')),
    ...childrenNamed(root, PIDF, 'note'),
  ];
  let note = cleanNote(pickNote(notes, languages));
  if (tuples.length > 0 && !open) return { availability: 'offline', note };
  // The first person that says something about activities wins; several persons are rare.
  for (const person of persons) {
    const { names, other } = activitiesOf(person, now);
    if (names.length === 0 && other === '') continue;
    // `<rpid:other>` is free text ("At the dentist"): show it where there is no note.
    if (!note && other && !isOurMarker(other)) note = other;
    const availability = availabilityFrom(names, other);
    const inCall = availability === 'busy' && names.includes('on-the-phone');
    return { availability: availability === 'available' && isIdle(person) ? 'away' : availability, note, ...(inCall ? { inCall } : {}) };
  }
  if (persons.some(isIdle)) return { availability: 'away', note };
  // No tuple and no activity: nothing says the person can be reached.
  if (tuples.length === 0) return { availability: 'offline', note };
  return { availability: 'available', note };
}

/** Builds the PIDF + RPID document Parley publishes for my status (RFC 3863, RFC 4480). */
export function buildPidf(entity: string, status: MyStatus, note: string, tupleId: string, inCall = false): string {
  const text = cleanNote(note);
  const basic = status === 'appearOffline' ? 'closed' : 'open';
  // Away carries one space: to an XML reader the same activity (RFC 4480 §3.2), and the presence
  // server's XML library keeps it when it re-writes the document (an empty `<rpid:away></rpid:away>`
  // comes out as `<rpid:away/>`). baresip looks for that literal `<rpid:away/>` and then shows the
  // person as Offline — it knows no away, and someone away from the desk is still reachable (open).
  const away = '<rpid:away> </rpid:away>';
  // Our marker comes before the activity: Linphone (5.1) shows only the last activity of a person
  // (`<rpid:other>` reads there as "Moved"), so Do not disturb shows as Busy and Be right back as
  // Away; an order-free reader (RFC 4480 §3.2 activities are a set) still sees both.
  const activities: Record<MyStatus, string> = {
    available: '',
    busy: '<rpid:busy/>',
    dnd: `<rpid:other>${OTHER_DND}</rpid:other><rpid:busy/>`,
    brb: `<rpid:other>${OTHER_BRB}</rpid:other>${away}`,
    away,
    appearOffline: '',
  };
  // In a call, RPID says on the phone (RFC 4480 §3.2) — over any status but Do not disturb, which
  // stays what others see.
  if (inCall && (status === 'available' || status === 'busy' || status === 'away' || status === 'brb')) {
    activities[status] = '<rpid:on-the-phone/>';
  }
  const person =
    status === 'appearOffline'
      ? ''
      : `<dm:person id="p-${escapeXml(tupleId)}">${activities[status] ? `<rpid:activities>${activities[status]}</rpid:activities>` : ''}${
          text ? `<dm:note>${escapeXml(text)}</dm:note>` : ''
        }</dm:person>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<presence xmlns="${PIDF}" xmlns:dm="${DM}" xmlns:rpid="${RPID}" entity="${escapeXml(entity)}">` +
    `<tuple id="${escapeXml(tupleId)}"><status><basic>${basic}</basic></status></tuple>` +
    person +
    (text && status !== 'appearOffline' ? `<note>${escapeXml(text)}</note>` : '') +
    `</presence>`
  );
}
