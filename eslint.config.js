// Lint, including the layer rule (../shared/conventions.md §1): shared/ imports nothing runtime-specific,
// renderer/ imports only shared/, the engine never imports electron. Only main/app and main/preload
// touch Electron.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

const layer = (message, patterns) => ({ group: patterns, message });
// Exact module names (a pattern would also match folders such as shared/domain).
const noElectron = { name: 'electron', message: 'Only the shell (main/app, main/preload) may import electron.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'This layer runs in a browser too: no Node built-ins.' }));
const noMain = layer('The renderer and shared/ never import main/.', ['**/main/**', '../main', '../../main']);
const noRenderer = layer('Nothing imports the renderer.', ['**/renderer/**']);
const noShell = layer('The engine does not import the Electron shell.', ['**/app/**', '**/preload/**']);

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: { ...globals.browser } },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [noMain, noRenderer] }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [noMain] }] },
  },
  {
    files: ['main/**'],
    ignores: ['main/app/**', 'main/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [noRenderer, noShell] }] },
  },
  {
    files: ['main/app/**', 'main/preload/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noRenderer] }] },
  },
  {
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-unsafe-function-type': 'off', '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
