/**
 * Where standard initialisations sit on the lazy–rich spectrum: the expected balance λ of
 * i.i.d. Gaussian weights with LeCun, He, Glorot or custom scaling, and seeded samples of
 * such weights (MATH.md §10).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { powerOfTwoTowardOne } from '../linalg/dense.js';
import { createRng, gaussianMatrix } from '../random.js';
import { assertFiniteNumber, assertInteger, assertKnownOptions, assertNonNegativeNumber, assertMatrixSizes, assertOptions, assertSeed } from '../validation.js';

/**
 * The initialisation schemes {@link expectedLambda} and {@link sampleStandardInit} know.
 *
 * @example
 * ```ts
 * import { STANDARD_INIT_SCHEMES } from 'exact-dln';
 * console.log(STANDARD_INIT_SCHEMES); // ['lecun', 'he', 'glorot', 'custom']
 * ```
 */
export const STANDARD_INIT_SCHEMES = ['lecun', 'he', 'glorot', 'custom'] as const;

/**
 * A weight-initialisation scheme: variance 1/fan_in ('lecun'), 2/fan_in ('he'),
 * 2/(fan_in + fan_out) ('glorot'), or given standard deviations ('custom').
 *
 * @example
 * ```ts
 * import type { StandardInitScheme } from 'exact-dln';
 * const scheme: StandardInitScheme = 'glorot';
 * ```
 */
export type StandardInitScheme = (typeof STANDARD_INIT_SCHEMES)[number];

/**
 * Options of {@link expectedLambda}.
 *
 * @example
 * ```ts
 * import type { StandardInitOptions } from 'exact-dln';
 * const o: StandardInitOptions = { scheme: 'custom', inputDim: 10, hiddenDim: 10, outputDim: 5, sigma1: 0.1, sigma2: 0.3 };
 * ```
 */
export interface StandardInitOptions {
  /** The scheme. */
  scheme: StandardInitScheme;
  /** Ni (fan-in of W1). */
  inputDim: number;
  /** Nh (fan-out of W1, fan-in of W2). */
  hiddenDim: number;
  /** No (fan-out of W2). */
  outputDim: number;
  /** Standard deviation of W1's entries; required for (and only allowed with) 'custom'. */
  sigma1?: number;
  /** Standard deviation of W2's entries; required for (and only allowed with) 'custom'. */
  sigma2?: number;
}

/**
 * Options of {@link sampleStandardInit}: {@link StandardInitOptions} plus a seed.
 *
 * @example
 * ```ts
 * import type { SampleStandardInitOptions } from 'exact-dln';
 * const o: SampleStandardInitOptions = { scheme: 'he', inputDim: 10, hiddenDim: 20, outputDim: 5, seed: 1 };
 * ```
 */
export interface SampleStandardInitOptions extends StandardInitOptions {
  /**
   * Seed of the Gaussian draws (required: same seed, same weights). An integer of at most
   * 53 bits, like every seed of the library (`createRng`); a fraction is refused.
   */
  seed: number;
}

/**
 * Seeded Gaussian weights from {@link sampleStandardInit}, with the standard deviations used.
 *
 * @example
 * ```ts
 * import { sampleStandardInit, type StandardInitWeights } from 'exact-dln';
 * const w: StandardInitWeights = sampleStandardInit({ scheme: 'lecun', inputDim: 4, hiddenDim: 4, outputDim: 4, seed: 0 });
 * console.log(w.sigma1); // 0.5
 * ```
 */
export interface StandardInitWeights {
  /** W1, Nh×Ni, entries i.i.d. N(0, sigma1²). */
  w1: Matrix;
  /** W2, No×Nh, entries i.i.d. N(0, sigma2²). */
  w2: Matrix;
  /** The standard deviation of W1's entries. */
  sigma1: number;
  /** The standard deviation of W2's entries. */
  sigma2: number;
}

/** Validates the options and returns the two standard deviations of the scheme. */
function schemeStds(options: StandardInitOptions, fn: string, withSeed: boolean): { sigma1: number; sigma2: number; ni: number; nh: number; no: number } {
  assertOptions(options, fn, `{ scheme, inputDim, hiddenDim, outputDim, ${withSeed ? 'seed, ' : ''}sigma1?, sigma2? }`);
  // expectedLambda takes sampleStandardInit's options too (one object for both; the seed is unused).
  assertKnownOptions(options, fn, {
    scheme: true,
    inputDim: true,
    hiddenDim: true,
    outputDim: true,
    sigma1: true,
    sigma2: true,
    seed: true,
  } satisfies Record<keyof SampleStandardInitOptions, true>);
  const { scheme, inputDim: ni, hiddenDim: nh, outputDim: no } = options;
  if (typeof scheme !== 'string' || !(STANDARD_INIT_SCHEMES as readonly string[]).includes(scheme)) {
    throw new InvalidArgumentError(
      `invalid argument. \`scheme\` must be one of ${STANDARD_INIT_SCHEMES.map((s) => `'${s}'`).join(', ')}. Value: ${String(scheme)}.`,
      'scheme',
    );
  }
  assertInteger(ni, 'inputDim');
  assertInteger(nh, 'hiddenDim');
  assertInteger(no, 'outputDim');
  if (scheme === 'custom') {
    if (options.sigma1 === undefined || options.sigma2 === undefined) {
      throw new InvalidArgumentError(
        `invalid argument. The 'custom' scheme needs both \`sigma1\` and \`sigma2\` (standard deviations of W1 and W2). ` +
          `Value: ${options.sigma1 === undefined ? 'sigma1' : 'sigma2'} missing.`,
        options.sigma1 === undefined ? 'sigma1' : 'sigma2',
      );
    }
    assertNonNegativeNumber(options.sigma1, 'sigma1');
    assertNonNegativeNumber(options.sigma2, 'sigma2');
    return { sigma1: options.sigma1, sigma2: options.sigma2, ni, nh, no };
  }
  for (const key of ['sigma1', 'sigma2'] as const) {
    if (options[key] !== undefined) {
      throw new InvalidArgumentError(
        `invalid argument. \`${key}\` is only allowed with scheme 'custom'; scheme '${scheme}' fixes it from the fan-in. Value: ${String(options[key])}.`,
        key,
      );
    }
  }
  // Variances: W1 has fan_in = Ni, fan_out = Nh; W2 has fan_in = Nh, fan_out = No.
  const [v1, v2] =
    scheme === 'lecun' ? [1 / ni, 1 / nh] : scheme === 'he' ? [2 / ni, 2 / nh] : [2 / (ni + nh), 2 / (nh + no)];
  return { sigma1: Math.sqrt(v1), sigma2: Math.sqrt(v2), ni, nh, no };
}

/**
 * The expected balance of i.i.d. Gaussian weights (MATH.md §10). With W1 (Nh×Ni) entries
 * N(0, σ1²) and W2 (No×Nh) entries N(0, σ2²), E[W2ᵀW2] = No·σ2²·I and E[W1W1ᵀ] = Ni·σ1²·I, so
 *
 *     E[W2ᵀW2 − W1W1ᵀ] = λ·I_Nh,   λ = No·σ2² − Ni·σ1².
 *
 * With the usual fan-in scalings (W1: fan_in = Ni, fan_out = Nh; W2: fan_in = Nh,
 * fan_out = No):
 * - 'lecun'  (σ² = 1/fan_in):              λ = No/Nh − 1;
 * - 'he'     (σ² = 2/fan_in):              λ = 2(No/Nh − 1);
 * - 'glorot' (σ² = 2/(fan_in + fan_out)):  λ = 2No/(Nh + No) − 2Ni/(Ni + Nh);
 * - 'custom' (σ1, σ2 given):               λ = No·σ2² − Ni·σ1².
 * So a standard network starts balanced at λ = 0 only when No = Nh (LeCun, He) or
 * No/(Nh + No) = Ni/(Ni + Nh) (Glorot), and otherwise with |λ| = O(1): neither very lazy
 * nor exactly rich.
 *
 * How good the "≈ λI" is (measured in test/applications/standard-init.test.ts): the
 * estimate λ̂ = tr(B)/Nh of sampled weights converges to λ, its error shrinking like
 * 1/width; but at fixed width ratios the fluctuation B − λ̂I does NOT shrink relative to B:
 * E‖B − λ̂I‖²_F ≈ (Nh² + Nh − 2)(No·σ2⁴ + Ni·σ1⁴) grows like ‖λI‖²_F = Nh·λ², so the
 * relative residual of `balanceOf` tends to a non-zero constant (and ‖B − λ̂I‖₂ to an O(1)
 * Marchenko–Pastur width). Wide random networks are only approximately balanced entrywise
 * (entries of B − λI are O(1/sqrt(width))), not as matrices; the exact dynamics need
 * `lambdaBalancedWeights` with this λ.
 *
 * Cost: O(1).
 *
 * @param options - `{ scheme, inputDim, hiddenDim, outputDim, sigma1?, sigma2? }` (a `seed` is
 *   accepted and unused, so that one options object serves this and {@link sampleStandardInit}).
 * @returns λ.
 * @throws {@link InvalidArgumentError} for an unknown scheme, a width that is not a positive
 *   integer, a missing or negative σ for 'custom', or a σ given with another scheme.
 * @throws {@link NonFiniteError} for a NaN or infinite width or σ.
 * @example
 * ```ts
 * import { expectedLambda } from 'exact-dln';
 * console.log(expectedLambda({ scheme: 'lecun', inputDim: 100, hiddenDim: 50, outputDim: 10 })); // -0.8
 * console.log(expectedLambda({ scheme: 'he', inputDim: 100, hiddenDim: 50, outputDim: 100 })); // 2
 * console.log(expectedLambda({ scheme: 'glorot', inputDim: 30, hiddenDim: 30, outputDim: 30 })); // 0
 * console.log(expectedLambda({ scheme: 'custom', inputDim: 4, hiddenDim: 2, outputDim: 32, sigma1: 0.5, sigma2: 0.25 })); // 1
 * ```
 */
export function expectedLambda(options: StandardInitOptions): number {
  const { sigma1, sigma2, ni, no } = schemeStds(options, 'expectedLambda', false);
  // Closed forms for the named schemes (exact in floating point for simple ratios).
  switch (options.scheme) {
    case 'lecun':
      return no / options.hiddenDim - 1;
    case 'he':
      return 2 * (no / options.hiddenDim - 1);
    case 'glorot':
      return (2 * no) / (options.hiddenDim + no) - (2 * ni) / (ni + options.hiddenDim);
    default: {
      // No·σ2² − Ni·σ1², also where the squares over- or underflow (σ = 1e200 gave ∞ − ∞):
      // scaled by an exact power of two. A λ beyond double precision is an error, not ±∞.
      const size = Math.max(sigma1, sigma2);
      const c = size > 2 ** 400 || (size > 0 && size < 2 ** -400) ? powerOfTwoTowardOne(size) : 1;
      const a = sigma1 * c;
      const b = sigma2 * c;
      const lambda = (no * b * b - ni * a * a) / c / c;
      if (!Number.isFinite(lambda)) {
        throw new InvalidArgumentError(
          `invalid argument. With sigma1 = ${sigma1} and sigma2 = ${sigma2} the expected λ = No·σ2² − Ni·σ1² is beyond double precision.`,
          'sigma1, sigma2',
        );
      }
      return lambda;
    }
  }
}

/**
 * Samples Gaussian weights with a standard initialisation (MATH.md §10): W1 (Nh×Ni) with
 * i.i.d. N(0, σ1²) entries, then W2 (No×Nh) with i.i.d. N(0, σ2²) entries, from
 * `createRng(seed)` (row by row). σ1, σ2 follow the scheme as in {@link expectedLambda}.
 * These weights are only approximately balanced (see {@link expectedLambda}); measure them
 * with `balanceOf`.
 *
 * Cost: O(Nh·(Ni + No)). Same options, same weights.
 *
 * @param options - `{ scheme, inputDim, hiddenDim, outputDim, seed, sigma1?, sigma2? }`.
 * @returns `{ w1, w2, sigma1, sigma2 }`.
 * @throws as {@link expectedLambda}; also {@link InvalidArgumentError} if `seed` is missing or
 *   not an integer of at most 53 bits, or W1 or W2 would have more than 2²⁷ entries.
 * @example
 * ```ts
 * import { sampleStandardInit, balanceOf, expectedLambda } from 'exact-dln';
 * const options = { scheme: 'lecun', inputDim: 400, hiddenDim: 200, outputDim: 300, seed: 1 } as const;
 * const { w1, w2 } = sampleStandardInit(options);
 * console.log(Math.abs(balanceOf(w1, w2).lambda - expectedLambda(options)) < 0.05); // true
 * ```
 */
export function sampleStandardInit(options: SampleStandardInitOptions): StandardInitWeights {
  const { sigma1, sigma2, ni, nh, no } = schemeStds(options, 'sampleStandardInit', true);
  assertMatrixSizes([[nh, ni, 'W1'], [no, nh, 'W2']], 'inputDim, hiddenDim, outputDim');
  if (options.seed === undefined || options.seed === null) {
    throw new InvalidArgumentError(
      'invalid argument. `seed` must be given: seed is required for reproducibility (pass any integer, e.g. seed: 0). Value: undefined.',
      'seed',
    );
  }
  assertSeed(options.seed, 'seed');
  const rng = createRng(options.seed);
  const w1 = gaussianMatrix(nh, ni, rng, sigma1);
  const w2 = gaussianMatrix(no, nh, rng, sigma2);
  // σ·N(0, 1) can overflow for a custom σ near the largest double (σ1 = 1e308 gave ±Infinity).
  for (const [m, name, sigma] of [[w1, 'sigma1', sigma1], [w2, 'sigma2', sigma2]] as const) {
    if (!m.to1DArray().every(Number.isFinite)) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}\` = ${sigma} is too large: its Gaussian draws σ·N(0, 1) overflow to ±Infinity. Use a smaller standard deviation.`,
        name,
      );
    }
  }
  return { w1, w2, sigma1, sigma2 };
}
