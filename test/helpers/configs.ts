/**
 * Seeded random network/task configurations spanning everything MATH.md §4 says the
 * closed form must cover. Used by the property-based tests (fast-check generates the
 * parameters; the seed of each configuration is part of the parameters, so a failing
 * case is reproducible from fast-check's printed counterexample and seed).
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';

export type TaskKind = 'generic' | 'rank-deficient' | 'repeated' | 'zero';

export interface ConfigParams {
  ni: number;
  no: number;
  nhChoice: number;
  lambda: number;
  scale: number;
  taskKind: TaskKind;
  aligned: boolean;
  seed: number;
}

export interface Config extends ConfigParams {
  nh: number;
  w1: Matrix;
  w2: Matrix;
  sigmaYX: Matrix;
}

/** A Σyx of the requested structure, No×Ni. */
export function makeSigmaYX(no: number, ni: number, kind: TaskKind, seed: number): Matrix {
  const rng = createRng(seed);
  const r = Math.min(ni, no);
  if (kind === 'zero') return new Matrix(no, ni);
  if (kind === 'generic') return gaussianMatrix(no, ni, rng);
  const u = randomOrthogonal(no, rng);
  const v = randomOrthogonal(ni, rng);
  const s = new Matrix(no, ni);
  for (let i = 0; i < r; i++) {
    // rank-deficient: the last max(1, ⌊r/2⌋) singular values are exactly zero.
    if (kind === 'rank-deficient') s.set(i, i, i < r - Math.max(1, Math.floor(r / 2)) ? 1 + rng.uniform() * 2 : 0);
    else s.set(i, i, i < 2 ? 2 : i < 4 ? 1 : 0.5); // repeated singular values
  }
  return u.mmul(s).mmul(v.transpose());
}

/** Largest hidden width the λ constraints allow (capped at 7). */
export function maxHidden(ni: number, no: number, lambda: number): number {
  if (lambda > 0) return no;
  if (lambda < 0) return ni;
  return 7;
}

export function buildConfig(p: ConfigParams): Config {
  const nh = 1 + ((p.nhChoice - 1) % maxHidden(p.ni, p.no, p.lambda));
  const sigmaYX = makeSigmaYX(p.no, p.ni, p.taskKind, p.seed);
  const { w1, w2 } = lambdaBalancedWeights({
    inputDim: p.ni,
    hiddenDim: nh,
    outputDim: p.no,
    lambda: p.lambda,
    scale: p.scale,
    seed: p.seed + 1,
    ...(p.aligned && p.taskKind !== 'zero' ? { alignTo: sigmaYX } : {}),
  });
  return { ...p, nh, w1, w2, sigmaYX };
}

const lambdaArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.boolean(), fc.double({ min: 1, max: 3, noNaN: true }))
      .map(([neg, e]) => (neg ? -1 : 1) * 10 ** e),
  },
);

/** fast-check arbitrary of configuration parameters. */
export const configParams: fc.Arbitrary<ConfigParams> = fc.record({
  ni: fc.integer({ min: 1, max: 6 }),
  no: fc.integer({ min: 1, max: 6 }),
  nhChoice: fc.integer({ min: 1, max: 7 }),
  lambda: lambdaArb,
  scale: fc.double({ min: -3, max: 0.5, noNaN: true }).map((e) => 10 ** e),
  taskKind: fc.constantFrom<TaskKind>('generic', 'generic', 'rank-deficient', 'repeated', 'zero'),
  aligned: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 30 }),
});

/** Characteristic rate of the dynamics (1/τ units): bounds ‖F‖ + ‖Q‖². */
export function characteristicRate(c: Config): number {
  const sMax = c.sigmaYX.norm('frobenius');
  const q2 = c.w1.norm('frobenius') ** 2 + c.w2.norm('frobenius') ** 2;
  return sMax + Math.abs(c.lambda) / 2 + q2 + 1e-3;
}

/** Widths Ni, No, the hidden widths named H, a probe count P and a seed. */
export type NetworkShape<H extends string> = Record<'ni' | H | 'no' | 'p' | 'seed', number>;

/**
 * fast-check arbitrary of small network shapes for the kernel tests: widths Ni, No and one
 * hidden width per name in `hidden` (each 1–4, in the order ni, ...hidden, no), P probes
 * (1–5) and a seed.
 */
export function networkShapes<H extends string>(...hidden: H[]): fc.Arbitrary<NetworkShape<H>> {
  const width = fc.integer({ min: 1, max: 4 });
  const model = {
    ni: width,
    ...Object.fromEntries(hidden.map((h) => [h, width])),
    no: width,
    p: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  } as { [K in keyof NetworkShape<H>]: fc.Arbitrary<number> };
  return fc.record<NetworkShape<H>>(model);
}
