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

function activitiesOf(person: XmlElement): { names: string[]; other: string } {
  const activities = childNamed(person, RPID, 'activities');
  if (!activities) return { names: [], other: '' };
  const names = activities.children.filter((c) => c.ns === RPID).map((c) => c.name);
  const other = activities.children.find((c) => c.ns === RPID && c.name === 'other')?.text ?? '';
  return { names, other };
}

function availabilityFrom(names: string[], other: string): Availability {
  if (/do not disturb|\bdnd\b/i.test(other)) return 'dnd';
  if (/be right back|\bbrb\b/i.test(other)) return 'brb';
  if (names.some((name) => BUSY_ACTIVITIES.has(name))) return 'busy';
  if (names.some((name) => AWAY_ACTIVITIES.has(name))) return 'away';
  return 'available';
}

/**
 * Reads a PIDF document (with RPID, several tuples and persons, unknown elements) into what a
 * person sees. Closed (or no open tuple) is Offline. Throws `XmlError` for documents the strict
 * parser refuses; callers show such a contact as Offline.
 */
export function parsePidf(xml: string): Presence {
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
  const note = cleanNote(notes.map((n) => n.text).find((text) => text.trim() !== '') ?? '');
  if (!open) return { availability: 'offline', note };
  // The first person that says something about activities wins; several persons are rare.
  for (const person of persons) {
    const { names, other } = activitiesOf(person);
    if (names.length > 0) return { availability: availabilityFrom(names, other), note };
  }
  return { availability: 'available', note };
}

/** Builds the PIDF + RPID document Parley publishes for my status (RFC 3863, RFC 4480). */
export function buildPidf(entity: string, status: MyStatus, note: string, tupleId: string): string {
  const text = cleanNote(note);
  const basic = status === 'appearOffline' ? 'closed' : 'open';
  const activities: Record<MyStatus, string> = {
    available: '',
    busy: '<rpid:busy/>',
    dnd: `<rpid:busy/><rpid:other>${OTHER_DND}</rpid:other>`,
    brb: `<rpid:away/><rpid:other>${OTHER_BRB}</rpid:other>`,
    away: '<rpid:away/>',
    appearOffline: '',
  };
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
