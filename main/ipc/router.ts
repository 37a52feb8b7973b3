import { Problem } from '../../shared/domain/problem.js';
import { isChannel, requestSchemas, type Channel } from '../../shared/ipc/contract.js';
import { err, type Result } from '../../shared/ipc/result.js';
import { validate, type Schema } from '../../shared/ipc/schema.js';
import { createLogger } from '../logger.js';
import type { Caller, Handlers } from './handlers.js';

const log = createLogger('ipc');

/**
 * The one implementation of the IPC contract. Electron's `ipcMain` and the web-mode WebSocket both
 * hand it `(channel, unknown payload)`; nothing reaches a domain's handler before the channel's
 * schema accepted the payload, and an exception becomes an `internal` error, never a crash.
 */
export function createRouter(
  handlers: Handlers<Channel>,
): (channel: unknown, payload: unknown, caller: Caller) => Promise<Result<unknown>> {
  return async (channel, payload, caller) => {
    if (!isChannel(channel)) return err('invalid', Problem.UnknownRequest);
    const parsed = validate(requestSchemas[channel] as Schema<unknown>, payload, 'payload');
    if (!parsed.ok) return err('invalid', Problem.InvalidRequest, { values: { detail: parsed.message } });
    try {
      return await (handlers[channel] as (params: unknown, caller: Caller) => Promise<Result<unknown>>)(parsed.value, caller);
    } catch (error) {
      log.error(`${channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return err('internal', Problem.Internal);
    }
  };
}
