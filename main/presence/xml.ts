/**
 * A small, strict XML parser for what presence brings from the network (PIDF, watcher info). It is
 * deliberately unable to do the dangerous things: any DOCTYPE is refused (so no entity can be
 * declared: no billion laughs, no external entities), only the five predefined entities and
 * character references are understood, and input size, nesting depth and element count are capped.
 * Namespaces are resolved, so callers match on (namespace, local name), never on a prefix.
 */

export interface XmlElement {
  /** Namespace URI ('' when none). */
  readonly ns: string;
  /** Local name, without prefix. */
  readonly name: string;
  /** Attributes by local name (unprefixed and prefixed alike; namespace declarations left out). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (character data directly inside it), concatenated. */
  readonly text: string;
}

export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 5_000 };

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

interface Building {
  qname: string;
  attrs: Record<string, string>;
  /** prefix → namespace, including inherited ones. */
  scope: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError('bare & in text');
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`bad character reference ${match}`);
      return String.fromCodePoint(code);
    }
    // Own properties only: `&constructor;` must not find Object.prototype.constructor.
    const value = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (value === undefined) throw new XmlError(`unknown entity &${ref};`);
    return value;
  });
}

function resolve(qname: string, scope: Record<string, string>, isAttribute: boolean): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { ns: isAttribute ? '' : (own(scope, '') ?? ''), name: qname };
  const prefix = qname.slice(0, colon);
  const ns = own(scope, prefix);
  if (ns === undefined) throw new XmlError(`undeclared prefix ${prefix}`);
  return { ns, name: qname.slice(colon + 1) };
}

/** A map without a prototype: names from a document (`constructor`, `__proto__`) are just keys. */
function dict(from: Record<string, string> = {}): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, from);
}

function own(map: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Parses a document and returns its root element, or throws `XmlError`. */
export function parseXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (input.length > limits.maxBytes) throw new XmlError(`document larger than ${limits.maxBytes} bytes`);
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let i = 0;
  const n = input.length;
  if (input.charCodeAt(0) === 0xfeff) i = 1;

  while (i < n) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = input.slice(i, textEnd);
      const top = stack.at(-1);
      if (top) top.text += decode(raw);
      else if (raw.trim() !== '') throw new XmlError('text outside the root element');
    }
    if (lt < 0) break;
    i = lt;
    if (input.startsWith('<?', i)) {
      const end = input.indexOf('?>', i + 2);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      i = end + 2;
    } else if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', i)) {
      const end = input.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlError('unterminated CDATA');
      const top = stack.at(-1);
      if (!top) throw new XmlError('CDATA outside the root element');
      top.text += input.slice(i + 9, end);
      i = end + 3;
    } else if (input.startsWith('<!', i)) {
      // DOCTYPE and any other declaration: this is how entities get declared. Never.
      throw new XmlError('DOCTYPE and declarations are not allowed');
    } else if (input.startsWith('</', i)) {
      const end = input.indexOf('>', i + 2);
      if (end < 0) throw new XmlError('unterminated end tag');
      const qname = input.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new XmlError(`mismatched end tag </${qname}>`);
      const { ns, name } = resolve(open.qname, open.scope, false);
      const attrs = dict();
      for (const [key, value] of Object.entries(open.attrs)) {
        if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
        attrs[resolve(key, open.scope, true).name] = value;
      }
      const element: XmlElement = { ns, name, attrs, children: open.children, text: open.text };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else root = element;
      i = end + 1;
    } else {
      // Start tag: <qname attr="v" ...> or <qname .../>
      let j = i + 1;
      const tagEnd = findTagEnd(input, j);
      const selfClosing = input[tagEnd - 1] === '/';
      const inner = input.slice(j, selfClosing ? tagEnd - 1 : tagEnd);
      const match = /^([^\s/>]+)/.exec(inner);
      if (!match || !NAME.test(match[1]!)) throw new XmlError('bad start tag');
      const qname = match[1]!;
      if (root) throw new XmlError('more than one root element');
      if (++elements > limits.maxElements) throw new XmlError(`more than ${limits.maxElements} elements`);
      if (stack.length + 1 > limits.maxDepth) throw new XmlError(`nested deeper than ${limits.maxDepth}`);
      const attrs = dict();
      const attrPattern = /\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/gy;
      attrPattern.lastIndex = qname.length;
      let m: RegExpExecArray | null;
      let consumed = qname.length;
      while ((m = attrPattern.exec(inner))) {
        const key = m[1]!;
        if (!NAME.test(key) && key !== 'xmlns') throw new XmlError(`bad attribute name ${key}`);
        if (Object.hasOwn(attrs, key)) throw new XmlError(`duplicate attribute ${key}`);
        const value = m[3] ?? m[4] ?? '';
        if (value.includes('<')) throw new XmlError('< in attribute value');
        attrs[key] = decode(value);
        consumed = attrPattern.lastIndex;
      }
      if (inner.slice(consumed).trim() !== '') throw new XmlError(`bad attributes in <${qname}>`);
      const parentScope = stack.at(-1)?.scope ?? dict({ xml: 'http://www.w3.org/XML/1998/namespace' });
      let scope = parentScope;
      for (const [key, value] of Object.entries(attrs)) {
        if (key === 'xmlns' || key.startsWith('xmlns:')) {
          if (scope === parentScope) scope = dict(parentScope);
          scope[key === 'xmlns' ? '' : key.slice(6)] = value;
        }
      }
      const building: Building = { qname, attrs, scope, children: [], text: '' };
      j = tagEnd + 1;
      i = j;
      if (selfClosing) {
        const { ns, name } = resolve(qname, scope, false);
        const plain = dict();
        for (const [key, value] of Object.entries(attrs)) {
          if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
          plain[resolve(key, scope, true).name] = value;
        }
        const element: XmlElement = { ns, name, attrs: plain, children: [], text: '' };
        const parent = stack.at(-1);
        if (parent) parent.children.push(element);
        else root = element;
      } else {
        stack.push(building);
      }
    }
  }
  if (stack.length > 0) throw new XmlError(`unclosed <${stack.at(-1)!.qname}>`);
  if (!root) throw new XmlError('no root element');
  return root;
}

function findTagEnd(input: string, from: number): number {
  let quote: string | null = null;
  for (let k = from; k < input.length; k++) {
    const c = input[k];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k;
    else if (c === '<') break;
  }
  throw new XmlError('unterminated start tag');
}

/** The children of `element` with this namespace and local name. */
export function childrenNamed(element: XmlElement, ns: string, name: string): XmlElement[] {
  return element.children.filter((child) => child.ns === ns && child.name === name);
}

/** The first child with this namespace and local name. */
export function childNamed(element: XmlElement, ns: string, name: string): XmlElement | undefined {
  return element.children.find((child) => child.ns === ns && child.name === name);
}

/** Escapes text for an XML text node or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as const)[c as '<']};`);
}
