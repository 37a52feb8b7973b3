import { childrenNamed, DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../presence/xml.js';
import { cleanText } from '../../shared/domain/text.js';

// RFC 3858: watcher information document.
const WINFO = 'urn:ietf:params:xml:ns:watcherinfo';

/** One watcher of my presence, as the server reports it. */
export interface Watcher {
  /** Watcher URI (the element's text). */
  readonly uri: string;
  readonly displayName: string;
  /** RFC 3857 §3.3: pending, active, waiting or terminated. */
  readonly status: 'pending' | 'active' | 'waiting' | 'terminated';
  /** What caused the status (subscribe, approved, rejected, timeout, …). */
  readonly event: string;
}

export interface WatcherInfo {
  readonly version: number;
  /** `full` replaces what we knew; `partial` updates it (RFC 3858 §4.2). */
  readonly state: 'full' | 'partial';
  /** Watchers of the `presence` package for this resource. */
  readonly watchers: readonly Watcher[];
}

const STATUSES = new Set(['pending', 'active', 'waiting', 'terminated']);

/** Parses a watcherinfo document; only `presence` watcher lists count. */
/**
 * Limits for a watcher-info document: a full list (RFC 3857 §3.3 state="full") names every watcher,
 * a few hundred bytes each; a flooded inbox must still be read, or every request, genuine ones
 * included, would vanish with it. 1 MiB is also the most a SIP message may carry here (about 6000 watchers).
 */
export const WINFO_XML_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 8, maxElements: 40_000 };

export function parseWatcherInfo(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): WatcherInfo {
  const root = parseXml(xml, limits);
  if (root.ns !== WINFO || root.name !== 'watcherinfo') throw new Error('not a watcherinfo document');
  const watchers: Watcher[] = [];
  for (const list of childrenNamed(root, WINFO, 'watcher-list')) {
    if ((list.attrs.package ?? 'presence') !== 'presence') continue;
    for (const watcher of childrenNamed(list, WINFO, 'watcher')) {
      const status = watcher.attrs.status ?? '';
      const uri = watcher.text.trim();
      if (!STATUSES.has(status) || uri === '') continue;
      watchers.push({
        uri,
        displayName: cleanText(watcher.attrs['display-name'] ?? '', 128),
        status: status as Watcher['status'],
        event: watcher.attrs.event ?? '',
      });
    }
  }
  return { version: Number(root.attrs.version ?? 0), state: root.attrs.state === 'partial' ? 'partial' : 'full', watchers };
}
