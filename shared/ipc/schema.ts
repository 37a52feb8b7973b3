/**
 * The schemas IPC payloads are validated against at the boundary in main, written with valibot (one
 * schema library on both sides of the contract). Every payload from a page is `unknown` until its
 * channel's schema accepted it: unknown keys are refused, strings and lists have length limits,
 * numbers have ranges, and what is not a plain object is not an object.
 */

import * as v from 'valibot';
import { asConversationId, type ConversationId } from '../domain/chat.js';

/** A schema whose accepted value is `T`. */
export type Schema<T> = v.GenericSchema<unknown, T>;

/** The type a schema accepts. */
export type Infer<S> = S extends v.GenericSchema<unknown, infer T> ? T : never;

/** No payload at all (`undefined`, or `null` from JSON). */
export const none: Schema<undefined> = v.pipe(
  v.nullish(v.never()),
  v.transform(() => undefined),
);

/** A string of at most `max` characters. */
export function str(max: number) {
  return v.pipe(v.string(), v.maxLength(max));
}

/** A string of at most `max` characters that matches `pattern` (keypad tones, say). */
export function matching(max: number, pattern: RegExp) {
  return v.pipe(v.string(), v.maxLength(max), v.regex(pattern));
}

/** A boolean. */
export const bool = v.boolean();

/** A safe integer in [min, max]. */
export function int(min: number, max: number) {
  return v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
}

/** A conversation's id: a positive whole number, branded once it is checked. */
export const conversationId: Schema<ConversationId> = v.pipe(int(1, Number.MAX_SAFE_INTEGER), v.transform(asConversationId));

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]) {
  return v.picklist(values);
}

/** A list of at most `max` items, each accepted by `item`. */
export function list<T extends v.GenericSchema>(item: T, max: number) {
  return v.pipe(v.array(item), v.maxLength(max), v.readonly());
}

/** A field that may be missing. */
export function optional<T extends v.GenericSchema>(inner: T) {
  return v.optional(inner);
}

/** A plain object (never an array) with exactly these keys: extra keys are refused. */
export function obj<S extends v.ObjectEntries>(shape: S) {
  return v.pipe(
    v.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'must be an object'),
    v.strictObject(shape),
  );
}

/** Validates `value`: the accepted value, or a message naming the first problem and where it is. */
export function validate<T>(schema: Schema<T>, value: unknown, path: string): { ok: true; value: T } | { ok: false; message: string } {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const where = [path, ...(issue.path ?? []).map((item) => String(item.key))].join('.');
  return { ok: false, message: `${where} ${problem(issue)}` };
}

function problem(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case 'strict_object':
      return issue.expected === 'never' ? 'is not expected' : issue.received === 'undefined' ? 'is missing' : 'must be an object';
    case 'custom':
      return issue.message;
    case 'string':
      return 'must be a string';
    case 'boolean':
      return 'must be true or false';
    case 'number':
    case 'safe_integer':
    case 'min_value':
    case 'max_value':
      return `must be a whole number in range (${issue.type.replace('_', ' ')}: ${issue.expected ?? ''})`;
    case 'max_length':
      return `is longer than ${issue.expected?.replace('<=', '') ?? ''}`;
    case 'picklist':
      return `must be one of ${issue.expected ?? ''}`;
    case 'regex':
      return 'is not in the expected form';
    case 'array':
      return 'must be a list';
    case 'never':
    case 'nullish':
      return 'must be empty';
    default:
      return `is not valid (${issue.type})`;
  }
}
