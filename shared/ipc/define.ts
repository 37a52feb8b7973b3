/**
 * The building blocks of a domain's part of the IPC contract. Each domain file in `shared/ipc/`
 * declares, in one place, its request channels (with the schema main validates the payload
 * against), what each answers with, and the events it pushes. `contract.ts` composes them; the
 * lists of channels and events are derived from these declarations, never kept by hand.
 */

import type { Schema } from './schema.js';

/** An event's declaration: the payload type rides along in the type only. */
export interface EventSpec<T> {
  readonly __payload?: T;
}

/** Declares an event whose payload is `T`. */
export function event<T>(): EventSpec<T> {
  return {};
}

/** The payload type of an event declaration. */
export type PayloadOf<S> = S extends EventSpec<infer T> ? T : never;

/** A domain's request schemas, keyed by `domain:verb` channel. */
export type RequestSchemas = Record<`${string}:${string}`, Schema<unknown>>;

/** A domain's events, keyed by `onDid*` name. */
export type EventSpecs = Record<`onDid${string}`, EventSpec<unknown>>;
