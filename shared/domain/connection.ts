/**
 * The connection to the SIP server, as a state machine the UI switches over exhaustively.
 *
 * ```
 *            signIn()                 200 OK to REGISTER
 * signedOut ─────────► signingIn ───────────────────────► registered
 *    ▲                   │ 401/403, unreachable             │   ▲
 *    │◄──────────────────┘  (error kept for the form)       │   │ re-REGISTER 200 OK
 *    │                                                       ▼   │
 *    │   401/403 while retrying                        reconnecting (backoff with jitter)
 *    │◄──────────────────────────────────────────────────────┘
 *    │
 *    └──────── signingOut ◄── signOut() from any signed-in state (REGISTER Expires: 0)
 * ```
 */

import type { Identity } from './account.js';
import type { IpcError } from '../ipc/result.js';

/** Where the connection stands. */
export type ConnectionState =
  | { readonly status: 'signedOut'; readonly error?: IpcError }
  | { readonly status: 'signingIn'; readonly identity: Identity }
  | { readonly status: 'registered'; readonly identity: Identity; readonly since: number }
  | {
      readonly status: 'reconnecting';
      readonly identity: Identity;
      /** 1 for the first retry. */
      readonly attempt: number;
      /** Epoch milliseconds of the next attempt. */
      readonly retryAt: number;
      /** Why the last attempt failed, for a person. */
      readonly reason: string;
    }
  | { readonly status: 'signingOut'; readonly identity: Identity };

/** The name of a connection state (`ConnectionState['status']`). */
export type ConnectionStatus = ConnectionState['status'];
