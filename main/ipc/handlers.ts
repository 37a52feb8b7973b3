import type { Channel, ParamsOf, ResponseOf } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/ipc/result.js';

/**
 * Who sent a request: one page (a window's web contents, a web-mode socket), named by the transport
 * that carried it — never by the page itself. Media requests for a call go to, and are answered
 * only by, the page that started or answered it.
 */
export interface Caller {
  readonly id: string;
}

/** The implementation of some request channels: one function per channel, given a validated payload and its sender. */
export type Handlers<C extends Channel> = {
  readonly [K in C]: (params: ParamsOf<K>, caller: Caller) => Promise<Result<ResponseOf<K>>>;
};

/** The channels a domain file of the contract declares (`keyof typeof accountRequests`, …). */
export type ChannelsOf<R> = keyof R & Channel;
