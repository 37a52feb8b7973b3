#!/usr/bin/env node
// Validates electron-builder.yml against electron-builder's own JSON schema, offline (a full build
// needs the Electron download, which these machines cannot make), and checks that the files it
// names exist.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
const { DebugLogger } = require('builder-util');

const projectDir = process.cwd();
const config = await getConfig(projectDir, 'electron-builder.yml', null);
try {
  await validateConfiguration(config, new DebugLogger(false));
} catch (error) {
  console.error(`electron-builder.yml is invalid:\n${error.message}`);
  process.exit(1);
}
const missing = [config.win?.icon, config.mac?.icon, config.linux?.icon].filter((file) => file && !existsSync(file));
if (missing.length > 0) {
  console.error(`electron-builder.yml names missing files: ${missing.join(', ')}`);
  process.exit(1);
}
console.log('electron-builder.yml: valid');
