/**
 * Where WebAssembly is missing (or refuses the module, e.g. without SIMD support), the
 * library falls back to its JavaScript kernels and still computes the right answer. This
 * file hides `WebAssembly` before the kernels are first loaded (vitest gives each test
 * file its own module instances), so everything here runs on the fallback.
 */
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { matmulT, matmulTJs } from '../../src/linalg/dense.js';
import { kernelBackend, setKernelBackend } from '../../src/linalg/wasm.js';
import { makeSigmaYX } from '../helpers/configs.js';
import { naiveP, relErr } from '../helpers/oracles.js';

describe('without WebAssembly', () => {
  it('uses the JavaScript kernels, says so when WebAssembly is asked for, and stays exact', () => {
    const saved: unknown = Reflect.get(globalThis, 'WebAssembly');
    Reflect.deleteProperty(globalThis, 'WebAssembly');
    try {
      expect(kernelBackend()).toBe('js');
    } finally {
      Reflect.set(globalThis, 'WebAssembly', saved);
    }
    expect(() => setKernelBackend('wasm')).toThrow(/WebAssembly SIMD is not available/);
    expect(kernelBackend()).toBe('js');
    const a = Float64Array.from({ length: 40 * 40 }, (_, i) => Math.sin(i));
    expect(Array.from(matmulT(a, a, 40, 40, 40))).toEqual(Array.from(matmulTJs(a, a, 40, 40, 40)));
    const sigmaYX = makeSigmaYX(16, 14, 'generic', 3);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 14, hiddenDim: 15, outputDim: 16, lambda: 0.4, scale: 0.2, seed: 4 });
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    expect(relErr(dyn.at(0.3).qqt, naiveP(w1, w2, sigmaYX, dyn.lambda, 0.3))).toBeLessThan(1e-10);
  });
});
