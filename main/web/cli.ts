import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine.js';
import { createRouter } from '../ipc/router.js';
import { FileSecretStore } from '../store/secret-store.js';
import { appRoot, appVersion } from '../version.js';
import { startWebServer } from './web-server.js';

/**
 * `npm run web -- --data-dir DIR --port N`: the engine under Node, the renderer in a browser.
 * Prints exactly one line `Parley web UI: <url>` on stdout when ready.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run web -- [--data-dir DIR] [--port N]\n');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, not ${values.port}`);
  const dataDir = resolve(values['data-dir'] ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'parley-web'));

  const engine = new Engine({
    dataDir,
    mode: 'web',
    version: appVersion(),
    secrets: new FileSecretStore(join(dataDir, 'credentials.json')),
  });
  const server = await startWebServer({
    staticDir: join(appRoot(), 'out', 'renderer'),
    port,
    handle: createRouter(engine.handlers),
    addSink: (sink, callerId) => engine.addSink(sink, callerId),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`Parley: ${signal}, signing out and stopping\n`);
    await server.close();
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  process.stdout.write(`Parley web UI: ${server.url}\n`);
  await engine.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`Parley could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
