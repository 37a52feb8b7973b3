import { WebSocket as NodeWebSocket } from 'ws';

/**
 * sip.js's transport calls `new WebSocket(url, "sip")` on the global. Node 20 has none, and Node 22
 * (inside Electron) has undici's, which we have not verified against Kamailio. Parley always uses
 * `ws`, the implementation the tests run, so the engine behaves the same under Node and Electron.
 */
export function installWebSocket(): void {
  (globalThis as { WebSocket?: unknown }).WebSocket = NodeWebSocket;
}
