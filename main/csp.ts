/**
 * The renderer's Content-Security-Policy, shared by web mode and the desktop shell: only our own
 * scripts and styles, no inline code, no plug-ins, no framing, connections only back to ourselves
 * (web mode's IPC WebSocket is same-origin; CSP 3 lets 'self' match ws: on the same host and port).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
