import type { ModuleFactory } from '../engine-context.js';
import { accountHandlers } from './account-handlers.js';
import { AccountService } from './account-service.js';

/** Signing in and out, the remembered account, and the connection's state. */
export const accountModule: ModuleFactory = (context) => {
  const { connection, emit } = context;
  const account = new AccountService(context.db, context.options.secrets, connection);
  context.services.account = account;
  connection.onDidChange((state) => emit('onDidChangeConnection', state));
  return { name: 'account', handlers: accountHandlers(context.info, account, connection) };
};
