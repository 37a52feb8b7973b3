#!/usr/bin/env node
// Runs at `npm install`/`npm ci` (postinstall). Two patches, each an exact substitution on a file whose
// checksum is known. First: sip.js 0.21.2's PEG parser rebuilds the bytecode of
// its ~236 grammar rules on every parse() call, i.e. for every incoming message and header. With a
// 1000-contact buddy list that is most of the client's CPU at sign-in (../shared/reference/kamailio.md,
// "Scale"). The bytecode is a pure function of constant strings, so this patch builds it once per
// process and reuses it. Nothing else changes.
//
// The patch is an exact substitution on a file whose checksum we know: if sip.js changes, this script
// fails loudly instead of patching something it has not seen, and the patch must be reviewed.
// tests/unit/sip/grammar-patch.test.ts proves it is applied and that parsing still gives the same
// results. Remove it once sip.js caches the bytecode itself.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../node_modules/sip.js/lib/grammar/pegjs/dist/grammar.js', import.meta.url));
const ORIGINAL_MD5 = '1da9aa4b5802006a7ff5d011294a5bc3';
const MARKER = '/* parley: grammar bytecode cache (scripts/patch-sip-js.mjs) */';

const SUBSTITUTIONS = [
  ['function peg$parse(input, options) {\n', `${MARKER}\nlet peg$bytecodeCache;\nfunction peg$parse(input, options) {\n`],
  ['    const peg$bytecode = [\n', '    const peg$bytecode = peg$bytecodeCache ?? (peg$bytecodeCache = [\n'],
  ['\n    ];\n    let peg$currPos = 0;\n', '\n    ]);\n    let peg$currPos = 0;\n'],
];

const md5 = (text) => createHash('md5').update(text).digest('hex');

export function patchedText(original) {
  let text = original;
  for (const [from, to] of SUBSTITUTIONS) {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`sip.js grammar: expected exactly one ${JSON.stringify(from.trim())}`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return text;
}

// A second authentication hop (RFC 3261 §22.3): a proxy's 407 answered, then the far end's (a trunk's,
// a gateway's) 401 — sip.js answered only the first challenge and treated any second one as a loop,
// so such a call failed with 401. Now each of the two headers may be answered once: the loop guard
// stays for a second challenge of the same kind. tests/unit/sip/grammar-patch.test.ts checks it.
const AUTH_FILE = fileURLToPath(new URL('../node_modules/sip.js/lib/core/user-agents/user-agent-client.js', import.meta.url));
const AUTH_MD5 = '0a76e00e6260681820b2c1c58a84896f';
const AUTH_MARKER = '/* parley: one answer per challenge kind (scripts/patch-sip-js.mjs) */';
const AUTH_SUBSTITUTIONS = [
  [
    '        if (this.challenged && (this.stale || challenge.stale !== true)) {\n',
    `        ${AUTH_MARKER}\n        if ((this.challenged === true || this.challenged === authorizationHeaderName) && (this.stale || challenge.stale !== true)) {\n`,
  ],
  [
    '        this.challenged = true;\n',
    '        this.challenged = this.challenged && this.challenged !== authorizationHeaderName ? true : authorizationHeaderName;\n',
  ],
];

/** The user agent client with the second-hop patch applied (throws unless each substitution matches once). */
export function patchedAuthText(original) {
  let text = original;
  for (const [from, to] of AUTH_SUBSTITUTIONS) {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0)
      throw new Error(`sip.js user agent client: expected exactly one ${JSON.stringify(from.trim())}`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return text;
}

function apply(file, md5sum, marker, patch) {
  const text = readFileSync(file, 'utf8');
  if (text.includes(marker)) return;
  if (md5(text) !== md5sum) {
    console.error(`patch-sip-js: ${file} is not the sip.js 0.21.2 file this patch was written for. Review scripts/patch-sip-js.mjs.`);
    process.exit(1);
  }
  writeFileSync(file, patch(text));
}

function main() {
  if (!existsSync(FILE)) {
    console.error('patch-sip-js: sip.js is not installed; nothing to patch.');
    return;
  }
  apply(FILE, ORIGINAL_MD5, MARKER, patchedText);
  apply(AUTH_FILE, AUTH_MD5, AUTH_MARKER, patchedAuthText);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
