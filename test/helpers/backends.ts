/**
 * The two implementations of the dense kernels (src/linalg/wasm.ts): accuracy tests run
 * on both. WebAssembly is forced for every operation (minWork 0), since the random
 * configurations of the property tests are mostly below its default size threshold.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { kernelBackend, setKernelBackend, type KernelBackend } from '../../src/linalg/wasm.js';

export const KERNEL_BACKENDS: [label: string, backend: KernelBackend][] = [
  ['JavaScript kernels', 'js'],
  ['WebAssembly kernels', 'wasm'],
];

/** Inside a describe block: run its tests on `backend`, then restore the default. */
export function useKernelBackend(backend: KernelBackend): void {
  beforeAll(() => {
    setKernelBackend(backend, { minWork: 0 });
    expect(kernelBackend()).toBe(backend);
  });
  afterAll(() => setKernelBackend('auto'));
}
