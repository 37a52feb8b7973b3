import { parse } from 'svelte/compiler';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
const files = execSync('git ls-files "renderer/src/**/*.svelte"', { encoding: 'utf8' }).trim().split('\n');
const NAMED = new Set(['aria-label', 'placeholder', 'title', 'alt', 'label', 'aria-description', 'aria-roledescription', 'aria-valuetext']);
let total = 0;
for (const file of files) {
  const src = readFileSync(file, 'utf8');
  const ast = parse(src, { modern: true });
  const found = [];
  const words = (s) => /[A-Za-z]{2,}/.test(s);
  function walkExpr(e) {
    if (!e || typeof e !== 'object') return;
    if (e.type === 'Literal' && typeof e.value === 'string' && /[A-Za-z]{3,}/.test(e.value) && /\s|^[A-Z]/.test(e.value))
      found.push(['expr', e.value]);
    if (e.type === 'TemplateLiteral')
      for (const q of e.quasis) if (/[A-Za-z]{3,}/.test(q.value.cooked)) found.push(['tmpl', q.value.cooked]);
    if (e.type === 'CallExpression' && e.callee?.name === 't') return;
    for (const k of Object.keys(e))
      if (k !== 'parent' && k !== 'loc' && k !== 'metadata') {
        const v = e[k];
        if (Array.isArray(v)) v.forEach(walkExpr);
        else if (v && typeof v === 'object' && v.type) walkExpr(v);
      }
  }
  function walk(node) {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'Text' && words(node.data)) found.push(['text', node.data.trim()]);
    if (node.type === 'ExpressionTag') walkExpr(node.expression);
    if (node.attributes)
      for (const a of node.attributes) {
        if (a.type === 'Attribute' && Array.isArray(a.value))
          for (const v of a.value) {
            if (v.type === 'Text' && NAMED.has(a.name) && words(v.data)) found.push([a.name, v.data]);
            if (v.type === 'ExpressionTag' && NAMED.has(a.name)) walkExpr(v.expression);
          }
        if (a.type === 'Attribute' && a.value?.type === 'ExpressionTag' && NAMED.has(a.name)) walkExpr(a.value.expression);
      }
    for (const k of ['fragment', 'nodes', 'consequent', 'alternate', 'body', 'pending', 'then', 'catch', 'fallback']) {
      const v = node[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') walk(v);
    }
  }
  walk(ast.fragment);
  if (process.argv[2] === '-v' && found.length) {
    console.log('##', file);
    for (const f of found) console.log('  ', f[0], JSON.stringify(f[1]).slice(0, 140));
  }
  console.log(found.length, file);
  total += found.length;
}
console.log('total', total);
