/**
 * Restarting the exact dynamics from a state P = QQᵀ (exactDynamicsFromQQt, MATH.md §7):
 *  - the pivoted Cholesky factor behind it (src/linalg/low-rank-factor.ts) against exact
 *    low-rank matrices, and its refusals;
 *  - restarts continue the original trajectory on 200 random configurations (both kernel
 *    back ends), by the semigroup property P(t1 + s) = flow_s(P(t1));
 *  - P is accepted exactly when its eigenvalues say so, whichever path decides;
 *  - the input is not modified.
 */
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics, exactDynamicsFromQQt } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { pivotedCholeskyFactor } from '../../src/linalg/low-rank-factor.js';
import { fromArray, gramOfRows, toArray } from '../../src/linalg/dense.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { InvalidArgumentError, NotBalancedError } from '../../src/errors.js';
import { assertBalanced, balanceOf, balanceOfFactor } from '../../src/core/balance.js';
import { thrown } from '../helpers/errors.js';
import { KERNEL_BACKENDS, useKernelBackend } from '../helpers/backends.js';
import { buildConfig, characteristicRate, configParams, makeSigmaYX, type ConfigParams } from '../helpers/configs.js';
import { relErr } from '../helpers/oracles.js';

/** P = Q·diag(scales)²·Qᵀ for a random n×r Q with orthonormal columns (exact rank r). */
function lowRank(n: number, scales: number[], seed: number): Float64Array {
  const rng = createRng(seed);
  const u = randomOrthogonal(n, rng);
  const r = scales.length;
  const q = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) q[i * r + j] = u.get(i, j) * scales[j];
  return gramOfRows(q, n, r);
}

describe('pivotedCholeskyFactor', () => {
  // Tolerance: the pivoted factor of an exactly rank-r P reproduces it to a few n·ε
  // relative (Higham's bound for diagonal pivoting, with pivot growth O(1) on random
  // matrices; worst measured 5e-16 at n ≤ 30), so 1e-14 = 45·ε.
  it('reproduces exact rank-r matrices and finds r (100 random cases, scales over 6 decades)', () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (n, rRaw, extra, seed) => {
          const r = Math.min(rRaw, n);
          const rng = createRng(seed + 7);
          const scales = Array.from({ length: r }, () => 10 ** (-3 * rng.uniform()));
          const p = lowRank(n, scales, seed);
          const before = p.slice();
          const f = pivotedCholeskyFactor(p, n, r + extra, 1e-10);
          expect(f).toBeDefined();
          expect(p).toEqual(before);
          expect(f!.rank).toBe(r);
          const back = gramOfRows(f!.q, n, r + extra);
          let diff = 0;
          let norm = 0;
          for (let i = 0; i < n * n; i++) {
            diff += (back[i] - p[i]) ** 2;
            norm += p[i] ** 2;
          }
          const rel = r === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
          worst = Math.max(worst, rel);
          expect(rel).toBeLessThan(1e-14);
          // The reported residual is the one measured here.
          expect(Math.abs(f!.residual - Math.sqrt(diff))).toBeLessThanOrEqual(1e-12 * Math.sqrt(norm) + 1e-300);
        },
      ),
      { numRuns: 100, seed: 61 },
    );
    expect(worst).toBeGreaterThan(0); // the comparison measured something
  });

  it('declines matrices it cannot certify: rank above k, indefinite, negative diagonal', () => {
    const eye = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(pivotedCholeskyFactor(eye, 3, 2, 1e-10)).toBeUndefined();
    expect(pivotedCholeskyFactor(eye, 3, 3, 1e-10)?.rank).toBe(3);
    // Zero diagonal, non-zero off-diagonal: eigenvalues ±1.
    expect(pivotedCholeskyFactor(new Float64Array([0, 1, 1, 0]), 2, 2, 1e-10)).toBeUndefined();
    // PSD rank 1 plus a negative direction the pivots never reach.
    const p = lowRank(4, [1], 3);
    const v = lowRank(4, [0.01], 4);
    const indefinite = p.map((x, i) => x - v[i]);
    expect(pivotedCholeskyFactor(indefinite, 4, 1, 1e-10)).toBeUndefined();
    expect(pivotedCholeskyFactor(new Float64Array([-1]), 1, 1, 1e-10)).toBeUndefined();
  });

  it('decides the same at any scale: 1e-200·I (rank 3) is refused for k = 2, 1e±200 times an exact rank-2 matrix is factored', () => {
    // Squared residuals of size 1e-400 would underflow to 0 and certify anything.
    const tiny = new Float64Array([1e-200, 0, 0, 0, 1e-200, 0, 0, 0, 1e-200]);
    expect(pivotedCholeskyFactor(tiny, 3, 2, 1e-10)).toBeUndefined();
    expect(pivotedCholeskyFactor(new Float64Array([0, 1e-200, 1e-200, 0]), 2, 2, 1e-10)).toBeUndefined();
    const base = lowRank(5, [1, 0.3], 5);
    for (const scale of [1e-200, 1e200]) {
      const f = pivotedCholeskyFactor(base.map((x) => x * scale), 5, 2, 1e-10);
      expect(f?.rank).toBe(2);
      expect(f!.residual / scale).toBeLessThan(1e-15);
    }
  });

  it('factors the zero matrix as zero (rank 0)', () => {
    const f = pivotedCholeskyFactor(new Float64Array(9), 3, 2, 1e-10)!;
    expect(f.rank).toBe(0);
    expect(f.residual).toBe(0);
    expect(f.smallestPivot).toBe(Infinity);
    expect(Array.from(f.q)).toEqual([0, 0, 0, 0, 0, 0]);
    // P = vvᵀ, v = (1, 2, 2): one pivot, the largest diagonal entry 4.
    const one = pivotedCholeskyFactor(new Float64Array([1, 2, 2, 2, 4, 4, 2, 4, 4]), 3, 2, 1e-12)!;
    expect(one.rank).toBe(1);
    expect(one.smallestPivot).toBe(4);
  });
});

describe.each(KERNEL_BACKENDS)('%s', (_label, backend) => {
  useKernelBackend(backend);

  // λ read off P: tolerance and measured value below. P(t1 + s): tolerance 1e-12 relative
  // (Frobenius, whole P): this compares the closed form with
  // itself, so only rounding separates the two: P(t1) carries a few ε relative, both
  // evaluations of P(t1 + s) add their own (≲ 1e-14 against each other elsewhere), and the
  // flow over s ≤ 3/rate amplifies the initial rounding by O(1). Worst measured 3.7e-15.
  it('a restart from P(t1) continues the trajectory: P(t1 + s) and the limit, 200 random configurations', () => {
    let worst = 0;
    let worstLimit = 0;
    let worstLambda = 0;
    fc.assert(
      fc.property(configParams, (params: ConfigParams) => {
        const c = buildConfig(params);
        const rate = characteristicRate(c);
        const t1 = 0.3 / rate;
        const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
        const state = dyn.at(t1).qqt;
        const restarted = exactDynamicsFromQQt({ qqt: state, inputDim: c.ni, hiddenDim: c.nh, lambda: dyn.lambda, sigmaYX: c.sigmaYX });
        // λ read off P (no lambda given) is the weights' λ, conserved up to t1.
        const inferred = exactDynamicsFromQQt({ qqt: state, inputDim: c.ni, hiddenDim: c.nh, sigmaYX: c.sigmaYX }).lambda;
        const scale = Math.abs(dyn.lambda) + state.trace() / c.nh;
        worstLambda = Math.max(worstLambda, Math.abs(inferred - dyn.lambda) / scale);
        for (const s of [0, 0.5 / rate, 3 / rate]) {
          const want = dyn.at(t1 + s).qqt;
          const err = relErr(restarted.at(s).qqt, want, 1e-300);
          worst = Math.max(worst, err);
          expect(err).toBeLessThan(1e-12);
          expect(Math.abs(restarted.at(s).loss - dyn.at(t1 + s).loss)).toBeLessThanOrEqual(1e-12 * (dyn.at(0).loss + 1e-300));
        }
        const limit = relErr(restarted.converged().qqt, dyn.converged().qqt, 1e-300);
        worstLimit = Math.max(worstLimit, limit);
        expect(limit).toBeLessThan(1e-12);
      }),
      { numRuns: 200, seed: 62 },
    );
    expect(worst).toBeLessThan(1e-12);
    expect(worstLimit).toBeLessThan(1e-12);
    // λ̂ = tr(QᵀJQ)/Nh sums products of entries of size ≤ ‖P‖: rounding of a few ε relative
    // to |λ| + tr(P)/Nh (worst measured 2.1e-15).
    expect(worstLambda).toBeLessThan(1e-13);
  });
});

describe('exactDynamicsFromQQt: acceptance and the fallback', () => {
  const ni = 6;
  const no = 4;
  const nh = 3;
  const n = ni + no;
  const sigmaYX = makeSigmaYX(no, ni, 'generic', 71);
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: 0.3, scale: 0.5, seed: 72 });
  const dyn = exactDynamics({ w1, w2, sigmaYX });
  const p0 = toArray(dyn.at(0.7).qqt);
  const evd = new EigenvalueDecomposition(fromArray(p0, n, n), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  /** λ_max(P): the scale of the eigenvalue conditions. */
  const top = values[order[n - 1]];
  /** An orthonormal basis of the complement of P's range: its n − nh eigenvectors of eigenvalue ≈ 0. */
  const complement = new Matrix(n, n - nh);
  for (let j = 0; j < n - nh; j++) for (let i = 0; i < n; i++) complement.set(i, j, evd.eigenvectorMatrix.get(i, order[j]));
  /** P plus Σ_j e_j·c_j·c_jᵀ along the complement. */
  const perturbed = (e: number[]): Matrix => {
    const out = fromArray(p0, n, n);
    for (let j = 0; j < e.length; j++) {
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) out.set(a, b, out.get(a, b) + e[j] * complement.get(a, j) * complement.get(b, j));
      }
    }
    return out;
  };
  const restart = (qqt: Matrix) => exactDynamicsFromQQt({ qqt, inputDim: ni, hiddenDim: nh, lambda: dyn.lambda, sigmaYX });

  it('accepts P + E with E along the complement within 1e-10 of P\'s scale even when the pivoted factor cannot certify it', () => {
    // ‖E‖_F = 5e-11·top·√7 > 1e-10·top ≥ 1e-10·max_i P_ii: the pivoted factor's certificate
    // fails; the eigendecomposition accepts (every complement eigenvalue is 5e-11·top)
    // and truncates E away, so the dynamics are those of P itself.
    const e = new Array(n - nh).fill(5e-11 * top);
    const qqt = perturbed(e);
    const sym = toArray(qqt.add(qqt.transpose()).div(2));
    expect(pivotedCholeskyFactor(sym, n, nh, 1e-10)).toBeUndefined();
    const r = restart(qqt);
    for (const s of [0, 1, 5]) expect(relErr(r.at(s).qqt, dyn.at(0.7 + s).qqt)).toBeLessThan(1e-9);
  });

  it('rejects a complement eigenvalue of 3e-10·top (rank) or −3e-10·top (definiteness), accepts ±0.3e-10·top', () => {
    expect(() => restart(perturbed([3e-10 * top]))).toThrow(InvalidArgumentError);
    expect(() => restart(perturbed([3e-10 * top]))).toThrow(/rank ≤ hiddenDim = 3/);
    expect(() => restart(perturbed([-3e-10 * top]))).toThrow(/positive semi-definite/);
    for (const e of [0.3e-10 * top, -0.3e-10 * top]) {
      const r = restart(perturbed([e]));
      expect(relErr(r.at(2).qqt, dyn.at(2.7).qqt)).toBeLessThan(1e-9);
    }
  });

  it('refuses a missing or non-object options argument with a typed error', () => {
    for (const bad of [undefined, null, 3, 'qqt']) {
      const e = thrown(() => exactDynamicsFromQQt(bad as never));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toMatch(/expects an options object/);
    }
    // A missing field is named as missing (it read "Value: undefined undefined.").
    const missing = thrown(() => exactDynamicsFromQQt({ qqt: fromArray(p0, n, n), hiddenDim: nh, sigmaYX } as never));
    expect(missing.message).toBe('invalid argument. `inputDim` must be a number. Value: undefined (missing).');
  });

  it('refuses a state below the normal range (weights below ≈ 1e-146), whose entries lose digits', () => {
    const tiny = fromArray(p0, n, n).mul(2 ** -1000);
    const e = thrown(() => restart(tiny));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/too small for double precision.*Restart from the weights instead/);
  });

  it('refuses an asymmetric P (it was averaged silently, or refused for a rank it does not have); accepts P with a product’s rounding', () => {
    const skewed = fromArray(p0, n, n);
    skewed.set(0, 1, skewed.get(0, 1) + 0.3 * skewed.get(0, 0));
    skewed.set(1, 0, skewed.get(1, 0) - 0.3 * skewed.get(0, 0));
    const e = thrown(() => restart(skewed));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/`qqt` must be symmetric \(a state P = QQᵀ\): max \|P_ij − P_ji\| = .* is more than 1e-10 × its largest diagonal entry/);
    const oneSided = fromArray(p0, n, n);
    oneSided.set(2, 0, oneSided.get(2, 0) + 1e-3 * oneSided.get(0, 0));
    expect(thrown(() => restart(oneSided)).message).toMatch(/must be symmetric/); // it blamed "eigenvalue number 3"
    // QQᵀ from a plain product is symmetric only up to rounding: accepted.
    const rounded = fromArray(p0, n, n);
    rounded.set(0, 1, rounded.get(0, 1) * (1 + 4 * Number.EPSILON));
    expect(restart(rounded).at(0).qqt.get(0, 0)).toBeCloseTo(p0[0], 12);
  });

  it('does not modify its input (Matrix or number[][])', () => {
    const m = fromArray(p0, n, n);
    const arrays = m.to2DArray();
    const before = JSON.stringify(arrays);
    restart(m);
    exactDynamicsFromQQt({ qqt: arrays, inputDim: ni, hiddenDim: nh, lambda: dyn.lambda, sigmaYX });
    expect(JSON.stringify(m.to2DArray())).toBe(before);
    expect(JSON.stringify(arrays)).toBe(before);
  });

  it('a state of lower rank than hiddenDim (λ = 0, two of four hidden units silent) continues the trajectory', () => {
    const s = makeSigmaYX(3, 3, 'generic', 74);
    const small = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 3, lambda: 0, scale: 0.3, seed: 75 });
    const d = exactDynamics({ w1: small.w1, w2: small.w2, sigmaYX: s });
    const r = exactDynamicsFromQQt({ qqt: d.at(1).qqt, inputDim: 3, hiddenDim: 4, lambda: 0, sigmaYX: s });
    for (const t of [0.5, 3, 20]) expect(relErr(r.at(t).qqt, d.at(1 + t).qqt)).toBeLessThan(1e-10);
  });
});

describe('exactDynamicsFromQQt: P must be the state of λ-balanced weights', () => {
  const sigmaYX = makeSigmaYX(3, 4, 'generic', 81);
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 0.8, scale: 0.4, seed: 82 });
  const dyn = exactDynamics({ w1, w2, sigmaYX });
  const state = dyn.at(1.2).qqt;

  it('balanceOfFactor measures the same λ and residual as balanceOf, for any factor of P', () => {
    const q = new Float64Array(7 * 3);
    const rot = randomOrthogonal(3, createRng(83));
    const w1t = w1.transpose().mmul(rot); // Q·O: another factor of the same P
    const w2r = w2.mmul(rot);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) q[i * 3 + j] = w1t.get(i, j);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) q[(4 + i) * 3 + j] = w2r.get(i, j);
    const direct = balanceOf(w1, w2);
    const viaFactor = balanceOfFactor(q, 4, 3, 3);
    expect(Math.abs(viaFactor.lambda - direct.lambda)).toBeLessThan(1e-14);
    expect(viaFactor.residualAt(viaFactor.lambda)).toBeLessThan(1e-14);
    // Against another λ: ‖(λ̂ − λ)I‖_F / (‖B‖_F + 1) = |λ̂ − λ|·√3 / (|λ̂|·√3 + 1).
    const expected = (0.3 * Math.sqrt(3)) / (Math.abs(direct.lambda) * Math.sqrt(3) + 1);
    expect(viaFactor.residualAt(direct.lambda + 0.3)).toBeCloseTo(expected, 12);
  });

  it('refuses a lambda that does not fit P, naming P\'s λ (InvalidArgumentError on lambda)', () => {
    const e = thrown(() => exactDynamicsFromQQt({ qqt: state, inputDim: 4, hiddenDim: 3, lambda: 0.5, sigmaYX }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.argument).toBe('lambda');
    const named = Number(/with λ = (\S+) \(/.exec(e.message)?.[1]);
    expect(Math.abs(named - dyn.lambda)).toBeLessThan(1e-13);
    expect(e.message).toMatch(/omit `lambda`/);
    // The right λ (the weights') is accepted, and used.
    expect(exactDynamicsFromQQt({ qqt: state, inputDim: 4, hiddenDim: 3, lambda: dyn.lambda, sigmaYX }).lambda).toBe(dyn.lambda);
  });

  it('refuses a P that no balanced weights have (NotBalancedError on qqt, with λ̂ and the residual)', () => {
    // Stretch the input block: W1ᵀ → 1.5·W1ᵀ breaks W2ᵀW2 − W1W1ᵀ = λI.
    const q = w1.transpose().mul(1.5);
    const stacked = new Matrix(7, 3);
    stacked.setSubMatrix(q, 0, 0);
    stacked.setSubMatrix(w2, 4, 0);
    const p = stacked.mmul(stacked.transpose());
    const e = thrown(() => exactDynamicsFromQQt({ qqt: p, inputDim: 4, hiddenDim: 3, sigmaYX }));
    expect(e).toBeInstanceOf(NotBalancedError);
    expect(e.argument).toBe('qqt');
    const err = e as NotBalancedError;
    const b = balanceOf(q.transpose(), w2);
    expect(err.lambda).toBeCloseTo(b.lambda, 12);
    expect(err.residual).toBeCloseTo(b.residual, 12);
    expect(err.tolerance).toBe(1e-8);
    // A looser balanceTolerance accepts it (approximately balanced weights, by choice).
    expect(() => exactDynamicsFromQQt({ qqt: p, inputDim: 4, hiddenDim: 3, sigmaYX, balanceTolerance: 2 * b.residual })).not.toThrow();
  });

  it('explains a state of rank below hiddenDim at λ ≠ 0 and suggests the hidden width it has', () => {
    const e = thrown(() => exactDynamicsFromQQt({ qqt: state, inputDim: 4, hiddenDim: 4, sigmaYX }));
    expect(e).toBeInstanceOf(NotBalancedError);
    expect(e.message).toMatch(/P has rank 3 < hiddenDim = 4/);
    expect(e.message).toMatch(/pass hiddenDim: 3/);
  });
});

describe('balance at large scales: rounding of B is not imbalance', () => {
  // B = W2ᵀW2 − W1W1ᵀ is a difference of terms of size ‖W‖²; its rounding, ~ε·‖W‖², exceeds
  // tolerance·(‖B‖ + 1) once ‖W‖² ≳ 1e7·(1 + |λ|). Within 2(N + 2)·ε·‖W‖² it is accepted.
  it('the library\'s own balanced weights of size 1e20 are accepted; a 1.5× stretch of W1 at λ = 0 is not', () => {
    for (const lambda of [0, 1e40, -3e40]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda, scale: 1e20, seed: 91 });
      // Rejected by the tolerance alone (at λ = 0 the rounding of B is ~1e24 against ‖B‖ + 1 ≈ 1e24).
      if (lambda === 0) expect(balanceOf(w1, w2).residual).toBeGreaterThan(1e-8);
      expect(() => assertBalanced(w1, w2, 1e-8)).not.toThrow();
    }
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 1e20, seed: 91 });
    expect(() => assertBalanced(w1.clone().mul(1.5), w2, 1e-8)).toThrow(NotBalancedError);
  });

  describe('the learned state of a task with σ ≈ 1e20 and λ = 0.5', () => {
    const sigmaYX = makeSigmaYX(3, 4, 'generic', 92).mul(1e20);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 0.5, scale: 0.3, seed: 93 });
    const dyn = exactDynamics({ w1, w2, sigmaYX });

    it('early (P ≈ 1e3, every direction resolved): restarts from P and from the weights continue the trajectory', () => {
      const state = dyn.at(1e-20);
      const fromP = exactDynamicsFromQQt({ qqt: state.qqt, inputDim: 4, hiddenDim: 3, sigmaYX });
      const fromWeights = exactDynamics({ ...state.weights, sigmaYX });
      for (const s of [1e-20, 1e-19, 1e-17]) {
        const want = dyn.at(1e-20 + s).qqt;
        expect(relErr(fromP.at(s).qqt, want)).toBeLessThan(1e-12);
        expect(relErr(fromWeights.at(s).qqt, want)).toBeLessThan(1e-12);
      }
    });

    it('mid-learning (P ≈ 1e21, a direction of squared norm ≈ 0.5 below its rounding): P is refused, the weights continue', () => {
      const state = dyn.at(1e-19);
      for (const lambda of [undefined, 0.5]) {
        const e = thrown(() => exactDynamicsFromQQt({ qqt: state.qqt, inputDim: 4, hiddenDim: 3, sigmaYX, ...(lambda === undefined ? {} : { lambda }) }));
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect(e.message).toMatch(/resolves only 2 of hiddenDim = 3/);
        expect(e.message).toMatch(/restart from the weights/);
      }
      // Accepting it as a λ = 0 state would silently stall the weakest mode: 10 % off later.
      const fromWeights = exactDynamics({ ...state.weights, sigmaYX });
      for (const s of [1e-20, 1e-19, 1e-17]) expect(relErr(fromWeights.at(s).qqt, dyn.at(1e-19 + s).qqt)).toBeLessThan(1e-12);
    });
  });
});

describe('a state whose weakest direction is at P\'s rounding level is refused', () => {
  // λ = 0, Nh = 4 > Ni = No = 3, initial scale 1e-10: at t = 3 the weights' dynamics keep
  // the weakest mode on its saddle for ever (loss → ½σ_3²), but P(3) holds the hidden
  // direction that decides it with a squared norm ≈ 1.6e-16, 2.2 times P's rounding level.
  // Factored anyway, its noise escaped the saddle: the restart learned the mode (loss → 1e-30).
  const sigmaYX = gaussianMatrix(3, 3, createRng(1));
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 4, outputDim: 3, lambda: 0, scale: 1e-10, seed: 2 });
  const dyn = exactDynamics({ w1, w2, sigmaYX });

  it('refuses P(3), naming the weakest direction and the rounding level, while the weights restart keeps the saddle', () => {
    const e = thrown(() => exactDynamicsFromQQt({ qqt: dyn.at(3).qqt, inputDim: 3, hiddenDim: 4, lambda: 0, sigmaYX }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.argument).toBe('qqt');
    expect(e.message).toMatch(/weakest hidden direction/);
    expect(e.message).toMatch(/Restart from the weights/);
    const sigma3 = dyn.sigma[2];
    expect(dyn.converged().loss).toBeCloseTo(0.5 * sigma3 * sigma3, 10);
    const fromWeights = exactDynamics({ ...dyn.at(3).weights, sigmaYX });
    expect(fromWeights.at(100).loss).toBeCloseTo(dyn.at(103).loss, 10);
    expect(relErr(fromWeights.converged().qqt, dyn.converged().qqt)).toBeLessThan(1e-12);
  });
});
