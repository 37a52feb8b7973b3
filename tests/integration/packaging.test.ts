import { extractFile, listPackage } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';

// Packaging smoke test. A real build needs the Electron download; electron-builder accepts a stand-in
// Electron folder and then packs exactly what an installer would carry (the app cannot run, but
// what is in it can be checked). Native modules are not rebuilt here (that would build them for
// the wrong ABI): the installer build does that (npmRebuild in electron-builder.yml).
const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'parley-pack-'));
let asar = '';
let files: string[] = [];

beforeAll(() => {
  const stub = join(work, 'electron-dist');
  spawnSync('mkdir', ['-p', stub]);
  // A stand-in binary with Electron's fuse wire (sentinel, version 1, 8 fuses) in its stock state:
  // run as node on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar integrity off, only
  // from asar off, V8 snapshot off, file:// privileges on. The build must flip it.
  writeFileSync(
    join(stub, 'electron'),
    Buffer.concat([Buffer.from('stand-in\0dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 8]), Buffer.from('10110001')]),
  );
  chmodSync(join(stub, 'electron'), 0o755);
  writeFileSync(join(stub, 'version'), 'v45.4.1');
  const result = spawnSync(
    join(root, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', `-c.electronDist=${stub}`, '-c.npmRebuild=false', `-c.directories.output=${join(work, 'dist')}`],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`electron-builder failed:\n${result.stdout}\n${result.stderr}`);
  asar = join(work, 'dist', 'linux-unpacked', 'resources', 'app.asar');
  files = listPackage(asar, { isPack: false }).map((file) => file.replace(/^\//, ''));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the package carries the built app, the preload, the renderer and the tray icons', () => {
  for (const file of [
    'package.json',
    'out/main/app/main.js',
    'out/main/engine.js',
    'out/preload/preload.cjs',
    'out/renderer/index.html',
    'assets/tray-available.png',
    'assets/tray-busy.png',
    'node_modules/sip.js/package.json',
    'node_modules/ws/package.json',
  ]) {
    expect(files, file).toContain(file);
  }
  expect(JSON.parse(extractFile(asar, 'package.json').toString()).main).toBe('out/main/app/main.js');
});

test('it leaves out sources, tests, source maps and development tools', () => {
  expect(files.filter((f) => f.startsWith('tests/') || f.startsWith('main/') || f.startsWith('renderer/') || f.endsWith('.map'))).toEqual(
    [],
  );
  for (const dev of ['electron', 'vitest', 'vite', 'typescript', 'playwright-core', 'svelte'])
    expect(files, dev).not.toContain(`node_modules/${dev}/package.json`);
});

test('the packaged binary carries the hardening fuses (no run-as-node, NODE_OPTIONS or --inspect; asar only, integrity checked)', () => {
  // The fuse wire follows Electron's sentinel: a version byte, a length byte, then one '0'/'1' per fuse.
  const binary = readFileSync(join(work, 'dist', 'linux-unpacked', 'parley'));
  const at = binary.indexOf('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX') + 32;
  const fuses = binary.subarray(at + 2, at + 2 + binary[at + 1]!).toString('latin1');
  const [runAsNode, cookieEncryption, nodeOptions, inspect, asarIntegrity, onlyFromAsar, , fileProtocol] = fuses;
  expect({ runAsNode, nodeOptions, inspect, fileProtocol }).toEqual({ runAsNode: '0', nodeOptions: '0', inspect: '0', fileProtocol: '0' });
  expect({ cookieEncryption, asarIntegrity, onlyFromAsar }).toEqual({ cookieEncryption: '1', asarIntegrity: '1', onlyFromAsar: '1' });
});

test('the sip.js grammar patch ships with the app, and the native SQLite module sits outside the archive', () => {
  expect(extractFile(asar, 'node_modules/sip.js/lib/grammar/pegjs/dist/grammar.js').toString()).toContain('parley: grammar bytecode cache');
  const unpacked = join(
    work,
    'dist',
    'linux-unpacked',
    'resources',
    'app.asar.unpacked',
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
  );
  expect(existsSync(unpacked) && readdirSync(unpacked).some((f) => f.endsWith('.node'))).toBe(true);
});
