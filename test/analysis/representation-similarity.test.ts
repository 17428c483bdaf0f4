/**
 * representationSimilarity (MATH.md §6) against direct computations from the weights
 * with ml-matrix, and the pseudo-inverse against the Moore–Penrose identities and an
 * independent formula for rank-deficient W2W2ᵀ (No > Nh).
 *
 * Tolerances: RSM_in is a product of O(1) matrices, 1e-12 relative. RSM_out involves an
 * inverse: both sides lose ~ε·κ(W2W2ᵀ) relative; the seeded W2 here have κ ≲ 1e3, so
 * 1e-10 relative is ~100× above the expected error and far below an O(1) formula error.
 */
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition, inverse, solve } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { representationSimilarity } from '../../src/analysis/representation-similarity.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { relErr } from '../helpers/oracles.js';

const SEED = 44_120;
let worstIn = 0;
let worstOut = 0;
afterAll(() =>
  console.log(`representationSimilarity vs direct: worst RSM_in ${worstIn.toExponential(2)}, RSM_out ${worstOut.toExponential(2)} (relative)`),
);

function conditionNumber(m: Matrix): number {
  const s = new SingularValueDecomposition(m).diagonal;
  return Math.max(...s) / Math.min(...s);
}

describe('representationSimilarity matches direct computation', () => {
  it(`random weights with No ≤ Nh (W2W2ᵀ invertible), fast-check seed ${SEED}`, () => {
    fc.assert(
      fc.property(
        fc.record({
          ni: fc.integer({ min: 1, max: 5 }),
          no: fc.integer({ min: 1, max: 4 }),
          extra: fc.integer({ min: 0, max: 2 }),
          p: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        ({ ni, no, extra, p, seed }) => {
          const nh = no + extra;
          const rng = createRng(seed);
          const w1 = gaussianMatrix(nh, ni, rng);
          const w2 = gaussianMatrix(no, nh, rng);
          const x = gaussianMatrix(ni, p, rng);
          const y = gaussianMatrix(no, p, rng);
          const r = w2.mmul(w2.transpose());
          fc.pre(conditionNumber(r) <= 1e3); // keep within the stated tolerance budget
          const { input, output } = representationSimilarity({ w1, w2 }, { inputs: x, outputs: y });
          const wantIn = x.transpose().mmul(w1.transpose().mmul(w1)).mmul(x);
          const wantOut = y.transpose().mmul(solve(r, y));
          const eIn = relErr(input, wantIn);
          const eOut = relErr(output, wantOut);
          worstIn = Math.max(worstIn, eIn);
          worstOut = Math.max(worstOut, eOut);
          expect(eIn).toBeLessThan(1e-12);
          expect(eOut).toBeLessThan(1e-10);
          // Exactly symmetric.
          for (let i = 0; i < p; i++) {
            for (let j = 0; j < p; j++) {
              expect(input.get(i, j)).toBe(input.get(j, i));
              expect(output.get(i, j)).toBe(output.get(j, i));
            }
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a Snapshot gives what its weights give (to 1e-12), and omitted probes give undefined', () => {
    const rng = createRng(2);
    const sigmaYX = gaussianMatrix(3, 4, rng);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 1.5, scale: 0.4, seed: 3 });
    const snap = exactDynamics({ w1, w2, sigmaYX }).at(2.5);
    const x = gaussianMatrix(4, 5, rng);
    const y = gaussianMatrix(3, 5, rng);
    const fromSnap = representationSimilarity(snap, { inputs: x, outputs: y });
    const fromWeights = representationSimilarity(snap.weights, { inputs: x, outputs: y });
    expect(relErr(fromSnap.input, fromWeights.input)).toBeLessThan(1e-12);
    expect(relErr(fromSnap.output, fromWeights.output)).toBeLessThan(1e-12);
    const onlyIn = representationSimilarity(snap, { inputs: x });
    expect(onlyIn.output).toBeUndefined();
    expect(onlyIn.input.rows).toBe(5);
    const onlyOut = representationSimilarity(snap, { outputs: y });
    expect(onlyOut.input).toBeUndefined();
    expect(onlyOut.output.rows).toBe(5);
    expect(() => representationSimilarity(snap, {})).toThrow(InvalidArgumentError);
  });
});

describe('pseudo-inverse for rank-deficient W2W2ᵀ (No > Nh)', () => {
  let worst = 0;
  afterAll(() => console.log(`(W2W2ᵀ)⁺ Moore–Penrose identities / independent formula: worst ${worst.toExponential(2)}`));
  for (const [no, nh, seed] of [
    [5, 2, 1],
    [4, 3, 2],
    [6, 1, 3],
  ] as const) {
    it(`No = ${no}, Nh = ${nh}: outputs = I gives M = (W2W2ᵀ)⁺, which satisfies the four Moore–Penrose identities`, () => {
      const rng = createRng(seed);
      const w1 = gaussianMatrix(nh, 3, rng);
      const w2 = gaussianMatrix(no, nh, rng);
      const r = w2.mmul(w2.transpose());
      const m = representationSimilarity({ w1, w2 }, { outputs: Matrix.eye(no) }).output;
      const checks = [
        relErr(r.mmul(m).mmul(r), r), // R M R = R
        relErr(m.mmul(r).mmul(m), m), // M R M = M
        relErr(r.mmul(m), r.mmul(m).transpose()), // (RM)ᵀ = RM
        relErr(m.mmul(r), m.mmul(r).transpose()), // (MR)ᵀ = MR
        // Independent formula: W2 has full column rank, so R⁺ = W2 (W2ᵀW2)⁻² W2ᵀ.
        relErr(m, w2.mmul(inverse(w2.transpose().mmul(w2)).mmul(inverse(w2.transpose().mmul(w2)))).mmul(w2.transpose())),
      ];
      checks.forEach((e) => {
        worst = Math.max(worst, e);
        expect(e).toBeLessThan(1e-10);
      });
      // Outputs in the range of W2, Y′ = W2 Z: RSM_out = Zᵀ W2ᵀ (W2W2ᵀ)⁺ W2 Z = ZᵀZ.
      const z = gaussianMatrix(nh, 4, rng);
      const rsm = representationSimilarity({ w1, w2 }, { outputs: w2.mmul(z) }).output;
      expect(relErr(rsm, z.transpose().mmul(z))).toBeLessThan(1e-10);
    });
  }

  it('W2 = 0 gives RSM_out = 0 (the pseudo-inverse of 0 is 0)', () => {
    const out = representationSimilarity({ w1: [[1, 2]], w2: [[0], [0]] }, { outputs: [[1, 2], [3, 4]] }).output;
    expect(out.to2DArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('eigenvalues below pinvTolerance·μ_max are dropped (default 1e-12); pinvTolerance: 0 keeps them', () => {
    const weights = { w1: [[1], [1]], w2: [[1, 0], [0, 1e-7]] }; // W2W2ᵀ = diag(1, 1e-14)
    const dropped = representationSimilarity(weights, { outputs: Matrix.eye(2) }).output;
    expect(dropped.get(0, 0)).toBeCloseTo(1, 14);
    expect(dropped.get(1, 1)).toBe(0);
    const kept = representationSimilarity(weights, { outputs: Matrix.eye(2), pinvTolerance: 0 }).output;
    expect(Math.abs(kept.get(1, 1) / 1e14 - 1)).toBeLessThan(1e-12);
    const looser = representationSimilarity({ w1: [[1], [1]], w2: [[1, 0], [0, 1e-3]] }, { outputs: Matrix.eye(2), pinvTolerance: 1e-5 });
    expect(looser.output.get(1, 1)).toBe(0);
  });
});

describe('representationSimilarity at extreme weight sizes (a review)', () => {
  it('RSM_out = ‖W2⁻¹y‖² for W2 = w·M, y = w·y₀ is the same for every w (W2W2ᵀ underflowed below 1e-160: 3.5e-4 off, then 0)', () => {
    const m = [
      [1.3, 0.2],
      [0.7, -0.9],
    ];
    const y0 = [[1e-10], [2e-10]];
    // Independently, at w = 1: W2⁻¹y₀ by ml-matrix's solve, squared norm; scaled by 1 for any w.
    const z = solve(new Matrix(m), new Matrix(y0));
    const want = z.get(0, 0) ** 2 + z.get(1, 0) ** 2;
    for (const w of [1, 1e-150, 1e-160, 1e-162, 1e-250, 1e-300, 1e150, 1e200]) {
      const w2 = m.map((row) => row.map((v) => v * w));
      const y = y0.map((row) => row.map((v) => v * w));
      const got = representationSimilarity({ w1: [[1, 0], [0, 1]], w2 }, { outputs: y }).output.get(0, 0);
      expect(Math.abs(got - want) / want, `w = ${w}`).toBeLessThan(1e-13);
    }
    // Probe outputs of order 1 against W2 ≈ 1e-300: RSM_out ≈ 1e600 is beyond double
    // precision — a typed error, not Infinity or NaN.
    const tiny = m.map((row) => row.map((v) => v * 1e-300));
    expect(() => representationSimilarity({ w1: [[1, 0], [0, 1]], w2: tiny }, { outputs: [[1], [2]] })).toThrow(InvalidArgumentError);
    expect(() => representationSimilarity({ w1: [[1, 0], [0, 1]], w2: tiny }, { outputs: [[1], [2]] })).toThrow(/beyond double precision/);
  });
});
