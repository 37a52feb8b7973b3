import { describe, expect, test } from 'vitest';
import { buildPidf, parsePidf } from '../../../main/presence/pidf.js';
import { buildPresRules } from '../../../main/approvals/pres-rules.js';
import { parseWatcherInfo } from '../../../main/approvals/watcherinfo.js';
import { parseXml, XmlError } from '../../../main/presence/xml.js';
import { MY_STATUSES } from '../../../shared/domain/presence.js';

const NS =
  'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"';

describe('PIDF/RPID from other clients', () => {
  test('open with no activities is Available; closed is Offline; the note comes through', () => {
    expect(
      parsePidf(`<presence ${NS} entity="sip:b@x"><tuple id="t"><status><basic>open</basic></status></tuple><note>Hi</note></presence>`),
    ).toEqual({
      availability: 'available',
      note: 'Hi',
    });
    expect(parsePidf(`<presence ${NS} entity="sip:b@x"><tuple id="t"><status><basic>closed</basic></status></tuple></presence>`)).toEqual({
      availability: 'offline',
      note: '',
    });
  });

  test('several tuples: any open tuple makes the person reachable; several persons: the first with activities counts', () => {
    const xml = `<?xml version="1.0"?><presence ${NS} entity="sip:b@x">
      <tuple id="a"><status><basic>closed</basic></status></tuple>
      <tuple id="b"><status><basic>open</basic></status><note>from tuple</note></tuple>
      <dm:person id="p0"><dm:note>person note</dm:note></dm:person>
      <dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>
      <dm:person id="p2"><rpid:activities><rpid:away/></rpid:activities></dm:person>
    </presence>`;
    expect(parsePidf(xml)).toEqual({ availability: 'busy', note: 'person note', inCall: true });
  });

  test('unknown elements and other prefixes are ignored; namespaces, not prefixes, are matched', () => {
    const xml = `<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:ext" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:b@x">
      <x:whatever a="1"><x:deep/></x:whatever>
      <p:tuple id="t"><p:status><p:basic>open</p:basic><x:extra/></p:status></p:tuple>
      <d:person id="p"><r:activities><r:vacation/></r:activities><x:mood>ok</x:mood></d:person>
    </p:presence>`;
    expect(parsePidf(xml)).toEqual({ availability: 'away', note: '' });
  });

  test('not a PIDF document at all reads as Offline', () => {
    expect(parsePidf('<html><body>hi</body></html>')).toEqual({ availability: 'offline', note: '' });
  });

  test('Parley’s own states survive a round trip', () => {
    for (const status of MY_STATUSES) {
      const parsed = parsePidf(buildPidf('sip:a@x', status, 'In <b>Berlin</b> & "out"', 't1'));
      expect(parsed.availability).toBe(status === 'appearOffline' ? 'offline' : status);
      expect(parsed.note).toBe(status === 'appearOffline' ? '' : 'In <b>Berlin</b> & "out"');
    }
  });
});

describe('in a call', () => {
  test('on the phone (RPID) reads as Busy, in a call; Do not disturb stays Do not disturb; appear offline stays offline', () => {
    const call = (status: (typeof MY_STATUSES)[number]) => parsePidf(buildPidf('sip:a@x', status, '', 't1', true));
    expect(call('available')).toEqual({ availability: 'busy', note: '', inCall: true });
    expect(call('away')).toEqual({ availability: 'busy', note: '', inCall: true });
    expect(call('dnd')).toEqual({ availability: 'dnd', note: '' });
    expect(call('appearOffline')).toEqual({ availability: 'offline', note: '' });
    // Another client's "on-the-phone" reads the same.
    const xml = `<presence ${NS} xmlns:d="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid">
      <tuple id="t"><status><basic>open</basic></status></tuple>
      <d:person id="p"><r:activities><r:on-the-phone/></r:activities></d:person></presence>`;
    expect(parsePidf(xml)).toEqual({ availability: 'busy', note: '', inCall: true });
  });
});

describe('hostile XML is refused quickly and safely', () => {
  test('entity declarations (billion laughs, external entities) are refused, never expanded', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><presence ${NS}><note>&lol2;</note></presence>`;
    expect(() => parsePidf(laughs)).toThrow(XmlError);
    const xxe = `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><presence ${NS}><note>&x;</note></presence>`;
    expect(() => parsePidf(xxe)).toThrow(/DOCTYPE/);
    expect(() => parsePidf(`<presence ${NS}><note>&x;</note></presence>`)).toThrow(/unknown entity/);
  });

  test('size, depth and element-count limits hold', () => {
    const deep = `<presence ${NS}>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</presence>`;
    expect(() => parsePidf(deep)).toThrow(/larger than|nested deeper/);
    expect(() => parseXml(`<r>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</r>`)).toThrow(/nested deeper than 32/);
    expect(() => parseXml(`<r>${'<a/>'.repeat(6_000)}</r>`)).toThrow(/more than 5000 elements/);
    const huge = `<presence ${NS}><note>${'x'.repeat(100_000)}</note></presence>`;
    expect(() => parsePidf(huge)).toThrow(/larger than/);
  });

  test('markup and control characters in notes stay text, bounded', () => {
    const note = '<img src=x onerror=alert(1)>\u0000\u202e' + 'y'.repeat(1000);
    const xml = `<presence ${NS}><tuple id="t"><status><basic>open</basic></status></tuple><note>${note.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</note></presence>`;
    const parsed = parsePidf(xml);
    expect(parsed.note.startsWith('<img src=x onerror=alert(1)>')).toBe(true);
    expect(parsed.note.includes('\u0000') || parsed.note.includes('\u202e')).toBe(false);
    expect(parsed.note.length).toBeLessThanOrEqual(280);
  });

  test('malformed documents throw instead of half-parsing', () => {
    for (const bad of ['', '<a>', '<a></b>', '<a><b></a></b>', 'text', '<a x="1" x="2"/>', '<a>&</a>', '<p:a/>', '<a/><b/>', '<a x=1/>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
  });
});

describe('watcher info (RFC 3858)', () => {
  test('pending and active watchers of the presence package', () => {
    const xml = `<?xml version="1.0"?>
      <watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="3" state="full">
        <watcher-list resource="sip:alice@uc.test" package="presence">
          <watcher id="1" event="subscribe" status="pending" display-name="Bob &lt;b&gt;">sip:bob@uc.test</watcher>
          <watcher id="2" event="approved" status="active">sip:carol@partner.test</watcher>
          <watcher id="3" event="weird" status="bogus">sip:x@y</watcher>
        </watcher-list>
        <watcher-list resource="sip:alice@uc.test" package="message-summary"><watcher id="9" event="subscribe" status="pending">sip:m@y</watcher></watcher-list>
      </watcherinfo>`;
    expect(parseWatcherInfo(xml)).toEqual({
      version: 3,
      state: 'full',
      watchers: [
        { uri: 'sip:bob@uc.test', displayName: 'Bob <b>', status: 'pending', event: 'subscribe' },
        { uri: 'sip:carol@partner.test', displayName: '', status: 'active', event: 'approved' },
      ],
    });
  });
});

describe('pres-rules (RFC 5025)', () => {
  test('allow and block lists become rules; empty lists leave no rule; URIs are escaped', () => {
    const doc = parseXml(buildPresRules(['sip:bob@uc.test'], ['sip:eve@x.test', 'sip:"q"@x']));
    const rules = doc.children;
    expect(rules.map((r) => r.attrs.id)).toEqual(['parley-allow', 'parley-block']);
    const handling = (i: number) => rules[i]!.children.find((c) => c.name === 'actions')!.children[0]!.text;
    expect([handling(0), handling(1)]).toEqual(['allow', 'block']);
    const ids = (i: number) => rules[i]!.children[0]!.children[0]!.children.map((c) => c.attrs.id);
    expect(ids(1)).toEqual(['sip:eve@x.test', 'sip:"q"@x']);
    expect(parseXml(buildPresRules([], [])).children).toEqual([]);
  });
});

describe('names from the document are never looked up on Object.prototype', () => {
  const doc = (inner: string, attrs = '') =>
    `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"${attrs}><tuple id="t"><status><basic>open</basic></status></tuple>${inner}</presence>`;

  test('&constructor; and &toString; are unknown entities, not "function Object() { [native code] }"', () => {
    expect(() => parsePidf(doc('<note>&constructor;</note>'))).toThrow(/unknown entity/);
    expect(() => parsePidf(doc('<note>&toString;</note>'))).toThrow(/unknown entity/);
    expect(() => parseXml('<a x="&hasOwnProperty;"/>')).toThrow(/unknown entity/);
  });

  test('attributes named constructor or __proto__ are ordinary attributes of a valid document', () => {
    expect(parsePidf(doc('<note>hi</note>', ' constructor="x" __proto__="y"'))).toEqual({ availability: 'available', note: 'hi' });
    const root = parseXml('<a constructor="1" __proto__="2" toString="3"/>');
    expect(Object.keys(root.attrs).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a prefix named like a prototype member is undeclared unless the document declares it', () => {
    expect(() => parseXml('<constructor:a/>')).toThrow(/undeclared prefix/);
    expect(() => parseXml('<toString:a/>')).toThrow(/undeclared prefix/);
  });
});

test("a watcher's display name is cleaned of bidi overrides and control characters", () => {
  const info = parseWatcherInfo(
    '<?xml version="1.0"?><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">' +
      '<watcher-list resource="sip:alice@uc.test" package="presence">' +
      '<watcher id="w1" event="subscribe" status="pending" display-name="Mallory&#x202E;gpj.exe&#x7;">sip:mallory@evil.test</watcher>' +
      '</watcher-list></watcherinfo>',
  );
  expect(info.watchers[0]?.displayName).toBe('Mallorygpj.exe');
});

describe('reading what other clients publish (RFC 3863, 4479, 4480)', () => {
  const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
  const doc = (inner: string) => `<presence ${NS} xmlns:x="urn:example" entity="sip:b@x">${inner}</presence>`;
  const OPEN_TUPLE = '<tuple id="t"><status><basic>open</basic></status></tuple>';

  test('a person element without any tuple still says what they do: busy is Busy, not Offline', () => {
    expect(parsePidf(doc('<dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person>'), { now: NOW })).toEqual({
      availability: 'busy',
      note: '',
    });
    expect(parsePidf(doc('<dm:person id="p"><dm:note>hello</dm:note></dm:person>'), { now: NOW })).toEqual({
      availability: 'offline',
      note: 'hello',
    });
  });

  test('the text of <rpid:other> is shown when there is no note', () => {
    const xml = doc(
      `${OPEN_TUPLE}<dm:person id="p"><rpid:activities><rpid:other>At the dentist</rpid:other></rpid:activities></dm:person>`,
    );
    expect(parsePidf(xml, { now: NOW })).toEqual({ availability: 'available', note: 'At the dentist' });
  });

  test("the note in the reader's language is preferred (xml:lang), then one without a language", () => {
    const xml = doc(
      `${OPEN_TUPLE}<dm:person id="p"><dm:note xml:lang="en">In a meeting</dm:note><dm:note xml:lang="de">In einer Besprechung</dm:note></dm:person>`,
    );
    expect(parsePidf(xml, { now: NOW, languages: ['de-CH'] }).note).toBe('In einer Besprechung');
    expect(parsePidf(xml, { now: NOW, languages: ['en-GB'] }).note).toBe('In a meeting');
    expect(parsePidf(xml, { now: NOW, languages: ['fr'] }).note).toBe('In a meeting');
  });

  test('<rpid:user-input>idle</rpid:user-input> means Away', () => {
    const xml = doc(`${OPEN_TUPLE}<dm:person id="p"><rpid:user-input>idle</rpid:user-input></dm:person>`);
    expect(parsePidf(xml, { now: NOW }).availability).toBe('away');
  });

  test('an activity whose until has passed no longer applies; one whose from has not come yet does not yet', () => {
    const past = doc(
      `${OPEN_TUPLE}<dm:person id="p"><rpid:activities until="2026-11-27T11:00:00Z"><rpid:meeting/></rpid:activities></dm:person>`,
    );
    const future = doc(
      `${OPEN_TUPLE}<dm:person id="p"><rpid:activities from="2026-11-27T13:00:00Z"><rpid:meeting/></rpid:activities></dm:person>`,
    );
    const now = doc(
      `${OPEN_TUPLE}<dm:person id="p"><rpid:activities until="2026-11-27T13:00:00Z"><rpid:meeting/></rpid:activities></dm:person>`,
    );
    expect(parsePidf(past, { now: NOW }).availability).toBe('available');
    expect(parsePidf(future, { now: NOW }).availability).toBe('available');
    expect(parsePidf(now, { now: NOW }).availability).toBe('busy');
  });
});

test('Away and Be right back are never the literal `<rpid:away/>` (baresip shows that as Offline), and still read as what they are', () => {
  for (const status of ['away', 'brb'] as const) {
    const document = buildPidf('sip:a@x', status, '', 't1');
    expect(document).not.toMatch(/<rpid:away[ \t]*\/>/);
    expect(parsePidf(document).availability).toBe(status);
  }
});

test('Do not disturb and Be right back name their RPID activity last (Linphone reads the last activity only), our marker first', () => {
  const last = (status: 'dnd' | 'brb') => /<rpid:activities>(.*)<\/rpid:activities>/.exec(buildPidf('sip:a@x', status, '', 't1'))![1]!;
  expect(last('dnd')).toMatch(/^<rpid:other>Do not disturb<\/rpid:other><rpid:busy\/>$/);
  expect(last('brb')).toMatch(/^<rpid:other>Be right back<\/rpid:other><rpid:away> <\/rpid:away>$/);
  expect(parsePidf(buildPidf('sip:a@x', 'dnd', '', 't1')).availability).toBe('dnd');
});
