/**
 * The flow's scale symmetry: (Σyx, W1, W2, λ, t) → (cΣyx, √c·W1, √c·W2, cλ, t/c) maps
 * solutions to solutions (τ dW1/dt = W2ᵀ(Σyx − W2W1) gains c^{3/2} on both sides), so
 * W2W1, W1ᵀW1 and W2W2ᵀ scale by c, the loss by c², and everything scale-free — the
 * kernel distance, the relative off-diagonal mass, the lazy deviation — is unchanged. With
 * c a power of two the scaled inputs are exact, so the closed form at c must equal the
 * closed form at 1 up to rounding, at any c whose results are representable.
 *
 * This caught a closed form that lost its digits for tasks below ~1e-155: σ² went subnormal
 * in the eigenvectors of F (1e-14 relative at 1e-156, 1e-5 at 1e-160, 97 % at 1e-165 and
 * below, where W2W1(0) itself came out wrong).
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics, kernelDistance, lambdaBalancedWeights, modeStrengths, shallowDeviation } from '../../src/index.js';
import { createRng, gaussianMatrix } from '../../src/random.js';

/** ‖a − b‖_F / ‖b‖_F. */
function relative(a: Matrix, b: Matrix): number {
  return a.clone().sub(b).norm('frobenius') / b.norm('frobenius');
}

// Both sides are the same closed form under different rounding; the c = 1 side is itself
// accurate to ~1e-13 (closed form vs RK4). 1e-11 leaves room for the conditioning of the
// longer times and is far below the failures this test is for.
const TOL = 1e-11;

describe('scale symmetry of the exact flow', () => {
  it('(cΣ, √c·W, cλ) at t/c is the c = 1 flow at t, scaled: W2W1, W1ᵀW1, W2W2ᵀ by c, loss by c²; scale-free measures equal (c = 2^-1000 … 2^300)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(-1.5, 0, 0.7),
        fc.integer({ min: -500, max: 150 }), // c = 2^(2k), so that √c is a power of two too
        fc.integer({ min: 0, max: 1_000_000 }),
        (ni, nh, no, lambdaOne, k, seed) => {
          let weights;
          try {
            weights = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: lambdaOne, scale: 0.3, seed });
          } catch {
            return; // λ impossible for these widths
          }
          const sigmaYX = gaussianMatrix(no, ni, createRng(seed + 1));
          const c = 2 ** (2 * k);
          const root = 2 ** k;
          const one = exactDynamics({ w1: weights.w1, w2: weights.w2, sigmaYX });
          const scaled = exactDynamics({ w1: weights.w1.clone().mul(root), w2: weights.w2.clone().mul(root), sigmaYX: sigmaYX.clone().mul(c) });
          expect(Math.abs(scaled.lambda / c - one.lambda)).toBeLessThanOrEqual(1e-12 * (Math.abs(one.lambda) + 1));
          for (const t of [0, 0.4, 3]) {
            const a = one.at(t);
            const b = scaled.at(t / c);
            const label = `${ni}×${nh}×${no}, λ = ${lambdaOne}, c = 2^${2 * k}, t = ${t}`;
            expect(relative(b.w2w1.clone().div(c), a.w2w1), label).toBeLessThan(TOL);
            expect(relative(b.w1tw1.clone().div(c), a.w1tw1), label).toBeLessThan(TOL);
            expect(relative(b.w2w2t.clone().div(c), a.w2w2t), label).toBeLessThan(TOL);
            // The loss ½‖Σyx − W2W1‖² cancels as W2W1 → Σyx: W2W1's rounding (~1e-15·‖Σyx‖)
            // bounds its accuracy by ‖Σyx − W2W1‖·1e-15‖Σyx‖ = √(2L)·1e-15‖Σyx‖ absolute.
            const floor = 1e-13 * Math.sqrt(2 * a.loss) * sigmaYX.norm('frobenius');
            // (Where L·c² is subnormal it has lost digits as a number: not compared.)
            if (a.loss * c * c > 1e-290) expect(Math.abs(b.loss / c / c - a.loss), label).toBeLessThanOrEqual(TOL * a.loss + floor);
            const ma = modeStrengths(a);
            const mb = modeStrengths(b);
            ma.strengths.forEach((x, i) => expect(Math.abs(mb.strengths[i] / c - x), label).toBeLessThanOrEqual(TOL * Math.max(...ma.target)));
            expect(Math.abs(mb.relativeOffDiagonal - ma.relativeOffDiagonal), label).toBeLessThan(TOL);
            if (t > 0 && ni * no > 1) {
              const da = kernelDistance(one.at(0), a);
              expect(Math.abs(kernelDistance(scaled.at(0), b) - da), label).toBeLessThanOrEqual(TOL * Math.max(da, 1e-3));
            }
          }
          if (lambdaOne !== 0) {
            const da = shallowDeviation(one, [0.4, 3]).deviation;
            const db = shallowDeviation(scaled, [0.4 / c, 3 / c]).deviation;
            da.forEach((x, i) => expect(Math.abs(db[i] - x)).toBeLessThanOrEqual(TOL * Math.max(x, 1)));
          }
        },
      ),
      { numRuns: 400, seed: 20261130, verbose: 1 },
    );
  });
});
