/**
 * Catching the errors exact-dln throws on bad input, to check their class, message and
 * fields (STYLE.md: typed errors whose messages name the argument, the expectation and
 * the value).
 */
import { expect } from 'vitest';

/** The error `fn` throws, with the `argument` an ExactDlnError carries; fails if `fn` returns. */
export function thrown(fn: () => unknown): Error & { argument?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { argument?: string };
  }
  throw new Error('expected an error');
}

/**
 * Expects `fn` to throw an instance of `type` whose message contains each string pattern
 * and matches each RegExp pattern; returns the error for further checks.
 */
export function expectTypedError<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
  ...patterns: Array<string | RegExp>
): E {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(type);
  for (const p of patterns) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e as E;
}
