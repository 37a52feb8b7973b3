#!/usr/bin/env node
// Runs at `npm install`/`npm ci` (postinstall). sip.js 0.21.2's PEG parser rebuilds the bytecode of
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

function main() {
  if (!existsSync(FILE)) {
    console.error('patch-sip-js: sip.js is not installed; nothing to patch.');
    return;
  }
  const text = readFileSync(FILE, 'utf8');
  if (text.includes(MARKER)) return;
  if (md5(text) !== ORIGINAL_MD5) {
    console.error(`patch-sip-js: ${FILE} is not the sip.js 0.21.2 file this patch was written for. Review scripts/patch-sip-js.mjs.`);
    process.exit(1);
  }
  writeFileSync(FILE, patchedText(text));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
