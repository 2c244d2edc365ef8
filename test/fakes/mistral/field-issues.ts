import type { FieldIssue } from './wire.js';

/** Field problems worded as pydantic words them in Mistral's 422 answers. */

export type Loc = ReadonlyArray<string | number>;
export type Fields = Readonly<Record<string, unknown>>;

export function missing(loc: Loc, input: unknown): FieldIssue {
  return { type: 'missing', loc, msg: 'Field required', input };
}

// pydantic names its type errors by a short form of the noun its message uses.
const TYPE_CODES: Readonly<Record<string, string>> = {
  boolean: 'bool',
  dictionary: 'dict',
  integer: 'int',
};

/** `expected` is pydantic's noun: `string`, `list`, `dictionary`, `boolean`… */
export function wrongType(loc: Loc, expected: string, input: unknown): FieldIssue {
  const noun = expected.split(' ')[0] ?? expected;
  return {
    type: `${TYPE_CODES[noun] ?? noun}_type`,
    loc,
    msg: `Input should be a valid ${expected}`,
    input,
  };
}

export function extraForbidden(loc: Loc, input: unknown): FieldIssue {
  return { type: 'extra_forbidden', loc, msg: 'Extra inputs are not permitted', input };
}

/** An enum or literal mismatch: `Input should be 'a', 'b' or 'c'`. */
export function notOneOf(loc: Loc, allowed: readonly string[], input: unknown): FieldIssue {
  const quoted = allowed.map((value) => `'${value}'`);
  const last = quoted.pop();
  const list = quoted.length === 0 ? `${last}` : `${quoted.join(', ')} or ${last}`;
  const type = allowed.length === 1 ? 'literal_error' : 'enum';
  return { type, loc, msg: `Input should be ${list}`, input };
}

/** A model validator's complaint, prefixed as pydantic prefixes them. */
export function valueError(loc: Loc, message: string, input: unknown): FieldIssue {
  return { type: 'value_error', loc, msg: `Value error, ${message}`, input };
}

/** Checks that `key`, when present and not null, holds a string. */
export function optionalString(body: Fields, key: string, loc: Loc): FieldIssue[] {
  const value = body[key];
  if (value === undefined || value === null || typeof value === 'string') return [];
  return [wrongType([...loc, key], 'string', value)];
}

/** Checks that `key` is present and holds a string. */
export function requiredString(body: Fields, key: string, loc: Loc): FieldIssue[] {
  if (!(key in body)) return [missing([...loc, key], body)];
  return typeof body[key] === 'string' ? [] : [wrongType([...loc, key], 'string', body[key])];
}

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
