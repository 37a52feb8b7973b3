/**
 * A very small schema language for validating IPC payloads at the boundary in main. Every payload
 * from a renderer is `unknown` until one of these parsers has accepted it; unknown keys are refused,
 * strings have length limits.
 */

/** A parser: returns the typed value or a message saying what is wrong. */
export type Schema<T> = (value: unknown, path: string) => { ok: true; value: T } | { ok: false; message: string };

/** The type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** No payload at all (`undefined`, or `null` from JSON). */
export const none: Schema<undefined> = (value, path) =>
  value === undefined || value === null ? { ok: true, value: undefined } : { ok: false, message: `${path} must be empty` };

/** A string of at most `max` characters. */
export function str(max: number): Schema<string> {
  return (value, path) => {
    if (typeof value !== 'string') return { ok: false, message: `${path} must be a string` };
    if (value.length > max) return { ok: false, message: `${path} is longer than ${max} characters` };
    return { ok: true, value };
  };
}

/** A boolean. */
export const bool: Schema<boolean> = (value, path) =>
  typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: `${path} must be true or false` };

/** A safe integer in [min, max]. */
export function int(min: number, max: number): Schema<number> {
  return (value, path) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, message: `${path} must be a whole number from ${min} to ${max}` };
}

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  return (value, path) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? { ok: true, value: value as T }
      : { ok: false, message: `${path} must be one of ${values.join(', ')}` };
}

/** A field that may be missing. */
export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
  const schema = ((value: unknown, path: string) => (value === undefined ? { ok: true, value: undefined } : inner(value, path))) as Schema<
    T | undefined
  > & { optional: true };
  schema.optional = true;
  return schema;
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type ObjectOf<S extends Shape> = { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
};

/** A plain object with exactly these keys (extra keys are refused). */
export function obj<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: `${path} must be an object` };
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) return { ok: false, message: `${path}.${key} is not expected` };
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema(record[key], `${path}.${key}`);
      if (!parsed.ok) return parsed;
      if (parsed.value !== undefined) out[key] = parsed.value;
    }
    return { ok: true, value: out as ObjectOf<S> };
  };
}
