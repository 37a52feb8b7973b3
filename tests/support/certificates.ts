import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and certificate the test made, with the certificate's SHA-256 fingerprint. */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly fingerprint: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/**
 * A certificate for `name` (and 127.0.0.1): self-signed, or signed by a private authority the test
 * also makes (an issuer this computer does not trust). Made with the openssl command line.
 */
export function makeCertificate(name: string, { signedByPrivateCa = false } = {}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cert-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const san = `subjectAltName=DNS:${name},IP:127.0.0.1`;
    if (!signedByPrivateCa) {
      openssl(['req', '-x509', ...ec, '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=${name}`, '-addext', san], dir);
    } else {
      openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Parley Test Private CA'], dir);
      openssl(['req', ...ec, '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', `/CN=${name}`], dir);
      writeFileSync(join(dir, 'ext.cnf'), `${san}\n`);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          'leaf.csr',
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-out',
          'cert.pem',
          '-days',
          '2',
          '-extfile',
          'ext.cnf',
        ],
        dir,
      );
    }
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert, fingerprint: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
