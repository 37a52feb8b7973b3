import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { Grammar } from 'sip.js';
// @ts-expect-error: a plain .mjs script without types
import { patchedAuthText, patchedText } from '../../../scripts/patch-sip-js.mjs';

const FILE = new URL('../../../node_modules/sip.js/lib/grammar/pegjs/dist/grammar.js', import.meta.url);

test('the sip.js grammar bytecode cache is applied at install', () => {
  const text = readFileSync(FILE, 'utf8');
  expect(text).toContain('/* parley: grammar bytecode cache (scripts/patch-sip-js.mjs) */');
  expect(text).toContain('const peg$bytecode = peg$bytecodeCache ?? (peg$bytecodeCache = [');
  // Applying it again would fail: each substitution must match exactly once in the original.
  expect(() => (patchedText as (t: string) => string)(text)).toThrow(/expected exactly one/);
});

test('parsing gives the same results, rule after rule, with the cached bytecode', () => {
  // Interleave different start rules and inputs: the cache must not carry state between parses.
  for (let round = 0; round < 3; round++) {
    const uri = Grammar.URIParse('sip:alice@uc.test:5060;transport=ws');
    expect(uri?.user).toBe('alice');
    expect(uri?.host).toBe('uc.test');
    expect(uri?.port).toBe(5060);
    expect(uri?.getParam('transport')).toBe('ws');
    const from = Grammar.nameAddrHeaderParse('"Bob Builder" <sip:bob@partner.test>;tag=abc');
    expect(from?.displayName).toBe('Bob Builder');
    expect(from?.uri.user).toBe('bob');
    expect(from?.getParam('tag')).toBe('abc');
    expect(Grammar.parse('terminated;reason=rejected;retry-after=30', 'Subscription_State')).toMatchObject({
      state: 'terminated',
      reason: 'rejected',
      params: { 'retry-after': '30' },
    });
    expect(Grammar.URIParse('not a uri')).toBeUndefined();
    expect(Grammar.parse('active;expires=600', 'Subscription_State')).toMatchObject({ state: 'active', expires: 600 });
  }
});

test('the second-authentication-hop patch is applied at install, once', () => {
  const text = readFileSync(new URL('../../../node_modules/sip.js/lib/core/user-agents/user-agent-client.js', import.meta.url), 'utf8');
  expect(text).toContain('/* parley: one answer per challenge kind (scripts/patch-sip-js.mjs) */');
  expect(() => (patchedAuthText as (t: string) => string)(text)).toThrow(/expected exactly one/);
});
