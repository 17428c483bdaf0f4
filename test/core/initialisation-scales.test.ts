/**
 * Small initialisations (weights down to 1e-240, products of singular values far below the
 * smallest double) and large ones (weights up to 1.3e154)
 * through the whole trajectory, including γs of several hundred, where e^{−g_c s} is near
 * e^{−600}: products like G0_ic·e^{−g_c s} of a small row then leave the normal range. The
 * general evaluator (Snapshots, and `summaries` of unaligned weights) used to round them to
 * a few bits there — mode strengths off by up to 100 % in a band of times before γs = 600,
 * or "the Riccati Gram matrix is not positive definite" — and the late-time normalisation
 * took such a row for a zero row. Below weights of about 1e-154 the squares of Ψ's entries
 * are themselves subnormal: Ψ is then scaled by a power of two (exact), and the per-mode
 * closed form of aligned weights leaves such initialisations to the general evaluator.
 * Below about 1e-241 even that cannot work, and exactDynamics refuses the weights.
 * Checked against references that do not share that code:
 *
 * - one mode (1×1×1, λ = 0): the logistic a(s) = σ / (1 + (σ/a0 − 1)·e^{−2σs}), evaluated in
 *   log space; the closed form is exact to rounding and the logistic's exponent 2σs ≤ 2000
 *   carries a relative error of ≲ 2000·2⁻⁵³ ≈ 2e-13 into a, so the tolerance is 1e-12;
 * - aligned weights of any widths and λ: the per-mode closed form of MATH.md §5 (`summaries`
 *   detects the decoupled initialisation) against the general evaluator's Snapshots, with
 *   the tolerances of decoupled-modes.test.ts (both exact to ≈ 1e-13·(1 + ‖Σyx‖_F));
 * - unaligned weights: learning finished, the loss is its converged value (`converged()`,
 *   the limit computed apart from the time-dependent path) to 1e-9 of it plus 1e-26, and
 *   Snapshots and `summaries` agree to the tolerance of trajectory-summaries.test.ts.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { decoupledModes } from '../../src/core/decoupled-modes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { alignedMode } from '../../src/analysis/aligned-mode.js';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { lazyRichSweep } from '../../src/analysis/lazy-rich-sweep.js';
import { ntk } from '../../src/analysis/ntk.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { randomTask } from '../../src/core/task.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { makeSigmaYX, maxHidden } from '../helpers/configs.js';
import { explicitKernelDistance } from '../helpers/jacobian-ntk.js';

describe('small initialisations', () => {
  it('one mode at λ = 0 (weights 1e-20 … 1e-240, products down to 5e-324 and below): the logistic, at every time up to γs = 2000', () => {
    const sigma = 1.5;
    for (const c of [1e-20, 1e-50, 1e-60, 1e-70, 1e-80, 1e-100, 1e-120, 1e-150, 1e-156, 1e-160, 2.2e-162, 1e-200, 1e-240]) {
      const dyn = exactDynamics({ w1: new Matrix([[c]]), w2: new Matrix([[c]]), sigmaYX: new Matrix([[sigma]]) });
      const logA0 = 2 * Math.log(c); // a0 = c², itself below the normal range for the last three
      const times = Array.from({ length: 1200 }, (_, k) => (2000 / sigma) * (k / 1199));
      times.forEach((t) => {
        const expected = sigma / (1 + Math.exp(Math.log(sigma) - logA0 - 2 * sigma * t));
        // Where a(t) itself is subnormal it has fewer than 53 bits: compared from 2⁻⁹⁶⁰ on.
        if (expected < 2 ** -960) return;
        const got = dyn.at(t).singularProduct.get(0, 0);
        expect(Math.abs(got - expected), `w = ${c}, t = ${t}`).toBeLessThanOrEqual(1e-12 * expected);
      });
      // The converged state (computed apart from the time-dependent path) is the task's.
      expect(Math.abs(dyn.converged().singularProduct.get(0, 0) - sigma), `w = ${c}: converged()`).toBeLessThanOrEqual(1e-14 * sigma);
    }
  });

  it('weights below about 1e-241 are refused with an InvalidArgumentError that says why; zero weights (a saddle) are not', () => {
    const sigmaYX = new Matrix([[1.5]]);
    for (const c of [1e-241, 1e-300, 1e-310, 5e-324]) {
      const error = (() => {
        try {
          exactDynamics({ w1: new Matrix([[c]]), w2: new Matrix([[c]]), sigmaYX });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, `w = ${c}`).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).message).toMatch(/initial weights are too small for double precision.*Scale them up/);
      expect((error as InvalidArgumentError).argument).toBe('w1, w2');
    }
    const zero = exactDynamics({ w1: new Matrix([[0]]), w2: new Matrix([[0]]), sigmaYX });
    expect(zero.at(100).loss).toBe(0.5 * 1.5 * 1.5);
  });

  it('aligned weights of any widths and λ, products 1e-40 … 1e-300: the general evaluator equals each mode\'s closed form (fast-check)', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 0.5, -0.5, 2),
        fc.integer({ min: 40, max: 300 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (ni, no, nhChoice, lambda, exponent, seed) => {
          const nh = 1 + ((nhChoice - 1) % maxHidden(ni, no, lambda));
          const sigmaYX = makeSigmaYX(no, ni, 'generic', seed);
          const r = Math.min(ni, nh, no);
          // Products spread over a few decades below 10^-exponent, each mode its own.
          const products = Array.from({ length: r }, (_, a) => 10 ** -(exponent + 3 * a) * (1 + a / 7));
          const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, seed: seed + 1, alignTo: sigmaYX, productSingularValues: products });
          const dyn = exactDynamics({ w1, w2, sigmaYX });
          if (decoupledModes(dyn.at(0).solution) === undefined) return; // a mode at its saddle: nothing to compare
          compared++;
          const norm = sigmaYX.norm('frobenius');
          const rate = Math.sqrt(dyn.sigma[0] ** 2 + lambda ** 2 / 4);
          const times = Array.from({ length: 120 }, (_, k) => (1500 / rate) * (k / 119));
          const s = dyn.summaries(times);
          times.forEach((t, k) => {
            const snap = dyn.at(t);
            const product = snap.singularProduct;
            for (let a = 0; a < Math.min(ni, no); a++) {
              expect(Math.abs(s.modeStrengths[a][k] - product.get(a, a)), `mode ${a} at t = ${t}`).toBeLessThanOrEqual(1e-12 * (1 + norm));
            }
            const tolerance = 1e-11 * snap.loss + 1e-12 * (1 + norm) * Math.sqrt(2 * snap.loss) + 1e-28 * (1 + norm * norm);
            expect(Math.abs(s.loss[k] - snap.loss), `loss at t = ${t}`).toBeLessThanOrEqual(tolerance);
          });
        },
      ),
      { numRuns: 60, seed: 20261129 },
    );
    expect(compared).toBeGreaterThan(30);
  });

  it('unaligned weights of several shapes and λ, products 1e-40 … 1e-320: Snapshots and summaries agree, and learning ends at the converged loss', () => {
    const shapes = [[3, 3, 3], [5, 3, 2], [2, 3, 5], [6, 2, 3], [4, 6, 4]] as const;
    let runs = 0;
    for (const [ni, nh, no] of shapes) {
      for (const lambda of [0, 0.5, -0.5]) {
        if (nh > maxHidden(ni, no, lambda)) continue;
        for (const scale of [1e-40, 1e-100, 1e-160, 1e-240, 1e-300, 1e-320]) {
          const task = randomTask({ inputDim: ni, outputDim: no, samples: 40, seed: 8 });
          const weights = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale, seed: 7 });
          const dyn = exactDynamics({ ...weights, sigmaYX: task.sigmaYX });
          const norm = task.sigmaYX.norm('frobenius');
          // Beyond the slowest mode's learning time, ≈ ln(1/scale)/(2κ_min), with room to spare.
          const r = Math.min(ni, nh, no);
          const slowest = Math.sqrt(dyn.sigma[r - 1] ** 2 + lambda ** 2 / 4);
          const end = (-1.5 * Math.log(scale) + 60) / (2 * slowest);
          const times = Array.from({ length: 301 }, (_, k) => (end * k) / 300);
          const s = dyn.summaries(times);
          times.forEach((t, k) => {
            const loss = dyn.at(t).loss;
            const tolerance = 1e-11 * loss + 1e-13 * (1 + norm) * Math.sqrt(2 * loss) + 1e-28 * (1 + norm * norm);
            expect(Math.abs(s.loss[k] - loss), `${ni}×${nh}×${no}, λ ${lambda}, scale ${scale}, t = ${t}`).toBeLessThanOrEqual(tolerance);
          });
          const converged = dyn.converged().loss;
          expect(Math.abs(s.loss[300] - converged), `${ni}×${nh}×${no}, λ ${lambda}, scale ${scale}: learning ends at the converged loss`).toBeLessThanOrEqual(1e-9 * converged + 1e-26);
          runs++;
        }
      }
    }
    expect(runs).toBe(66); // 11 shape–λ pairs the widths allow, 6 scales each
  });

  it('kernel distances from small initialisations (weights 1e-100 … 1e-230; a lazy–rich sweep from products 1e-320): the explicit NTK of the weights scaled by a power of two', () => {
    // The distance is scale-free, so the reference builds both NTKs (ntk(), whitened probes
    // X′ = I) from weights scaled exactly into the normal range, where their products keep
    // every digit; 1e-12 absolute on d ∈ [0, 1], as in kernel-distance.test.ts. Before, A and
    // R were formed from the tiny weights themselves: subnormal below weights of ≈ 1e-154.
    const scaledWeights = (w: { w1: Matrix; w2: Matrix }) => {
      const big = Math.max(...w.w1.to1DArray().map(Math.abs), ...w.w2.to1DArray().map(Math.abs));
      const f = 2 ** -Math.floor(Math.log2(big));
      return { w1: w.w1.clone().mul(f), w2: w.w2.clone().mul(f) };
    };
    for (const [ni, nh, no] of [[3, 3, 3], [5, 3, 2], [2, 3, 6]] as const) {
      const task = randomTask({ inputDim: ni, outputDim: no, samples: 40, seed: 11 });
      const unit = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: 0, scale: 1, seed: 12 });
      for (const size of [1e-100, 1e-160, 1e-200, 1e-230]) {
        const w = { w1: unit.w1.clone().mul(size), w2: unit.w2.clone().mul(size) }; // λ = 0 stays λ = 0
        const dyn = exactDynamics({ ...w, sigmaYX: task.sigmaYX });
        const probes = Matrix.eye(ni);
        const k0 = ntk(scaledWeights(w), probes);
        const slowest = dyn.sigma[Math.min(ni, no, nh) - 1];
        const times = [1, 0.5 * -Math.log(size) / slowest, 3 * -Math.log(size) / slowest];
        const along = kernelDistanceTrajectory(dyn, times).distance;
        times.forEach((t, k) => {
          const snap = dyn.at(t);
          const expected = explicitKernelDistance(k0, ntk(scaledWeights(snap.weights), probes));
          const label = `${ni}×${nh}×${no}, weights ${size}, t = ${t}`;
          expect(Math.abs(kernelDistance(dyn.at(0), snap) - expected), `${label}: two Snapshots`).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(kernelDistance(w, snap.weights) - expected), `${label}: two weight pairs`).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(along[k] - expected), `${label}: along the trajectory`).toBeLessThanOrEqual(1e-12);
        });
      }
    }
    // Subnormal weights: the power of two that brings them into range is itself capped at
    // 2^1000 (2^1074 would be ∞, and the distance NaN or "the NTK is zero").
    const eye = Matrix.eye(3);
    const other = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 1, seed: 15 });
    expect(Math.abs(kernelDistance({ w1: eye.clone().mul(1e-320), w2: eye.clone().mul(1e-320) }, other) - kernelDistance({ w1: eye, w2: eye }, other))).toBeLessThanOrEqual(1e-12);
    // lazyRichSweep's kernel distances (its own route through the stored factors) on the
    // smallest initialisation lambdaBalancedWeights makes (products 1e-320, weights ≈ 1e-160).
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 40, seed: 13 });
    const time = 150;
    const [row] = lazyRichSweep({ lambdas: [0], scales: [1e-320], task, hiddenDim: 3, time, seed: 14 }).rows;
    const w = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 1e-320, seed: 14 });
    const dyn = exactDynamics({ ...w, sigmaYX: task.sigmaYX });
    const k0 = ntk(scaledWeights(w), Matrix.eye(3));
    expect(Math.abs(row.kernelDistance - explicitKernelDistance(k0, ntk(scaledWeights(dyn.at(time).weights), Matrix.eye(3))))).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(row.convergedKernelDistance - explicitKernelDistance(k0, ntk(scaledWeights(dyn.converged().weights), Matrix.eye(3))))).toBeLessThanOrEqual(1e-12);
  });
});

describe('large initialisations', () => {
  it('one mode at λ = 0 (weights 1e100 … 1.3e154, products up to 1.7e308): the logistic from above, at every time from 1e-300 to γs = 2000', () => {
    // a(s) = σ / (σ/a0 + (σ/a0 − 1)·expm1(−2σs)), exact in double for a0 ≫ σ (no cancellation:
    // both terms of the denominator are tiny and of one sign), so 1e-12 as above. Above
    // about 1e154 the squares of the weights overflow; such weights are refused.
    const sigma = 1.5;
    for (const c of [1e100, 1e120, 1e150, 1e153, 1e154, 1.3e154]) {
      const dyn = exactDynamics({ w1: new Matrix([[c]]), w2: new Matrix([[c]]), sigmaYX: new Matrix([[sigma]]) });
      const a0 = c * c;
      const times = [1e-300, 1e-200, 1e-100, ...Array.from({ length: 400 }, (_, k) => (2000 / sigma) * ((k + 1) / 400))];
      for (const t of times) {
        const expected = sigma / (sigma / a0 + (sigma / a0 - 1) * Math.expm1(-2 * sigma * t));
        const got = dyn.at(t).singularProduct.get(0, 0);
        expect(Math.abs(got - expected), `w = ${c}, t = ${t}`).toBeLessThanOrEqual(1e-12 * expected);
      }
    }
    for (const c of [1.35e154, 1e200]) {
      let error: unknown;
      try {
        exactDynamics({ w1: new Matrix([[c]]), w2: new Matrix([[c]]), sigmaYX: new Matrix([[sigma]]) });
      } catch (e) {
        error = e;
      }
      expect(error, `w = ${c}`).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).message).toMatch(/too large for double precision.*Scale the weights down/);
    }
  });
});

describe('tasks of extreme scale', () => {
  it('one mode at λ = 0 with σ from 1e-150 to 1e200 and small weights: the logistic', () => {
    // Rates σ far from 1 move the band where S's terms leave the normal range: with σ = 1e150
    // the terms ψ²·D (D ≈ 1/(2σ)) underflowed although ψ itself was normal ("not positive
    // definite"), σ² overflowed in the spectrum for σ = 1e200, and with σ = 1e-100 the weight
    // √D·e^{γs} of Bᵀ overflowed just before γs = 600 (the mode strength came out 0).
    for (const [sigma, c] of [[1e150, 1e-100], [1e100, 1e-120], [1e200, 1e-50], [1e-100, 1e-150], [1e-150, 1e-200], [1e-100, 1e-60]]) {
      const dyn = exactDynamics({ w1: new Matrix([[c]]), w2: new Matrix([[c]]), sigmaYX: new Matrix([[sigma]]) });
      const logA0 = 2 * Math.log(c);
      const middle = (Math.log(sigma) - logA0) / (2 * sigma);
      for (let k = 1; k <= 300; k++) {
        const t = (3 * middle * k) / 300;
        const expected = sigma / (1 + Math.exp(Math.log(sigma) - logA0 - 2 * sigma * t));
        if (expected < 2 ** -960) continue;
        expect(Math.abs(dyn.at(t).singularProduct.get(0, 0) - expected), `σ ${sigma}, w ${c}, t = ${t}`).toBeLessThanOrEqual(1e-12 * expected);
      }
      expect(Math.abs(dyn.converged().singularProduct.get(0, 0) - sigma)).toBeLessThanOrEqual(1e-14 * sigma);
    }
  });
});

describe('tasks of extreme scale, several modes', () => {
  it('3×3×3 tasks scaled by 1e-100 … 1e-200 from weights of 1e-120 and 1e-200: finite at every time, and summaries end at converged()', () => {
    // Slow rates (σ ≈ 1e-100) make Bᵀ's weights √D·e^{γs} overflow near γs = 600, where G0's
    // structural zeros must stay zeros (not 0·∞); no reference here but the converged state,
    // computed apart from the time-dependent path, and finiteness.
    for (const sExp of [-100, -150, -200]) {
      for (const scale of [1e-120, 1e-200]) {
        const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 4 });
        const sigmaYX = task.sigmaYX.clone().mul(10 ** sExp);
        const weights = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale, seed: 5 });
        const dyn = exactDynamics({ ...weights, sigmaYX });
        const rate = dyn.sigma[0];
        for (let x = 1; x < 1500; x += 3.7) expect(Number.isFinite(dyn.at(x / rate).loss), `σ·1e${sExp}, scale ${scale}, γs ≈ ${x}`).toBe(true);
        const end = dyn.summaries([1500 / rate]).loss[0];
        const converged = dyn.converged().loss;
        expect(Math.abs(end - converged)).toBeLessThanOrEqual(1e-9 * converged + 1e-300);
      }
    }
  });
});

describe('huge λ', () => {
  it('|λ| up to 1e300 (one mode, λ < 0): the general evaluator follows alignedMode and converges to σ', () => {
    // For |λ| ≫ σ the eigenvectors of F have a component ≈ σ/|λ|; computed as √(σ²/λ²) it
    // underflowed from |λ|/σ ≈ 1e154 on (λ = −1e200: 0, so the mode could never be learned
    // and converged() gave 0). alignedMode's closed form is independent of the spectrum code;
    // both are exact to ≈ 1e-13 of a, so 1e-12 relative.
    const sigma = 1.5;
    for (const [lambda, a0] of [[-1e10, 1e5], [-1e100, 1e60], [-1e150, 1e10], [-1e200, 1e10], [-1e300, 1e3], [-1e160, 1]]) {
      const r = Math.hypot(lambda, 2 * a0);
      const w1 = Math.sqrt((r - lambda) / 2); // balanced: w2² − w1² = λ, w2·w1 = a0
      const dyn = exactDynamics({ w1: new Matrix([[w1]]), w2: new Matrix([[a0 / w1]]), sigmaYX: new Matrix([[sigma]]) });
      const mode = alignedMode({ sigma, a0, lambda });
      const k = Math.hypot(lambda, 2 * sigma);
      for (const t of [0.1 / k, 1 / k, 10 / k, 100 / k, 1e4 / k]) {
        const expected = mode.at(t);
        expect(Math.abs(dyn.at(t).singularProduct.get(0, 0) - expected), `λ ${lambda}, a0 ${a0}, t = ${t}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
      }
      expect(Math.abs(dyn.converged().singularProduct.get(0, 0) - sigma), `λ ${lambda}: converged()`).toBeLessThanOrEqual(1e-14 * sigma);
    }
  });

  it('alignedMode with |a0| up to 1e300 and |λ| up to 1e300: finite, and the general evaluator\'s values', () => {
    // λ·p₊₋ overflowed (a0 = 1e200, λ = −1e184: NaN at every t > 0). The general evaluator
    // (weights up to 1.3e154) is the reference where the weights exist, to 1e-12 relative;
    // beyond, the values must be finite and reach σ (or 0 from a reversed a0 at λ = 0).
    const sigma = 1.5;
    const cases: Array<[number, number]> = [[1e200, -1e184], [1e200, 1e184], [-1e200, 1e250], [1e300, -1e300], [1e250, 0], [-1e200, 0], [1e10, -1e300]];
    for (const [a0, lambda] of cases) {
      const mode = alignedMode({ sigma, a0, lambda });
      const k = Math.hypot(lambda, 2 * sigma) + 2 * Math.abs(a0);
      const times = [0.1 / k, 1 / k, 10 / k, 1e3 / k];
      const r = Math.hypot(lambda, 2 * a0);
      const w1 = Math.sqrt(lambda <= 0 ? (r - lambda) / 2 : (2 * a0 * a0) / (r + lambda)); // w2² − w1² = λ, w2·w1 = a0
      const general = Math.abs(a0 / w1) < 1.3e154 && w1 < 1.3e154 ? exactDynamics({ w1: new Matrix([[w1]]), w2: new Matrix([[a0 / w1]]), sigmaYX: new Matrix([[sigma]]) }) : undefined;
      for (const t of times) {
        const a = mode.at(t);
        expect(Number.isFinite(a), `a0 ${a0}, λ ${lambda}, t = ${t}`).toBe(true);
        if (general !== undefined) {
          expect(Math.abs(a - general.at(t).singularProduct.get(0, 0)), `a0 ${a0}, λ ${lambda}, t = ${t}`).toBeLessThanOrEqual(1e-12 * Math.abs(a));
        }
      }
      expect(mode.at(1e300)).toBe(a0 < 0 && lambda === 0 ? 0 : sigma);
    }
  });
});

