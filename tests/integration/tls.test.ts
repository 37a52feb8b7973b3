import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Engine } from '../../main/engine.js';
import { problemText } from '../../shared/domain/problem.js';
import type { Result } from '../../shared/ipc/result.js';
import { explainFailure } from '../../main/sip/sip-connection.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { makeCertificate } from '../support/certificates.js';
import { HostileSipServer } from '../support/hostile-sip-server.js';
import { Kamailio } from '../support/kamailio.js';
import { freePort } from '../support/ports.js';

// A private SIP server on wss:// (a small Node server that registers anyone), with certificates the
// test makes: what the person is told, and how they can trust it for this account.
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function engine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  const made = new Engine({ dataDir: dir, mode: 'web', version: 'test', secrets: new FileSecretStore(join(dir, 'credentials.json')) });
  cleanup.push(
    () => made.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return made;
}

async function serve(certificate: { key: string; cert: string }, port?: number): Promise<HostileSipServer> {
  const server = await HostileSipServer.start({ tls: certificate, ...(port ? { port } : {}) });
  cleanup.push(() => server.close());
  return server;
}

/** What the sign-in form says about a failed sign-in. */
const words = (result: Result<unknown>) => (result.ok ? '' : problemText(result.error));

const signIn = (parley: Engine, server: string) =>
  parley.account.signIn({
    address: 'alice@private.test',
    password: 'pw',
    server,
    rememberPassword: false,
    xcapRoot: 'http://127.0.0.1:9/x',
  });

describe("the server's certificate, named and, if the person wants, trusted", () => {
  test('a self-signed certificate: said so, with its fingerprint and subject to decide on', async () => {
    const certificate = makeCertificate('localhost');
    const server = await serve(certificate);
    const result = await signIn(engine(), server.url);
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'untrusted',
        certificate: { fingerprint: certificate.fingerprint, subject: 'localhost', issuer: 'localhost' },
      },
    });
    expect(words(result)).toBe("The server's certificate is self-signed, so this computer can't tell it is really localhost.");
  });

  test('a certificate from a private authority: "an issuer this computer doesn\'t trust"', async () => {
    const server = await serve(makeCertificate('localhost', { signedByPrivateCa: true }));
    const result = await signIn(engine(), server.url);
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'untrusted',
        certificate: { issuer: 'Parley Test Private CA' },
      },
    });
    expect(words(result)).toBe("The server's certificate is from an issuer this computer doesn't trust.");
  });

  test('trusted for this account, it signs in; a different certificate later is refused as not the trusted one', async () => {
    const first = makeCertificate('localhost');
    const port = await freePort();
    let server = await serve(first, port);
    const parley = engine();
    const refused = await signIn(parley, server.url);
    expect(refused.ok).toBe(false);
    const fingerprint = refused.ok ? '' : (refused.error.certificate?.fingerprint ?? '');
    expect(parley.account.trustCertificate('alice@private.test', fingerprint)).toEqual({ ok: true, value: undefined });
    expect(await signIn(parley, server.url)).toMatchObject({ ok: true, value: { status: 'registered' } });
    expect(server.count('REGISTER')).toBe(1);
    expect(await parley.account.get()).toMatchObject({ trustedCertificate: fingerprint });
    await parley.account.signOut();

    // The server now shows another certificate (replaced, or someone in between).
    await server.close();
    server = await serve(makeCertificate('localhost'), port);
    expect(await signIn(parley, server.url)).toMatchObject({
      ok: false,
      error: { kind: 'untrusted', signIn: { problem: 'certificateChanged' } },
    });
    expect(server.count('REGISTER')).toBe(0); // nothing was sent to it

    // Trust withdrawn: back to the ordinary checks.
    expect(parley.account.trustCertificate('alice@private.test', '')).toEqual({ ok: true, value: undefined });
    expect(await signIn(parley, server.url)).toMatchObject({ ok: false, error: { signIn: { problem: 'selfSigned' } } });
  });

  test('a fingerprint that is not one is refused', () => {
    expect(engine().account.trustCertificate('alice@private.test', 'not a fingerprint')).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
  });
});

describe('what else can be wrong with the server address, told apart', () => {
  test('nothing listening, and a web server that is not a SIP WebSocket', async () => {
    const port = await freePort();
    const nothing = await signIn(engine(), `ws://127.0.0.1:${port}`);
    expect(nothing).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(words(nothing)).toBe(`Nothing answers at ws://127.0.0.1:${port}. Check the server address and port.`);
    const web: Server = createServer((_req, res) => {
      res.writeHead(404);
      res.end('no such page');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => web.close(() => resolve())));
    const address = web.address();
    const url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/sip`;
    const web404 = await signIn(engine(), url);
    expect(web404).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(words(web404)).toBe(`${url} answered, but it is not a SIP WebSocket (HTTP 404). Check the server address and path.`);
  });

  test('a certificate issued for another name, and an expired one, are named as such', async () => {
    expect(
      await explainFailure('wss://sip.example.com', { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: '' }, { withCertificate: false }),
    ).toEqual({
      kind: 'untrusted',
      problem: 'signIn',
      signIn: { problem: 'otherName', server: 'wss://sip.example.com', host: 'sip.example.com' },
    });
    expect(
      await explainFailure('wss://sip.example.com', { code: 'CERT_HAS_EXPIRED', message: '' }, { withCertificate: false }),
    ).toMatchObject({
      kind: 'untrusted',
      signIn: { problem: 'certificateExpired' },
    });
  });
});

describe("Kamailio's TLS module: a private server on wss://", () => {
  test('self-signed: refused with the reason and the certificate; trusted, it signs in, digest auth and all', async () => {
    const certificate = makeCertificate('localhost');
    const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw' }, tls: certificate });
    cleanup.push(() => kamailio.dispose());
    const parley = engine();
    const signInAlice = () =>
      parley.account.signIn({
        address: `alice@${kamailio.domain}`,
        password: 'alice-pw',
        server: kamailio.wssUrl,
        rememberPassword: false,
      });
    expect(await signInAlice()).toMatchObject({
      ok: false,
      error: { kind: 'untrusted', signIn: { problem: 'selfSigned' }, certificate: { fingerprint: certificate.fingerprint } },
    });
    expect(await kamailio.contacts('alice')).toEqual([]);
    parley.account.trustCertificate(`alice@${kamailio.domain}`, certificate.fingerprint);
    expect(await signInAlice()).toMatchObject({ ok: true, value: { status: 'registered' } });
    expect(await kamailio.contacts('alice')).toHaveLength(1);
  });
});
