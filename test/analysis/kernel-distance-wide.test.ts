/**
 * Kernel distance along exact dynamics of wide (Ni − No > Nh) and tall (No − Ni > Nh)
 * networks, where kernelDistanceTrajectory works with compressed representations
 * (RiccatiSolution.compressedFactorAt: the left-over directions' part of W1ᵀW1 or W2W2ᵀ
 * lives in an Nh-dimensional subspace, and every trace of the kernel distance can be taken
 * there) — and so does kernelDistance of two Snapshots of one dynamics — against
 * kernelDistance of the weights of Snapshots built from the full, uncompressed factor
 * (RiccatiSolution.factorAt), i.e. with the full Ni×Ni and No×No representations in the
 * original coordinates.
 *
 * Tolerance 1e-12·d + 1e-15 (worst seen ≈ 1e-14; |λ| ≤ 2 here, against 1e-10 for |λ| up to
 * 1e3 in kernel-distance.test.ts): both evaluate d from differences of normalised
 * representations (rounding relative to d); the compressed side rounds in another basis
 * and order.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { lazyRichSweep } from '../../src/analysis/lazy-rich-sweep.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { Snapshot } from '../../src/core/snapshot.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { buildConfig } from '../helpers/configs.js';

const TIMES = [0.1, 1, 5, 30, 300, 1e4];

describe('kernelDistanceTrajectory on wide and tall networks (compressed representations)', () => {
  it('equals the pairwise distance for whitened probes, probe inputs and probe Gram matrices (fast-check)', () => {
    let worst = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 8, max: 40 }),
        fc.boolean(),
        fc.constantFrom(-2, -0.5, 0, 0.5, 2),
        fc.constantFrom('whitened', 'inputs', 'gram'),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (narrow, wide, tall, lambda, probes, seed) => {
          const [ni, no] = tall ? [narrow, wide] : [wide, narrow];
          // More left-over directions (wide − narrow) than hidden units, within λ's limits.
          const maxNh = Math.min(lambda > 0 ? no : lambda < 0 ? ni : ni + no, wide - narrow - 1, 10);
          const nh = 1 + (seed % maxNh);
          const c = buildConfig({ ni, no, nhChoice: nh, lambda, scale: 0.3, taskKind: 'generic', aligned: false, seed });
          const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
          const solution = dyn.at(0).solution;
          expect(solution.compression).toBeDefined();
          const uncompressed = (t: number) => new Snapshot(t, lambda, solution, solution.factorAt(t), false).weights;
          const start = uncompressed(0);
          const x = gaussianMatrix(ni, 3 + (seed % 5), createRng(seed + 7));
          for (let i = 0; i < ni; i++) for (let q = 0; q < x.columns; q++) x.set(i, q, x.get(i, q) * (1 + i));
          const options = probes === 'whitened' ? {} : probes === 'inputs' ? { inputs: x } : { gram: x.mmul(x.transpose()) };
          let r: number[];
          try {
            r = kernelDistanceTrajectory(dyn, TIMES, options).distance;
          } catch (e) {
            // A kernel that vanishes on these probes is rejected by both.
            expect(e).toBeInstanceOf(InvalidArgumentError);
            expect(() => TIMES.forEach((t) => kernelDistance(start, uncompressed(t), options))).toThrow(InvalidArgumentError);
            return;
          }
          TIMES.forEach((t, k) => {
            const d = kernelDistance(start, uncompressed(t), options);
            // Two Snapshots of the same dynamics take the compressed path too.
            expect(Math.abs(kernelDistance(dyn.at(0), dyn.at(t), options) - d)).toBeLessThanOrEqual(1e-12 * d + 1e-15);
            expect(Math.abs(r[k] - d), `Ni ${ni}, Nh ${c.nh}, No ${no}, λ ${lambda}, ${probes}, t ${t}`).toBeLessThanOrEqual(1e-12 * d + 1e-15);
            if (d > 0) worst = Math.max(worst, Math.abs(r[k] - d) / d);
            compared++;
          });
        },
      ),
      { numRuns: 150, seed: 20261129 },
    );
    expect(compared).toBeGreaterThan(500);
    console.log(`compressed kernel distance vs pairwise (wide/tall): worst relative difference ${worst.toExponential(2)}`);
  });

  it('converged(): the compressed limit has the full limit’s getters, and its kernel distance from at(0) is the weights’', () => {
    for (const [ni, nh, no, lambda] of [
      [30, 4, 3, -0.5],
      [2, 3, 25, 0.5],
      [3, 2, 20, -1],
    ] as const) {
      const c = buildConfig({ ni, no, nhChoice: nh, lambda, scale: 0.3, taskKind: 'generic', aligned: false, seed: 3 * ni + no });
      const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
      const solution = dyn.at(0).solution;
      expect(solution.compression).toBeDefined();
      const limit = dyn.converged();
      const full = new Snapshot(Infinity, lambda, solution, solution.factorAt(Infinity), false);
      for (const name of ['qqt', 'w2w1', 'w1tw1', 'w2w2t', 'singularProduct'] as const) {
        const diff = limit[name].clone().sub(full[name]).norm('frobenius');
        expect(diff, `${name}, Ni ${ni}, No ${no}`).toBeLessThanOrEqual(1e-13 * full[name].norm('frobenius'));
      }
      expect(Math.abs(limit.loss - full.loss)).toBeLessThanOrEqual(1e-13 * full.loss + 1e-28);
      const d = kernelDistance(dyn.at(0), limit);
      const reference = kernelDistance(new Snapshot(0, lambda, solution, solution.factorAt(0), false).weights, full.weights);
      expect(Math.abs(d - reference)).toBeLessThanOrEqual(1e-12 * reference + 1e-15);
    }
  });

  it('lazyRichSweep on wide and tall networks: representation changes and kernel distances from the full factor', () => {
    for (const [ni, nh, no, lambda] of [
      [30, 4, 3, -0.5],
      [3, 2, 20, 0.5],
    ] as const) {
      const sigmaYX = buildConfig({ ni, no, nhChoice: nh, lambda, scale: 0.3, taskKind: 'generic', aligned: false, seed: 5 }).sigmaYX;
      const time = 4;
      const [row] = lazyRichSweep({ lambdas: [lambda], scales: [0.2], task: { sigmaYX }, hiddenDim: nh, time, seed: 9 }).rows;
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.2, seed: 9 });
      const solution = exactDynamics({ w1, w2, sigmaYX }).at(0).solution;
      expect(solution.compression).toBeDefined();
      const full = (t: number) => new Snapshot(t, lambda, solution, solution.factorAt(t), false);
      const [s0, sMid, sEnd] = [full(0), full(time), full(Infinity)];
      const close = (got: number, want: number): void => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want + 1e-15);
      close(row.deltaW1tW1, sMid.w1tw1.clone().sub(s0.w1tw1).norm('frobenius'));
      close(row.deltaW2W2t, sMid.w2w2t.clone().sub(s0.w2w2t).norm('frobenius'));
      close(row.convergedDeltaW1tW1, sEnd.w1tw1.clone().sub(s0.w1tw1).norm('frobenius'));
      close(row.convergedDeltaW2W2t, sEnd.w2w2t.clone().sub(s0.w2w2t).norm('frobenius'));
      close(row.kernelDistance, kernelDistance(s0.weights, sMid.weights));
      close(row.convergedKernelDistance, kernelDistance(s0.weights, sEnd.weights));
    }
  });

  it('the compressed factor keeps every Gram matrix: W·a·Wᵀ = Z_⊥-side Gram of the full singular-basis factor', () => {
    for (const [ni, nh, no, lambda] of [
      [30, 4, 3, -0.5],
      [2, 3, 25, 0.5],
      [20, 2, 1, 0],
    ] as const) {
      const c = buildConfig({ ni, no, nhChoice: nh, lambda, scale: 0.3, taskKind: 'generic', aligned: false, seed: ni + no });
      const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
      const solution = dyn.at(0).solution;
      const compression = solution.compression!;
      expect(compression.inputSide).toBe(ni > no);
      const side = compression.inputSide ? ni : no;
      const keep = side - compression.rows;
      // W = blockdiag(I_keep, basis), orthonormal columns.
      const w = new Matrix(side, keep + compression.columns);
      for (let i = 0; i < keep; i++) w.set(i, i, 1);
      for (let i = 0; i < compression.rows; i++) {
        for (let j = 0; j < compression.columns; j++) w.set(keep + i, keep + j, compression.basis[i * compression.columns + j]);
      }
      const wtw = w.transpose().mmul(w).sub(Matrix.eye(w.columns));
      expect(Math.max(wtw.max(), -wtw.min())).toBeLessThan(1e-14);
      for (const t of [0, 0.5, 4, 40]) {
        const z = solution.compressedFactorAt(t);
        const snap = dyn.at(t);
        const full = compression.inputSide ? snap.w1tw1 : snap.w2w2t;
        const basisChange = compression.inputSide ? dyn.singularVectors.v : dyn.singularVectors.u;
        // The compressed rows of the side: after the other side's rows (output) or first (input).
        const offset = compression.inputSide ? 0 : ni;
        const rows = new Matrix(keep + compression.columns, nh);
        for (let i = 0; i < rows.rows; i++) for (let j = 0; j < nh; j++) rows.set(i, j, z[(offset + i) * nh + j]);
        const rebuilt = basisChange.mmul(w).mmul(rows.mmul(rows.transpose())).mmul(w.transpose()).mmul(basisChange.transpose());
        const error = rebuilt.sub(full).norm('frobenius') / full.norm('frobenius');
        expect(error, `Ni ${ni}, No ${no}, t ${t}`).toBeLessThan(1e-13);
      }
    }
  });
});
