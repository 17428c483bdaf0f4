/**
 * The closed form at widths where the WebAssembly kernels run by default (N·Nh² above
 * their threshold): it must not depend on the kernels beyond rounding, and both must
 * agree with the naive formula of MATH.md §4 at small t and with the converged state.
 * (The property tests of exact-dynamics.test.ts run on both kernels at small widths.)
 */
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { makeSigmaYX } from '../helpers/configs.js';
import { naiveP, relErr } from '../helpers/oracles.js';

const SHAPES: [ni: number, nh: number, no: number, lambda: number][] = [
  [12, 12, 12, 0.5],
  [20, 9, 15, -0.3], // bottleneck
  [9, 14, 24, 1.2], // Nh between Ni and No
  [17, 25, 16, 0], // Nh above both at λ = 0
  [30, 30, 30, 2],
];

describe('the closed form on the WebAssembly and the JavaScript kernels', () => {
  it('agree to rounding from t = 0 to t = 1e8·τ, and both match the naive formula at small t', () => {
    let worstBackends = 0;
    let worstNaive = 0;
    for (const [k, [ni, nh, no, lambda]] of SHAPES.entries()) {
      const sigmaYX = makeSigmaYX(no, ni, k % 2 === 0 ? 'generic' : 'repeated', 50 + k);
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.2, seed: 60 + k });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const other = exactDynamics({ w1: w2.transpose(), w2: w1.transpose(), sigmaYX: sigmaYX.transpose() });
      for (const t of [0, 0.05, 0.5, 3, 40, 1e3, 1e8]) {
        setKernelBackend('js');
        const pJs = dyn.at(t).qqt;
        const lossJs = dyn.summaries([t]).loss[0];
        setKernelBackend('auto');
        const pWasm = dyn.at(t).qqt;
        other.at(t); // another solution using the same WebAssembly memory in between
        const again = dyn.at(t).qqt;
        const lossWasm = dyn.summaries([t]).loss[0];
        expect(again.to1DArray()).toEqual(pWasm.to1DArray());
        const e = relErr(pWasm, pJs);
        worstBackends = Math.max(worstBackends, e);
        expect(e).toBeLessThan(1e-12);
        // The loss is a difference that shrinks to ~0: relative to its own size it may
        // lose what P lost, relative to the loss at t = 0 it is within rounding.
        expect(Math.abs(lossWasm - lossJs)).toBeLessThan(1e-12 * dyn.summaries([0]).loss[0]);
        if (t > 0 && t <= 0.5) {
          const naive = naiveP(w1, w2, sigmaYX, dyn.lambda, t);
          worstNaive = Math.max(worstNaive, relErr(pWasm, naive), relErr(pJs, naive));
          expect(relErr(pWasm, naive)).toBeLessThan(1e-10);
        }
      }
    }
    console.log(`WebAssembly vs JavaScript kernels: ${worstBackends.toExponential(2)}; vs the naive formula: ${worstNaive.toExponential(2)}`);
  });
});
