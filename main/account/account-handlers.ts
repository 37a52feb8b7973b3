import type { AppInfo } from '../../shared/domain/app-info.js';
import type { accountRequests } from '../../shared/ipc/account.js';
import type { appRequests } from '../../shared/ipc/app.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { AccountService } from './account-service.js';
import type { SipConnection } from '../sip/sip-connection.js';

/** The `app`, `account` and `connection` channels. */
export function accountHandlers(
  info: AppInfo,
  account: AccountService,
  connection: SipConnection,
): Handlers<Exclude<ChannelsOf<typeof appRequests & typeof accountRequests>, 'app:openConversation'>> {
  return {
    'app:getInfo': async () => ok(info),
    'account:get': async () => ok(await account.get()),
    'account:signIn': (params) => account.signIn(params),
    'account:signOut': async () => ok(await account.signOut()),
    'account:trustCertificate': async ({ address, fingerprint }) => account.trustCertificate(address, fingerprint),
    'connection:get': async () => ok(connection.current),
    'connection:check': async () => {
      connection.retryNow();
      return ok(connection.current);
    },
  };
}
