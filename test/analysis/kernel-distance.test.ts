/**
 * kernelDistance / kernelDistanceTrajectory (MATH.md §6) against explicit kernels: the
 * trace identity must reproduce 1 − ⟨Ka, Kb⟩/(‖Ka‖‖Kb‖) computed from full NTK matrices,
 * both from ntk() and from the Jacobian brute force of test/helpers/jacobian-ntk.ts.
 *
 * Tolerance 1e-12 absolute on d ∈ [0, 1]: the explicit side sums (P'·No)² products and
 * loses ~1e-15; the trace identity rounds at the same level. A wrong term in the identity
 * changes d at O(1e-2) or more on these random configurations.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { kernelDistanceOfSnapshots, kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { ntk } from '../../src/analysis/ntk.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { ExactDlnError, InvalidArgumentError, ShapeError } from '../../src/errors.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { buildConfig, configParams, networkShapes } from '../helpers/configs.js';
import { expectTypedError } from '../helpers/errors.js';
import { explicitKernelDistance, jacobianNtk } from '../helpers/jacobian-ntk.js';

const SEED = 90_417;

const shapes = networkShapes('nh', 'nh2');

/** Two random networks with the same Ni, No (hidden widths nh, nh2) and non-whitened probes. */
function randomPair(ni: number, nh: number, nh2: number, no: number, p: number, seed: number) {
  const rng = createRng(seed);
  const a = { w1: gaussianMatrix(nh, ni, rng), w2: gaussianMatrix(no, nh, rng, 0.5) };
  const b = { w1: gaussianMatrix(nh2, ni, rng, 1.5), w2: gaussianMatrix(no, nh2, rng) };
  // Probes with very different scales per input dimension: G = X'X'ᵀ far from ∝ I.
  const x = gaussianMatrix(ni, p, rng);
  for (let i = 0; i < ni; i++) for (let q = 0; q < p; q++) x.set(i, q, x.get(i, q) * (1 + 2 * i));
  return { a, b, x };
}

/** X' (Ni×P', P' ≥ Ni) with X'X'ᵀ = P'·I: sqrt(P') times Ni rows of a random orthogonal matrix. */
function whitenedProbes(ni: number, p: number, seed: number): Matrix {
  const o = randomOrthogonal(p, createRng(seed));
  return o.subMatrix(0, ni - 1, 0, p - 1).mul(Math.sqrt(p));
}

describe('kernelDistance equals the distance of explicit kernels', () => {
  let worst = 0;
  afterAll(() => console.log(`kernelDistance vs explicit NTK matrices: worst |Δd| ${worst.toExponential(2)}`));

  it(`random networks and non-whitened probes (fast-check seed ${SEED}): vs ntk() and vs J Jᵀ, to 1e-12`, () => {
    fc.assert(
      fc.property(shapes, ({ ni, nh, nh2, no, p, seed }) => {
        const { a, b, x } = randomPair(ni, nh, nh2, no, p, seed);
        const d = kernelDistance(a, b, { inputs: x });
        const viaNtk = explicitKernelDistance(ntk(a, x), ntk(b, x));
        const viaJacobian = explicitKernelDistance(jacobianNtk(a.w1, a.w2, x), jacobianNtk(b.w1, b.w2, x));
        worst = Math.max(worst, Math.abs(d - viaNtk), Math.abs(d - viaJacobian));
        expect(Math.abs(d - viaNtk)).toBeLessThan(1e-12);
        expect(Math.abs(d - viaJacobian)).toBeLessThan(1e-12);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        // { gram: X'X'ᵀ } is the same thing.
        expect(Math.abs(kernelDistance(a, b, { gram: x.mmul(x.transpose()) }) - d)).toBeLessThan(1e-13);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('mixes a Snapshot with weights: the Snapshot counts as its own weights', () => {
    const rng = createRng(3);
    const sigmaYX = gaussianMatrix(2, 3, rng);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.4, scale: 0.3, seed: 4 });
    const snap = exactDynamics({ w1, w2, sigmaYX }).at(2);
    const other = { w1: gaussianMatrix(5, 3, rng), w2: gaussianMatrix(2, 5, rng) };
    const x = gaussianMatrix(3, 4, rng);
    const d = kernelDistance(snap, other, { inputs: x });
    const want = explicitKernelDistance(jacobianNtk(snap.weights.w1, snap.weights.w2, x), jacobianNtk(other.w1, other.w2, x));
    worst = Math.max(worst, Math.abs(d - want));
    expect(Math.abs(d - want)).toBeLessThan(1e-12);
    expect(kernelDistance(other, snap, { inputs: x })).toBe(d);
  });

  it('no inputs = whitened probes (X′X′ᵀ = P′·I), for several P′', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 0, max: 4 }), ({ ni, nh, nh2, no, seed }, extra) => {
        const { a, b } = randomPair(ni, nh, nh2, no, 1, seed);
        const x = whitenedProbes(ni, ni + extra, seed + 1);
        const d = kernelDistance(a, b);
        expect(Math.abs(d - kernelDistance(a, b, { inputs: x }))).toBeLessThan(1e-13);
        expect(Math.abs(d - explicitKernelDistance(ntk(a, x), ntk(b, x)))).toBeLessThan(1e-12);
      }),
      { seed: SEED + 1, numRuns: 40 },
    );
  });
});

describe('kernelDistance identities', () => {
  it('is unchanged by G → cG for Gram matrices of any size (entries near 1e308 overflowed tr G: "the NTK is zero")', () => {
    const a = { w1: [[1, 0, 0]], w2: [[1], [1]] };
    const b = { w1: [[1, 2, 0.5]], w2: [[1], [3]] };
    // Probes X′ and G = X′X′ᵀ; the reference is the distance of the explicit NTKs on X′.
    const x = new Matrix([[1, 0.5, -0.3, 2], [0.2, -1, 0.4, 0.1], [0.7, 0.3, 1.5, -0.6]]);
    const g = x.mmul(x.transpose()).to2DArray();
    const want = explicitKernelDistance(jacobianNtk(new Matrix(a.w1), new Matrix(a.w2), x), jacobianNtk(new Matrix(b.w1), new Matrix(b.w2), x));
    expect(Math.abs(kernelDistance(a, b, { gram: g }) - want)).toBeLessThan(1e-14);
    const largest = Math.max(...g.flat().map(Math.abs));
    for (const c of [1e307, 1.5e308 / largest, 1e-300, 1e-306]) { // (subnormal entries would themselves have lost digits)
      const scaled = g.map((row) => row.map((v) => v * c));
      expect(Math.abs(kernelDistance(a, b, { gram: scaled }) - want), `c = ${c}`).toBeLessThan(1e-15);
    }
  });

  const { a, b, x } = randomPair(3, 2, 3, 4, 5, 17);

  it('d(a, a) = 0 exactly, and 0 for proportional kernels (weights scaled by c: K → c²K)', () => {
    expect(kernelDistance(a, a, { inputs: x })).toBe(0);
    const scaled = { w1: a.w1.clone().mul(3), w2: a.w2.clone().mul(3) };
    expect(kernelDistance(a, scaled, { inputs: x })).toBeLessThanOrEqual(1e-15);
  });

  it('is symmetric: d(a, b) = d(b, a)', () => {
    expect(Math.abs(kernelDistance(a, b, { inputs: x }) - kernelDistance(b, a, { inputs: x }))).toBeLessThanOrEqual(1e-16);
  });

  it('is invariant under X′ → cX′ (to 1e-14 absolute, for c from 1e-150 to 1e150)', () => {
    const d = kernelDistance(a, b, { inputs: x });
    for (const c of [1e-150, 1e-3, 7, 1e5, 1e150]) {
      expect(Math.abs(kernelDistance(a, b, { inputs: x.clone().mul(c) }) - d)).toBeLessThan(1e-14);
    }
  });

  it('is invariant under rotations of the hidden layer (W1 → OW1, W2 → W2Oᵀ)', () => {
    const o = randomOrthogonal(2, createRng(5));
    const rotated = { w1: o.mmul(a.w1), w2: a.w2.mmul(o.transpose()) };
    expect(kernelDistance(a, rotated, { inputs: x })).toBeLessThan(1e-15);
    expect(Math.abs(kernelDistance(rotated, b, { inputs: x }) - kernelDistance(a, b, { inputs: x }))).toBeLessThan(1e-14);
  });

  it('keeps its relative accuracy for tiny distances: d ∝ δ² down to δ = 1e-9 (no 1 − cos cancellation)', () => {
    const direction = { w1: gaussianMatrix(2, 3, createRng(8)), w2: gaussianMatrix(4, 2, createRng(9)) };
    const at = (delta: number) =>
      kernelDistance(a, { w1: a.w1.clone().add(direction.w1.clone().mul(delta)), w2: a.w2.clone().add(direction.w2.clone().mul(delta)) }, { inputs: x });
    const d5 = at(1e-5);
    expect(d5).toBeGreaterThan(0);
    for (const delta of [1e-6, 1e-7, 1e-8, 1e-9]) {
      // d(δ) = c·δ² + O(δ³): the ratio to the δ = 1e-5 value is (δ/1e-5)² to ~1e-4 relative.
      const ratio = at(delta) / d5 / (delta / 1e-5) ** 2;
      expect(Math.abs(ratio - 1)).toBeLessThan(1e-3);
    }
  });
});

describe('kernelDistanceTrajectory', () => {
  const rng = createRng(21);
  const sigmaYX = gaussianMatrix(3, 4, rng);
  const x = gaussianMatrix(4, 6, rng);
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: -0.5, scale: 0.2, seed: 22 });
  const dyn = exactDynamics({ w1, w2, sigmaYX });
  const times = [3, 0, 0.5, 1, 8];

  it('from ExactDynamics: d(K(0), K(t)) for each t, in the order given; the reference is at(0) even if 0 is not requested', () => {
    // The trajectory works in the task's singular basis (every term is a trace, so the
    // change of basis changes only rounding): agreement with the pairwise kernelDistance,
    // which works in the original coordinates, to 1e-12 relative (d is formed from
    // differences, so its rounding is relative to d itself).
    const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * b + 1e-16);
    const r = kernelDistanceTrajectory(dyn, times, { inputs: x });
    expect(r.times).toEqual(times);
    times.forEach((t, k) => close(r.distance[k], kernelDistance(dyn.at(0), dyn.at(t), { inputs: x })));
    expect(r.distance[1]).toBe(0);
    const without0 = kernelDistanceTrajectory(dyn, [1, 8], { inputs: x });
    expect(without0.distance).toEqual([r.distance[3], r.distance[4]]);
    // Default probes: whitened; a Gram matrix instead of the inputs gives the same numbers.
    close(kernelDistanceTrajectory(dyn, [8]).distance[0], kernelDistance(dyn.at(0), dyn.at(8)));
    const gram = x.mmul(x.transpose());
    close(kernelDistanceTrajectory(dyn, [8], { gram }).distance[0], r.distance[4]);
  });

  it('along exact dynamics equals the pairwise distance for random networks, probes and widths (fast-check)', () => {
    // Same tolerance as above; configurations from the core property tests (bottlenecks,
    // λ = 0, |λ| up to 1e3, rank-deficient tasks), probes random or absent.
    fc.assert(
      fc.property(configParams, fc.integer({ min: 0, max: 3 }), (p, probeCount) => {
        const c = buildConfig(p);
        const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
        const options = probeCount === 0 ? {} : { inputs: gaussianMatrix(c.ni, 2 * probeCount, createRng(p.seed + 5)) };
        const ts = [0.3, 2, 30];
        let r: number[];
        try {
          r = kernelDistanceTrajectory(dyn, ts, options).distance;
        } catch (e) {
          // A kernel that vanishes on these probes is rejected by both.
          expect(() => ts.forEach((t) => kernelDistance(dyn.at(0), dyn.at(t), options))).toThrow(InvalidArgumentError);
          expect(e).toBeInstanceOf(InvalidArgumentError);
          return;
        }
        ts.forEach((t, k) => {
          const d = kernelDistance(dyn.at(0), dyn.at(t), options);
          expect(Math.abs(r[k] - d)).toBeLessThanOrEqual(1e-10 * d + 1e-15);
        });
      }),
      { numRuns: 120, seed: 515 },
    );
  });

  it("from Snapshots the caller has (kernelDistanceOfSnapshots, the CLI's and the pool's route): the same distances bit for bit (fast-check)", () => {
    fc.assert(
      fc.property(
        configParams,
        fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: 0, maxLength: 6 }),
        fc.constantFrom('whitened', 'inputs', 'gram'),
        (p, extra, probes) => {
          const c = buildConfig(p);
          const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
          const times = [0, ...extra, 3, 0];
          const x = gaussianMatrix(c.ni, c.ni + 2, createRng(p.seed + 7));
          const options = probes === 'inputs' ? { inputs: x } : probes === 'gram' ? { gram: x.mmul(x.transpose()) } : {};
          const snaps = dyn.trajectory(times);
          const asked: number[] = [];
          const snapshotAt = (t: number, k: number) => {
            asked.push(k);
            return snaps[k];
          };
          let expected: number[];
          try {
            expected = kernelDistanceTrajectory(dyn, times, options).distance;
          } catch (e) {
            // A zero kernel (all-zero weights) is an error on both routes.
            expect(() => kernelDistanceOfSnapshots(dyn, times, snapshotAt, options)).toThrow((e as Error).message);
            return;
          }
          const got = kernelDistanceOfSnapshots(dyn, times, snapshotAt, options).distance;
          expect(got.length).toBe(times.length);
          got.forEach((d, k) => expect(Object.is(d, expected[k]), `t = ${times[k]}: ${d} vs ${expected[k]}`).toBe(true));
          // Asked for in time order, once per time except t = 0 (the reference's own).
          expect(asked).toEqual(times.flatMap((t, k) => (t === 0 ? [] : [k])));
        },
      ),
      { numRuns: 80, seed: 20261129 },
    );
    // Snapshots of other dynamics (here: another τ), or at other times, are refused.
    const other = exactDynamics({ w1, w2, sigmaYX, tau: 2 });
    expect(() => kernelDistanceOfSnapshots(dyn, [1], () => other.at(1))).toThrow(ExactDlnError);
    expect(() => kernelDistanceOfSnapshots(dyn, [1], () => dyn.at(2))).toThrow(ExactDlnError);
  });

  it('probe inputs of any size give the same distance (the geometry is normalised by tr G): X′·1e-200 … X′·1e200', () => {
    // G = X′X′ᵀ underflowed or overflowed for probes beyond about 1e±154 ("`inputs` is
    // zero", or "the NTK of `a` ... is zero"); they are now scaled by a power of two first.
    // Same numbers up to rounding: 1e-15 on d ∈ [0, 1].
    const x = gaussianMatrix(4, 7, createRng(31));
    const reference = kernelDistance(dyn.at(0), dyn.at(8), { inputs: x });
    const along = kernelDistanceTrajectory(dyn, [8], { inputs: x }).distance[0];
    for (const c of [1e-200, 1e-150, 1e150, 1e200]) {
      const scaled = x.clone().mul(c);
      expect(Math.abs(kernelDistance(dyn.at(0), dyn.at(8), { inputs: scaled }) - reference), `X′·${c}`).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(kernelDistanceTrajectory(dyn, [8], { inputs: scaled }).distance[0] - along), `X′·${c}, trajectory`).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(kernelDistance({ w1, w2 }, dyn.at(8).weights, { inputs: scaled }) - kernelDistance({ w1, w2 }, dyn.at(8).weights, { inputs: x })), `X′·${c}, weights`).toBeLessThanOrEqual(1e-15);
    }
  });

  it('default (whitened) probes take a product-free path that agrees with an explicit identity Gram matrix', () => {
    const eye = Matrix.eye(4).mul(3); // any multiple of I: the distance is scale-free in G
    for (const t of [0.5, 2, 8]) {
      const fast = kernelDistance(dyn.at(0), dyn.at(t));
      const general = kernelDistance(dyn.at(0), dyn.at(t), { gram: eye });
      expect(Math.abs(fast - general)).toBeLessThanOrEqual(1e-12 * general);
      expect(fast).toBeGreaterThan(0);
    }
    const tr = kernelDistanceTrajectory(dyn, [0.5, 2, 8]).distance;
    const trGeneral = kernelDistanceTrajectory(dyn, [0.5, 2, 8], { gram: eye }).distance;
    tr.forEach((d, k) => expect(Math.abs(d - trGeneral[k])).toBeLessThanOrEqual(1e-12 * trGeneral[k]));
  });

  it('whitened probes along a trajectory keep full precision for tiny and huge weights (sums rescaled by a power of two)', () => {
    // K(A, R) is linear in (A, R), so scaling every state's weights by c (A, R by c²) leaves
    // each cosine, hence d, unchanged. At c = 1e±75 the sums ‖A‖², ‖R‖² (≈ c⁴ = 1e±300)
    // leave [2⁻⁹⁰⁰, 2⁹⁰⁰]; at c = 1e±150 they under- or overflow outright. The norm is then
    // formed from entries rescaled by a power of two: the distances must agree with the
    // unscaled ones to rounding (1e-13 relative), and with the general route of an explicit
    // identity Gram matrix.
    const times = [0.2, 1, 4, 8];
    const snaps = times.map((t) => dyn.at(t).weights);
    const runAt = (c: number) => ({ times, w1: snaps.map((w) => w.w1.clone().mul(c)), w2: snaps.map((w) => w.w2.clone().mul(c)) });
    const base = kernelDistanceTrajectory(runAt(1)).distance;
    expect(base[0]).toBe(0);
    for (const c of [1e-75, 1e75, 1e-150, 1e150]) {
      const run = runAt(c);
      const scaled = kernelDistanceTrajectory(run).distance;
      const general = kernelDistanceTrajectory(run, { gram: Matrix.eye(4) }).distance;
      expect(scaled[0], `c = ${c}`).toBe(0);
      scaled.forEach((d, k) => {
        expect(Math.abs(d - base[k]), `c = ${c}, t = ${times[k]}`).toBeLessThanOrEqual(1e-13 * base[k]);
        expect(Math.abs(d - general[k]), `c = ${c}, t = ${times[k]} (general route)`).toBeLessThanOrEqual(1e-12 * base[k]);
        // The pair of states on its own, both routes (the squares of A's entries, ≈ c⁸, under-
        // or overflow at c = 1e±150: the scale then comes from the largest entry).
        const a = { w1: run.w1[0], w2: run.w2[0] };
        const b = { w1: run.w1[k], w2: run.w2[k] };
        expect(Math.abs(kernelDistance(a, b) - base[k]), `pair, c = ${c}`).toBeLessThanOrEqual(1e-13 * base[k]);
        expect(Math.abs(kernelDistance(a, b, { gram: Matrix.eye(4) }) - base[k]), `pair, general, c = ${c}`).toBeLessThanOrEqual(1e-12 * base[k]);
      });
    }
  });

  it('from a recorded run: its own times, index 0 as the reference', () => {
    const snaps = [0.2, 1, 4].map((t) => dyn.at(t).weights);
    const run = { times: [0.2, 1, 4], w1: snaps.map((s) => s.w1), w2: snaps.map((s) => s.w2) };
    const r = kernelDistanceTrajectory(run, { inputs: x });
    expect(r.times).toEqual([0.2, 1, 4]);
    expect(r.distance[0]).toBe(0);
    expect(Math.abs(r.distance[2] - kernelDistance(dyn.at(0.2), dyn.at(4), { inputs: x }))).toBeLessThan(1e-14);
    // A redundant times argument is accepted only when it equals run.times.
    expect(kernelDistanceTrajectory(run, [0.2, 1, 4], { inputs: x })).toEqual(r);
    expect(() => kernelDistanceTrajectory(run as never, [0, 1, 4] as never)).toThrow(InvalidArgumentError);
    expect(kernelDistanceTrajectory(run)).toEqual(kernelDistanceTrajectory(run, {}));
  });

  it('rich vs lazy: from a small initialisation the kernel moves O(1) at λ = 0 and barely at |λ| = 100', () => {
    const task = gaussianMatrix(3, 3, createRng(30));
    const finalDistance = (lambda: number) => {
      const init = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 1e-3, seed: 31 });
      return kernelDistanceTrajectory(exactDynamics({ ...init, sigmaYX: task }), [50]).distance[0];
    };
    const d = [0, 1, 10, 100].map(finalDistance);
    expect(d[0]).toBeGreaterThan(0.1);
    expect(d[3]).toBeLessThan(1e-3);
    for (let k = 1; k < d.length; k++) expect(d[k]).toBeLessThan(d[k - 1]);
  });
});

describe('kernelDistance bad input', () => {
  const a = { w1: [[1, 0], [0, 1]], w2: [[1, 1]] };
  it('zero kernels: the distance is undefined', () => {
    const zero = { w1: [[0, 0], [0, 0]], w2: [[0, 0]] };
    expect(() => kernelDistance(zero, zero)).toThrow(InvalidArgumentError);
    expect(() => kernelDistance(a, zero)).toThrow(/`b`.*undefined/);
    expect(() => kernelDistance(a, a, { inputs: [[0, 0], [0, 0]] })).toThrow(/`inputs` is zero/);
  });
  it('different input or output widths are a ShapeError naming b; different hidden widths are fine', () => {
    expect(() => kernelDistance(a, { w1: [[1, 0, 0]], w2: [[1]] })).toThrow(ShapeError);
    expect(() => kernelDistance(a, { w1: [[1, 0]], w2: [[1], [2]] })).toThrow(/`b` must have the same input and output widths/);
    expect(kernelDistance(a, { w1: [[1, 0]], w2: [[1]] })).toBeGreaterThan(0);
  });
  it('gram must be Ni×Ni, symmetric and PSD; inputs and gram together are refused', () => {
    expect(() => kernelDistance(a, a, { gram: [[1, 0]] })).toThrow(ShapeError);
    expect(() => kernelDistance(a, a, { gram: [[1, 0.5], [0, 1]] })).toThrow(/symmetric/);
    expect(() => kernelDistance(a, a, { gram: [[1, 2], [2, 1]] })).toThrow(/positive semi-definite/);
    expect(() => kernelDistance(a, a, { gram: [[1, 0], [0, 1]], inputs: [[1], [1]] })).toThrow(/not both/);
  });
  it('gram: PSD is decided to a relative tolerance of 1e-12 of the largest eigenvalue (singular Gram matrices pass)', () => {
    // G = O·diag(μ)·Oᵀ with a chosen smallest eigenvalue μ_min (largest 1).
    const rng = createRng(41);
    const o = randomOrthogonal(5, rng);
    const gramWith = (smallest: number): Matrix => o.mmul(Matrix.diag([1, 0.5, 0.2, 0.1, smallest])).mmul(o.transpose());
    const net = { w1: gaussianMatrix(3, 5, rng), w2: gaussianMatrix(2, 3, rng) };
    const other = { w1: gaussianMatrix(3, 5, rng), w2: gaussianMatrix(2, 3, rng) };
    for (const smallest of [0.05, 1e-9, 0, -1e-14]) {
      expect(kernelDistance(net, other, { gram: gramWith(smallest) }), `μ_min = ${smallest}`).toBeGreaterThan(0);
    }
    expectTypedError(() => kernelDistance(net, other, { gram: gramWith(-1e-9) }), InvalidArgumentError, 'positive semi-definite', 'smallest eigenvalue');
    // Fewer probes than inputs: X′X′ᵀ is singular, and gives the same distance as the inputs.
    const x = gaussianMatrix(5, 2, rng);
    const viaGram = kernelDistance(net, other, { gram: x.mmul(x.transpose()) });
    expect(Math.abs(viaGram - kernelDistance(net, other, { inputs: x }))).toBeLessThan(1e-13);
  });
});
