import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import ts from 'typescript';
import { expect, test } from 'vitest';

// Every word the page shows comes from the catalogue (shared/i18n): this reads every component and
// script of the renderer and lists the words written in them instead. The pseudo-locale e2e test
// shows the same on screen, but only for the views it visits; this covers them all, in milliseconds.

const ROOT = new URL('../../renderer/src', import.meta.url).pathname;
/** Attributes a person reads or hears (the accessible name, a hint, a placeholder). */
const READ_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'placeholder',
  'title',
  'alt',
  'label',
  'hint',
]);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name), ext) : entry.name.endsWith(ext) ? [join(dir, entry.name)] : [],
  );
}

/** Letters that read as words: not an example address, a URL, or a lone symbol. */
function isWords(text: string): boolean {
  const trimmed = text.trim();
  if (!/\p{L}{2,}/u.test(trimmed)) return false;
  return !/^([\w.+-]+@[\w.-]+|[a-z][\w+.-]*:\S*|[\w-]+(\.[\w-]+)+)$/.test(trimmed);
}

/** A sentence in a script: starts with a capital and has a space between words. */
const isSentence = (text: string) => /^\p{Lu}\p{Ll}+[\s\p{L},.'’:;…?!-]*\s\p{L}/u.test(text) && isWords(text);

type Node = { type: string; [key: string]: unknown };

/** String literals and template parts in a script or template expression (a call to t() is the catalogue). */
function literals(node: unknown, found: string[], sentencesOnly: boolean): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'CallExpression' && (n.callee as Node | undefined)?.type === 'Identifier' && (n.callee as { name: string }).name === 't')
    return;
  // `import … from '…'`, `new Error('…')` (diagnostics for logs) and DOMException names are not shown.
  if (n.type === 'ImportDeclaration') return;
  if (n.type === 'NewExpression' && /Error|DOMException/.test((n.callee as { name?: string }).name ?? '')) return;
  const keep = (text: string) => (sentencesOnly ? isSentence(text) : isWords(text) && /\s|^\p{Lu}/u.test(text.trim()));
  if (n.type === 'Literal' && typeof n.value === 'string' && keep(n.value)) found.push(n.value);
  if (n.type === 'TemplateElement') {
    const cooked = (n.value as { cooked: string }).cooked;
    if (keep(cooked)) found.push(cooked);
  }
  for (const [key, value] of Object.entries(n)) {
    if (key === 'parent' || key === 'loc' || key === 'metadata') continue;
    if (Array.isArray(value)) value.forEach((v) => literals(v, found, sentencesOnly));
    else if (value && typeof value === 'object') literals(value, found, sentencesOnly);
  }
}

/** Words written into a component: its text, the attributes a person reads, the strings in its expressions. */
function wordsIn(source: string): string[] {
  const found: string[] = [];
  const ast = parse(source, { modern: true });
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'Text' && isWords(n.data as string)) found.push((n.data as string).trim());
    if (n.type === 'ExpressionTag') literals(n.expression, found, false);
    for (const attribute of (n.attributes as Node[] | undefined) ?? []) {
      if (attribute.type !== 'Attribute' || !READ_ATTRIBUTES.has(attribute.name as string)) continue;
      const values = Array.isArray(attribute.value) ? (attribute.value as Node[]) : [attribute.value as Node];
      for (const value of values) {
        if (value?.type === 'Text' && isWords(value.data as string)) found.push(value.data as string);
        if (value?.type === 'ExpressionTag') literals(value.expression, found, false);
      }
    }
    for (const key of ['fragment', 'nodes', 'consequent', 'alternate', 'body', 'pending', 'then', 'catch', 'fallback']) {
      const child = n[key];
      if (Array.isArray(child)) child.forEach(walk);
      else if (child && typeof child === 'object') walk(child);
    }
  };
  walk(ast.fragment);
  if (ast.instance) literals(ast.instance.content, found, true);
  return found;
}

test('no component of the page writes its own words: they come from the catalogue', () => {
  const components = files(ROOT, '.svelte');
  expect(components.length).toBeGreaterThan(25);
  const written = Object.fromEntries(
    components.map((file) => [relative(ROOT, file), wordsIn(readFileSync(file, 'utf8'))] as const).filter(([, words]) => words.length > 0),
  );
  expect(written).toEqual({});
});

test('no script of the page writes a sentence of its own', () => {
  const scripts = files(ROOT, '.ts').filter((file) => !file.endsWith('.d.ts'));
  const written = Object.fromEntries(
    scripts.map((file) => [relative(ROOT, file), sentencesIn(readFileSync(file, 'utf8'))] as const).filter(([, words]) => words.length > 0),
  );
  expect(written).toEqual({});
});

/** Sentences in a TypeScript file's strings, outside t() and outside errors thrown for the log. */
function sentencesIn(source: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 't') return;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /Error|DOMException/.test(node.expression.text)) return;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && isSentence(node.text)) found.push(node.text);
    if ((ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && isSentence(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true));
  return found;
}

test('the check sees words where they are written', () => {
  expect(wordsIn('<p>Hello there</p>')).toEqual(['Hello there']);
  expect(wordsIn('<button aria-label="Close it">x</button>')).toEqual(['Close it']);
  expect(wordsIn("<p>{busy ? 'Signing in…' : ''}</p>")).toEqual(['Signing in…']);
  expect(wordsIn('<script lang="ts">const label = \'Move to group…\';</script>')).toEqual(['Move to group…']);
  expect(wordsIn('<p>{t(\'chat.send\')}</p><input placeholder="alice@example.com" />')).toEqual([]);
  expect(sentencesIn("const a = 'Copied it.'; const b = t('x', { y: 'Not this one' }); throw new Error('Nor this one');")).toEqual([
    'Copied it.',
  ]);
});
