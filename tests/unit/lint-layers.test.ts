import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

// The layer rule lives in eslint.config.js; this proves it bites, so it cannot rot unnoticed.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule', () => {
  test('shared/ may not import electron, Node or main/', async () => {
    expect(await restricted('shared/domain/x.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
    expect(await restricted('shared/domain/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;")).toHaveLength(
      1,
    );
    expect(await restricted('shared/domain/x.ts', "import { join } from 'path';\nexport const a = join;")).toHaveLength(1);
    expect(await restricted('shared/domain/x.ts', "import { Engine } from '../../main/engine.js';\nexport const a = Engine;")).toHaveLength(
      1,
    );
    expect(await restricted('shared/domain/x.ts', "import { ok } from '../ipc/result.js';\nexport const a = ok;")).toEqual([]);
  });

  test('renderer/ may import shared/ only', async () => {
    expect(
      await restricted('renderer/src/chat/x.ts', "import { Engine } from '../../../main/engine';\nexport const a = Engine;"),
    ).toHaveLength(1);
    expect(
      await restricted('renderer/src/chat/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;"),
    ).toHaveLength(1);
    expect(await restricted('renderer/src/chat/x.ts', "import fs from 'fs';\nexport const a = fs;")).toHaveLength(1);
    expect(await restricted('renderer/src/chat/x.ts', "import { ok } from '../../../shared/ipc/result';\nexport const a = ok;")).toEqual(
      [],
    );
  });

  test('the engine may not import electron or the shell; the shell may', async () => {
    expect(await restricted('main/sip/x.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
    expect(
      await restricted('main/sip/x.ts', "import { DesktopApp } from '../app/desktop-app.js';\nexport const a = DesktopApp;"),
    ).toHaveLength(1);
    expect(await restricted('main/app/x.ts', "import { app } from 'electron';\nexport const a = app;")).toEqual([]);
  });
});
