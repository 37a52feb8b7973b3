import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { XcapClient } from '../../../main/approvals/xcap-client.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/xcap-root`;
}

const client = (root: string) =>
  new XcapClient(root, 'sip:alice@uc.test', { username: 'alice', password: 'pw' }, { deadlineMs: 600, maxBodyBytes: 4096 });

describe('a slow or hostile XCAP server cannot hold an answer forever', () => {
  test('a server that trickles one byte at a time is cut at the deadline, not kept alive by each byte', async () => {
    const root = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 100); // never silent long enough for an idle timeout
      res.on('close', () => clearInterval(timer));
    });
    await expect(client(root).put('pres-rules', 'index', 'application/auth-policy+xml', '<x/>')).rejects.toThrow(/did not answer in time/);
  });

  test('an answer far larger than a PUT needs is refused', async () => {
    const root = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(100_000));
    });
    await expect(client(root).put('pres-rules', 'index', 'application/auth-policy+xml', '<x/>')).rejects.toThrow(/larger answer/);
  });

  test('a normal server still works, and the next request after a failure goes through', async () => {
    let calls = 0;
    const root = await serve((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : 200);
      res.end();
    });
    const xcap = client(root);
    await expect(xcap.put('pres-rules', 'index', 'application/auth-policy+xml', '<x/>')).rejects.toThrow(/HTTP 500/);
    await expect(xcap.put('pres-rules', 'index', 'application/auth-policy+xml', '<x/>')).resolves.toBeUndefined();
  });
});
