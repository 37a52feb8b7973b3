import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Parley's root folder (where package.json is), from source or from the built `out/` tree. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'parley') return dir;
    } catch {
      // keep looking upwards
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find Parley’s package.json');
    dir = parent;
  }
}

/** Parley's version from package.json. */
export function appVersion(): string {
  return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
