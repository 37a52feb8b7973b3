/** A server certificate as a person is shown it when deciding whether to trust a private server. */
export interface CertificateInfo {
  /** SHA-256 fingerprint, `AB:CD:…` — what to compare with what the server's administrator gives you. */
  readonly fingerprint: string;
  /** Who it was issued to. */
  readonly subject: string;
  /** Who issued it (the same as the subject for a self-signed certificate). */
  readonly issuer: string;
  /** Until when it is valid, as the certificate says. */
  readonly validTo: string;
}

/** Longest fingerprint text accepted (SHA-256: 95 characters). */
export const FINGERPRINT_MAX = 128;
