import { isChannel, requestSchemas, type Channel, type ParamsOf, type ResponseOf } from '../../shared/ipc/contract.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import type { Engine } from '../engine.js';
import { createLogger } from '../logger.js';

type Handlers = { [C in Channel]: (params: ParamsOf<C>) => Promise<Result<ResponseOf<C>>> };

const log = createLogger('ipc');

/**
 * The one implementation of the IPC contract. Electron's `ipcMain` and the web-mode WebSocket both
 * hand it `(channel, unknown payload)`; nothing reaches the engine before its schema accepted it.
 */
export function createRouter(engine: Engine): (channel: unknown, payload: unknown) => Promise<Result<unknown>> {
  const handlers: Handlers = {
    'app:getInfo': async () => ok(engine.info),
    'account:get': async () => ok(await engine.account.get()),
    'account:signIn': (params) => engine.account.signIn(params),
    'account:signOut': async () => ok(await engine.account.signOut()),
    'connection:get': async () => ok(engine.connection.current),
    'connection:check': async () => {
      engine.connection.retryNow();
      return ok(engine.connection.current);
    },
    'presence:getMine': async () => ok(engine.myPresence.current),
    'presence:setMine': async ({ status, note }) => ok(engine.myPresence.set(status, note)),
    'presence:setIdleMinutes': async ({ minutes }) => ok(engine.myPresence.setIdleMinutes(minutes)),
    'presence:reportActivity': async () => ok(engine.myPresence.reportActivity()),
    'contacts:list': async () => ok(engine.contacts.list()),
    'contacts:add': async (params) => engine.contacts.add(params),
    'contacts:remove': ({ id }) => engine.contacts.remove(id),
    'contacts:update': async ({ id, ...changes }) => engine.contacts.update(id, changes),
    'contacts:setBlocked': ({ id, blocked }) => engine.contacts.setBlocked(id, blocked),
    'groups:create': async ({ name }) => engine.contacts.createGroup(name),
    'groups:rename': async ({ id, name }) => engine.contacts.renameGroup(id, name),
    'groups:delete': async ({ id }) => engine.contacts.deleteGroup(id),
    'approvals:list': async () => ok(engine.contacts.approvalRequests()),
    'approvals:answer': ({ uri, answer }) => engine.contacts.answer(uri, answer),
  };
  return async (channel, payload) => {
    if (!isChannel(channel)) return err('invalid', 'Unknown request.');
    const parsed = requestSchemas[channel](payload, 'payload');
    if (!parsed.ok) return err('invalid', `Invalid request: ${parsed.message}.`);
    try {
      return await (handlers[channel] as (params: unknown) => Promise<Result<unknown>>)(parsed.value);
    } catch (error) {
      log.error(`${channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return err('internal', 'Something went wrong inside Parley. Please try again.');
    }
  };
}
