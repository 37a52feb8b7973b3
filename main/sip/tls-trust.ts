import tls, { type PeerCertificate } from 'node:tls';
import type { CertificateInfo } from '../../shared/domain/certificate.js';

/**
 * The TLS options for a connection: with a certificate the person trusted for this account, chain
 * checks are set aside and the exact certificate is checked after the handshake (by the caller,
 * before anything is sent); otherwise the runtime's checks stand, with the operating system's trust
 * store added where the runtime offers it (Node 22.15+/23.5+: `tls.getCACertificates('system')`,
 * so a company CA installed on the desktop is trusted as the browser would).
 */
export function tlsOptions(trustedFingerprint: string | undefined): { rejectUnauthorized?: false; ca?: string[] } {
  if (trustedFingerprint) return { rejectUnauthorized: false };
  const system = systemCertificates();
  return system.length > 0 ? { ca: [...tls.rootCertificates, ...system] } : {};
}

function systemCertificates(): string[] {
  const get = (tls as unknown as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  try {
    return get ? get('system') : [];
  } catch {
    return [];
  }
}

/** TLS error codes that mean "the certificate", as opposed to "the network". */
export const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_FINGERPRINT_MISMATCH',
]);

/** Fetches a server's certificate without trusting it (for the person to look at), or undefined. */
export function fetchCertificate(url: string, timeoutMs = 3_000): Promise<CertificateInfo | undefined> {
  const target = new URL(url);
  const port = Number(target.port || 443);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: target.hostname, port, servername: target.hostname, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(cert && cert.fingerprint256 ? describe(cert) : undefined);
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', () => resolve(undefined));
  });
}

function describe(cert: PeerCertificate): CertificateInfo {
  const name = (entity: Record<string, unknown> | undefined) => String(entity?.CN ?? entity?.O ?? '');
  const alt = cert.subjectaltname?.split(',')[0]?.replace(/^DNS:/, '').trim() ?? '';
  return {
    fingerprint: cert.fingerprint256,
    subject: name(cert.subject as unknown as Record<string, unknown>) || alt,
    issuer: name(cert.issuer as unknown as Record<string, unknown>),
    validTo: cert.valid_to,
  };
}
