import { escapeXml } from '../presence/xml.js';

/**
 * An RFC 5025 pres-rules document (common-policy, RFC 4745): who may see my presence. `allow`
 * watchers get everything; `block` watchers are refused (the server terminates their subscription
 * with reason "rejected", RFC 3857 §3.2.4). Anyone not listed stays pending: the server asks me.
 */
export function buildPresRules(allow: readonly string[], block: readonly string[]): string {
  const identity = (uris: readonly string[]) =>
    `<cr:identity>${uris.map((uri) => `<cr:one id="${escapeXml(uri)}"/>`).join('')}</cr:identity>`;
  const rule = (id: string, uris: readonly string[], handling: string, transformations: string) =>
    uris.length === 0
      ? ''
      : `<cr:rule id="${id}"><cr:conditions>${identity(uris)}</cr:conditions><cr:actions><pr:sub-handling>${handling}</pr:sub-handling></cr:actions>${transformations}</cr:rule>`;
  const everything =
    '<cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons>' +
    '<pr:provide-devices><pr:all-devices/></pr:provide-devices><pr:provide-all-attributes/></cr:transformations>';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">` +
    rule('parley-allow', allow, 'allow', everything) +
    rule('parley-block', block, 'block', '') +
    `</cr:ruleset>`
  );
}
