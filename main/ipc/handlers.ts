import type { Channel, ParamsOf, ResponseOf } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/ipc/result.js';

/** The implementation of some request channels: one function per channel, given a validated payload. */
export type Handlers<C extends Channel> = { readonly [K in C]: (params: ParamsOf<K>) => Promise<Result<ResponseOf<K>>> };

/** The channels a domain file of the contract declares (`keyof typeof accountRequests`, …). */
export type ChannelsOf<R> = keyof R & Channel;
