/**
 * The one home of argument checking: shapes, finiteness, integer widths and the λ
 * constraints. Every public function validates through these helpers so that errors
 * read the same everywhere: which argument, what was expected, what was given.
 *
 * @module
 */
import { Matrix, type AbstractMatrix } from 'ml-matrix';
import { copyMatrix, rowsOf } from './linalg/dense.js';
import {
  ImpossibleLambdaError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
} from './errors.js';

/**
 * A matrix argument: an ml-matrix `Matrix` or a plain array of rows (`number[][]`, or rows
 * that are `Float64Array`s).
 * Inputs are never mutated; the library copies what it keeps.
 *
 * @example
 * ```ts
 * import type { MatrixLike } from 'exact-dln';
 * const w1: MatrixLike = [[0.1, 0], [0, 0.1]];
 * ```
 */
export type MatrixLike = AbstractMatrix | ReadonlyArray<ReadonlyArray<number> | Float64Array>;

/** A row of a matrix given as an array of rows: an array, or a typed array of numbers. */
function isRow(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A short description of a value for error messages ("null", "an array of length 3", "string x"). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (missing)';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}

/** Converts and checks a matrix argument; returns a fresh copy (never the caller's object). */
export function toMatrix(value: unknown, name: string): Matrix {
  let out: Matrix;
  if (value instanceof Matrix) {
    out = copyMatrix(value); // row by row: Matrix.to1DArray builds a number[] entry by entry
  } else if (Matrix.isMatrix(value)) {
    out = Matrix.from1DArray((value as AbstractMatrix).rows, (value as AbstractMatrix).columns, (value as AbstractMatrix).to1DArray());
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      throw new ShapeError(`invalid argument. \`${name}\` must be a non-empty matrix. Value: an empty array.`, name);
    }
    const cols = isRow(value[0]) ? value[0].length : -1;
    for (let i = 0; i < value.length; i++) {
      const row: unknown = value[i];
      if (!isRow(row)) {
        throw new ShapeError(
          `invalid argument. \`${name}\` must be a matrix (an array of rows); row ${i} is ${describe(row)}.`,
          name,
        );
      }
      if (row.length !== cols) {
        throw new ShapeError(
          `invalid argument. \`${name}\` must be rectangular; row 0 has ${cols} entries but row ${i} has ${row.length}.`,
          name,
        );
      }
      for (let j = 0; j < row.length; j++) {
        if (typeof row[j] !== 'number') {
          throw new InvalidArgumentError(
            `invalid argument. \`${name}\`[${i}][${j}] must be a number. Value: ${describe(row[j])}.`,
            name,
          );
        }
      }
    }
    if (cols === 0) {
      throw new ShapeError(`invalid argument. \`${name}\` must be a non-empty matrix. Value: rows of length 0.`, name);
    }
    out = new Matrix((value as ArrayLike<number>[]).map((row) => Array.from(row)));
  } else {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be an ml-matrix Matrix or an array of rows (number[][] or Float64Array[]). Value: ${describe(value)}.`,
      name,
    );
  }
  if (out.rows === 0 || out.columns === 0) {
    throw new ShapeError(`invalid argument. \`${name}\` must be a non-empty matrix. Value: ${out.rows}×${out.columns}.`, name);
  }
  assertFiniteMatrix(out, name);
  return out;
}

/** Throws {@link NonFiniteError} naming the first NaN/±Infinity entry. */
export function assertFiniteMatrix(m: Matrix, name: string): void {
  // The rows' Float64Arrays where the Matrix has them (a typed-array loop; m.get per entry
  // cost 2 ms for a 16×100 000 matrix of probes), m.get otherwise.
  const rows = rowsOf(m);
  for (let i = 0; i < m.rows; i++) {
    const row = rows?.[i];
    for (let j = 0; j < m.columns; j++) {
      const v = row !== undefined ? row[j] : m.get(i, j);
      if (!Number.isFinite(v)) {
        throw new NonFiniteError(
          `invalid argument. \`${name}\` must contain only finite numbers; entry (${i}, ${j}) is ${v}.`,
          name,
        );
      }
    }
  }
}

/** Throws {@link ShapeError} unless `m` is rows×cols (either may be `undefined` = any). */
export function assertShape(
  m: Matrix,
  rows: number | undefined,
  cols: number | undefined,
  name: string,
  meaning: string,
): void {
  if ((rows !== undefined && m.rows !== rows) || (cols !== undefined && m.columns !== cols)) {
    const want = `${rows ?? 'any'}×${cols ?? 'any'}`;
    throw new ShapeError(
      `invalid argument. \`${name}\` must be ${want} (${meaning}). Value: ${m.rows}×${m.columns}.`,
      name,
    );
  }
}

/**
 * Throws {@link ShapeError} naming the culprit when the matrices' shapes do not fit together
 * but would if exactly one of them (not square) were transposed — a layer given
 * input×hidden, or data given samples×features. Otherwise returns, and the callers' own
 * shape checks report the mismatch.
 *
 * @param matrices - [name, matrix, the shape it must have in words] for each argument.
 * @param fits - whether shapes [rows, columns] (in the same order) fit together.
 */
export function assertNotTransposed(
  matrices: readonly (readonly [name: string, m: Matrix, meaning: string])[],
  fits: (dims: readonly (readonly [number, number])[]) => boolean,
): void {
  const dims = matrices.map(([, m]) => [m.rows, m.columns] as const);
  if (fits(dims)) return;
  const culprits = matrices.filter(
    (_, k) => dims[k][0] !== dims[k][1] && fits(dims.map((d, j) => (j === k ? ([d[1], d[0]] as const) : d))),
  );
  if (culprits.length !== 1) return;
  const [name, m, meaning] = culprits[0];
  const others = matrices
    .filter(([other]) => other !== name)
    .map(([other, o]) => `${other} (${o.rows}×${o.columns})`)
    .join(' and ');
  throw new ShapeError(
    `invalid argument. \`${name}\` looks transposed: it must be ${m.columns}×${m.rows} (${meaning}) to fit ${others}. Value: ${m.rows}×${m.columns}.`,
    name,
  );
}

/**
 * {@link assertNotTransposed} for a network and its task: w1 hidden×input, w2 output×hidden
 * and Σyx output×input.
 */
export function assertLayersNotTransposed(w1: Matrix, w2: Matrix, sigmaYX: Matrix): void {
  assertNotTransposed(
    [['w1', w1, 'hidden×input'], ['w2', w2, 'output×hidden'], ['sigmaYX', sigmaYX, 'output×input']],
    ([a, b, c]) => b[1] === a[0] && c[0] === b[0] && c[1] === a[1],
  );
}

/** Throws unless `x` is a finite number. */
export function assertFiniteNumber(x: unknown, name: string): asserts x is number {
  if (typeof x !== 'number') {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a number. Value: ${describe(x)}.`, name);
  }
  if (!Number.isFinite(x)) {
    throw new NonFiniteError(`invalid argument. \`${name}\` must be a finite number. Value: ${x}.`, name);
  }
}

/** Throws unless `x` is a finite number > 0. */
export function assertPositiveNumber(x: unknown, name: string): asserts x is number {
  assertFiniteNumber(x, name);
  if (!(x > 0)) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a positive number. Value: ${x}.`, name);
  }
}

/**
 * Throws unless every entry of `values` — a result computed from finite inputs — is finite:
 * one that is not has overflowed (±∞, or ∞ − ∞ = NaN), e.g. a product of weights above
 * ≈ 1e154. `what` names the result, `argument` what to scale down.
 */
export function assertRepresentable(values: ArrayLike<number>, what: string, argument: string): void {
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k])) throw notRepresentable(what, argument, values[k]);
}

/** The error of {@link assertRepresentable} for a result entry `value` that overflowed. */
export function notRepresentable(what: string, argument: string, value: number): InvalidArgumentError {
  const plural = argument.includes(',');
  return new InvalidArgumentError(
    `invalid argument. ${what} is beyond double precision (an entry overflows to ${value}): \`${argument}\` ${plural ? 'are' : 'is'} too large; scale ${plural ? 'them' : 'it'} down.`,
    argument,
  );
}

/**
 * True for a decimal number as people and CSV files write them: an optional sign, digits
 * with an optional point, an optional exponent ("-1.5", ".5", "2e-3"). Number() also reads
 * "0x10" as 16, "0b11" as 3 and "" as 0, which a data file or an option never means.
 */
export function isDecimalNumber(text: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

/**
 * Throws unless `x` is a seed: an integer of at most 53 bits (|x| ≤ 2⁵³ − 1). Fractions were
 * truncated before (seeds 0, 0.3 and −0.5 gave the same numbers), so they are refused.
 */
export function assertSeed(x: unknown, name: string): asserts x is number {
  assertInteger(x, name, Number.MIN_SAFE_INTEGER);
  if (x > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be an integer of at most 53 bits (|${name}| ≤ 2^53 − 1). Value: ${x}.`, name);
  }
}

/** Throws unless `x` is an integer ≥ `min` (default 1). */
export function assertInteger(x: unknown, name: string, min = 1): asserts x is number {
  assertFiniteNumber(x, name);
  if (!Number.isInteger(x) || x < min) {
    const what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be ${what}. Value: ${x}.`, name);
  }
}

/** Throws unless `t` is a finite time ≥ 0. */
export function assertTime(t: unknown, name = 't'): asserts t is number {
  if (typeof t !== 'number') {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a number (a time ≥ 0). Value: ${describe(t)}.`, name);
  }
  if (!Number.isFinite(t)) {
    throw new NonFiniteError(`invalid argument. \`${name}\` must be a finite time ≥ 0. Value: ${t}.`, name);
  }
  if (t < 0) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a time ≥ 0. Value: ${t}.`, name);
  }
}

/** Checks a list of times: an array of finite, non-negative numbers. Returns a copy. */
export function toTimes(times: unknown, name = 'times'): number[] {
  if (!Array.isArray(times) && !(times instanceof Float64Array)) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be an array of times ≥ 0. Value: ${describe(times)}.`, name);
  }
  const out = Array.from(times as ArrayLike<number>);
  out.forEach((t, i) => assertTime(t, `${name}[${i}]`));
  return out;
}

/**
 * Checks that λ is possible for the widths (MATH.md §2): λ > 0 needs Nh ≤ No, λ < 0 needs
 * Nh ≤ Ni. Throws {@link ImpossibleLambdaError} otherwise.
 */
export function assertLambdaPossible(lambda: number, inputDim: number, hiddenDim: number, outputDim: number): void {
  if (lambda > 0 && hiddenDim > outputDim) {
    throw new ImpossibleLambdaError(
      `invalid argument. λ = ${lambda} > 0 requires hiddenDim ≤ outputDim (W2ᵀW2 = λI + W1W1ᵀ must have full rank ${hiddenDim}, ` +
        `but W2ᵀW2 has rank ≤ outputDim = ${outputDim}). Use λ ≤ 0 or hiddenDim ≤ ${outputDim}.`,
      'lambda',
    );
  }
  if (lambda < 0 && hiddenDim > inputDim) {
    throw new ImpossibleLambdaError(
      `invalid argument. λ = ${lambda} < 0 requires hiddenDim ≤ inputDim (W1W1ᵀ = |λ|I + W2ᵀW2 must have full rank ${hiddenDim}, ` +
        `but W1W1ᵀ has rank ≤ inputDim = ${inputDim}). Use λ ≥ 0 or hiddenDim ≤ ${inputDim}.`,
      'lambda',
    );
  }
}

/**
 * Most entries of one matrix the library allocates: 2²⁷ (1 GiB of doubles). Widths that
 * need more — a 20 000-input network's 20 000×20 000 singular basis, the Nh×Nh rotation of
 * a hidden layer of 1e5 units — are refused up front with what they would need, instead of
 * running for hours or failing with a raw "Array buffer allocation failed".
 */
export const MAX_MATRIX_ENTRIES = 2 ** 27;

/**
 * Throws an InvalidArgumentError naming `argument` unless each matrix of `matrices`
 * ([rows, columns, what it is]) has at most {@link MAX_MATRIX_ENTRIES} entries.
 */
export function assertMatrixSizes(matrices: ReadonlyArray<readonly [number, number, string]>, argument: string): void {
  for (const [rows, cols, what] of matrices) {
    if (rows * cols > MAX_MATRIX_ENTRIES) {
      throw new InvalidArgumentError(
        `invalid argument. These widths need ${what}, ${rows}×${cols} (${((8 * rows * cols) / 2 ** 30).toFixed(1)} GiB); at most ` +
          `2^27 entries (1 GiB) per matrix are allowed. Use smaller widths.`,
        argument,
      );
    }
  }
}

/**
 * Most points a generated time grid may have (`pointsPerSegment`, `points`): ten million
 * solves take hours, and a longer grid would exhaust memory or crash the engine (an array of
 * 2²⁸ times is a fatal V8 error, which no try/catch sees) instead of failing cleanly.
 */
export const MAX_GRID_POINTS = 10_000_000;

/**
 * The most gradient-descent steps one call (or one `exact-dln simulate` run) may take: about
 * 1e3–1e4 s even for the smallest network (≈ 1–10 µs per step), where a learning rate or a
 * time constant given wrongly by orders of magnitude (η = 1e-300) would otherwise run for
 * ever with nothing to show. As MAX_RK4_STEPS for the RK4 integrator.
 */
export const MAX_GRADIENT_STEPS = 1e9;

/** Throws unless `x` is an integer in [min, {@link MAX_GRID_POINTS}] (`total` points in all, when the grid repeats it). */
export function assertGridPoints(x: unknown, name: string, min: number, repeats = 1): asserts x is number {
  assertInteger(x, name, min);
  if ((x - 1) * repeats + 1 > MAX_GRID_POINTS) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` = ${x} makes a grid of ${(x - 1) * repeats + 1} times; at most ${MAX_GRID_POINTS} are allowed ` +
        '(each time is a solve of its own: pass the times you need as `times` instead).',
      name,
    );
  }
}

/** Reads an optional number option with a default, validating it when present. */
export function optionalNumber(value: unknown, fallback: number, name: string, check: (x: unknown, n: string) => void): number {
  if (value === undefined) return fallback;
  check(value, name);
  return value as number;
}

/** Throws unless `x` is a finite number ≥ 0. */
export function assertNonNegativeNumber(x: unknown, name: string): asserts x is number {
  assertFiniteNumber(x, name);
  if (!(x >= 0)) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a number ≥ 0. Value: ${x}.`, name);
  }
}

/** Throws unless `x` is a finite number strictly between `min` and `max`. */
export function assertOpenInterval(x: unknown, name: string, min: number, max: number): asserts x is number {
  assertFiniteNumber(x, name);
  if (!(x > min && x < max)) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be a number in the open interval (${min}, ${max}). Value: ${x}.`,
      name,
    );
  }
}

/**
 * Checks a list of indices into something of size `bound`: an array of distinct integers in
 * [0, bound). `what` names what is indexed (for the message). Returns a copy.
 */
export function toIndexList(value: unknown, name: string, bound: number, what: string): number[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be an array of distinct integer indices of ${what} in [0, ${bound}). Value: ${describe(value)}.`,
      name,
    );
  }
  const seen = new Set<number>();
  return value.map((x: unknown, i: number) => {
    assertFiniteNumber(x, `${name}[${i}]`);
    if (!Number.isInteger(x) || x < 0 || x >= bound) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}[${i}]\` must be an integer index of ${what} in [0, ${bound}). Value: ${x}.`,
        name,
      );
    }
    if (seen.has(x)) {
      throw new InvalidArgumentError(`invalid argument. \`${name}\` must not repeat an index; ${x} appears twice.`, name);
    }
    seen.add(x);
    return x;
  });
}

/** Checks that `value` is a permutation of 0..n−1 (an array of length n using each index once). Returns a copy. */
export function toPermutation(value: unknown, n: number, name: string): number[] {
  if (!Array.isArray(value) || value.length !== n) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be a permutation of 0..${n - 1} (an array of length ${n}). Value: ${describe(value)}.`,
      name,
    );
  }
  const seen = new Uint8Array(n);
  return value.map((x: unknown, i: number) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= n || seen[x] === 1) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}\` must be a permutation of 0..${n - 1} (each index exactly once); ` +
          `entry ${i} is ${describe(x)}${typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < n ? ', which appears twice' : ''}.`,
        name,
      );
    }
    seen[x] = 1;
    return x;
  });
}

/** Throws {@link InvalidArgumentError} unless `value` is a plain options object (not null, not an array). */
export function assertOptions(value: unknown, fn: string, expected: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`invalid argument. ${fn} expects an options object ${expected}. Value: ${describe(value)}.`, 'options');
  }
}

/**
 * Throws {@link InvalidArgumentError} if the options object has a key that `known` does not
 * list: a misspelled option would otherwise be ignored, and the call would run with the
 * default (`{ tua: 10 }` runs with τ = 1; `{ input: X }` measures a kernel on whitened probes
 * instead of X). Each call site writes `known` as a `Record<keyof ItsOptions, true>`, so the
 * compiler checks that it lists exactly the documented options. The message names the key,
 * suggests the nearest known one, and lists them all.
 *
 * @example
 * ```ts
 * import { assertKnownOptions } from './validation.js'; // internal
 * assertKnownOptions({ tau: 2 }, 'exactDynamics', { tau: true, w1: true });      // fine
 * try { assertKnownOptions({ tua: 2 }, 'exactDynamics', { tau: true, w1: true }); }
 * catch (e) { console.log((e as Error).message); } // Unknown option `tua` for exactDynamics (did you mean `tau`?) …
 * ```
 */
export function assertKnownOptions(options: object, fn: string, known: Readonly<Record<string, true>>): void {
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(known, key)) continue;
    const names = Object.keys(known);
    const near = nearestName(key, names);
    throw new InvalidArgumentError(
      `invalid argument. Unknown option \`${key}\` for ${fn}${near === undefined ? '' : ` (did you mean \`${near}\`?)`}; ` +
        `the options are ${names.map((n) => `\`${n}\``).join(', ')}. An unknown option would be ignored, so it is refused.`,
      key,
    );
  }
}

/** Option names that mean what another option (of some other function, or library) means. */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  duration: ['time'],
  time: ['duration'],
  pretrainDuration: ['pretrainTime'],
  t: ['time', 'duration', 'times'],
  // Axis titles are "labels" in most plotting libraries.
  xLabel: ['xTitle'],
  yLabel: ['yTitle'],
};

/**
 * The name in `names` closest to `key` (case-insensitive optimal-string-alignment distance:
 * edits and swaps of neighbours), if it is within two edits and shorter than the key — or
 * a name of the same meaning ({@link SYNONYMS}: `duration` for `time`, …).
 *
 * @internal
 */
export function nearestName(key: string, names: readonly string[]): string | undefined {
  // The library's two names for a length of time: stages and studies take a `duration`,
  // transfer and the sweep a `time` (and a `pretrainTime`).
  // (Own keys only: a key named like an inherited property, "constructor" or "__proto__", read
  // Object's own and crashed with "SYNONYMS[key]?.find is not a function".)
  const synonym = (Object.hasOwn(SYNONYMS, key) ? SYNONYMS[key] : undefined)?.find((name) => names.includes(name));
  if (synonym !== undefined) return synonym;
  const a = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(2, a.length - 1);
  for (const name of names) {
    const b = name.toLowerCase();
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    if (d[a.length][b.length] < bestDistance || (best === undefined && d[a.length][b.length] === bestDistance)) {
      bestDistance = d[a.length][b.length];
      best = name;
    }
  }
  return best;
}
