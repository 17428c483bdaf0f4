/**
 * Argument checks shared by the functions of the `exact-dln/report` entry point, so that a
 * JavaScript caller who passes the wrong thing gets an {@link InvalidArgumentError} saying
 * what was expected rather than a TypeError from deep inside a figure.
 *
 * @module
 * @internal
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../validation.js';

/** A plain object (not null, not an array). @internal */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Throws unless `value` is a plain object (for an options or configuration argument).
 *
 * @internal
 */
export function assertObject(value: unknown, name: string, fn: string): asserts value is Record<string, unknown> {
  if (!isObject(value)) {
    throw new InvalidArgumentError(`invalid argument. ${fn} expects \`${name}\` to be an object. Value: ${describe(value)}.`, name);
  }
}

/**
 * Throws unless `value` is an array of strings.
 *
 * @internal
 */
export function assertStrings(value: unknown, name: string, fn: string): asserts value is string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidArgumentError(`invalid argument. ${fn} expects \`${name}\` to be an array of column names (strings). Value: ${describe(value)}.`, name);
  }
}
