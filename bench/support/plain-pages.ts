import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';

/**
 * Serves the floor's bare page on loopback (a secure context, so getUserMedia works): sip.js and the
 * page script bundled by Vite into one file.
 */
export async function servePlainPages(): Promise<{ url: string; close(): Promise<void> }> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: new URL('./plain-page.ts', import.meta.url).pathname,
        formats: ['iife'],
        name: 'plainPage',
        fileName: () => 'plain.js',
      },
    },
  });
  const bundles = Array.isArray(output) ? output : [output];
  const chunk = bundles.flatMap((b) => ('output' in b ? b.output : [])).find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the floor page did not build');
  const script = chunk.code;
  const server = createServer((request, response) => {
    if (request.url === '/plain.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>plain sip.js</title><script src="/plain.js"></script>');
    }
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
