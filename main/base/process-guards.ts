import { createLogger } from '../logger.js';

let installed = false;

/**
 * A promise rejected inside a library with nobody listening (sip.js's registration refresh does
 * not catch its own `register()`) would end Node's process, and with it every conversation. The
 * engine logs such a rejection instead; its own code handles every rejection it can see.
 */
export function installProcessGuards(): void {
  if (installed) return;
  installed = true;
  const log = createLogger('process');
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
}
