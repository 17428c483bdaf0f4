/**
 * The closed form against actually trained networks (MATH.md §11): full-batch gradient
 * descent with learning rate η follows the gradient flow with an O(η) error, so the
 * largest gap over a trajectory must roughly halve when η halves, and be small at η = 1e-3.
 */
import { describe, expect, it } from 'vitest';
import { DEMO, compareWithGradientDescent, runDemo } from '../../examples/exact-vs-gd.js';
import { randomTask } from '../../src/core/task.js';

const task = randomTask({ inputDim: DEMO.inputDim, outputDim: DEMO.outputDim, samples: DEMO.samples, seed: DEMO.taskSeed });
const worstGap = (lambda: number, eta: number) =>
  Math.max(...compareWithGradientDescent(task, lambda, eta).map((r) => r.relativeDeltaP));

describe('exact trajectory vs gradient descent on the demo task', () => {
  for (const lambda of DEMO.lambdas) {
    it(`λ = ${lambda}: the gap is O(η) (halves with η) and below 1e-2 at η = 1e-3`, () => {
      const g1 = worstGap(lambda, 4e-3);
      const g2 = worstGap(lambda, 2e-3);
      const g3 = worstGap(lambda, 1e-3);
      // First-order convergence: ratios of successive gaps near 2 (1.6–2.5 allows the
      // O(η²) term at the larger rates).
      expect(g1 / g2).toBeGreaterThan(1.6);
      expect(g1 / g2).toBeLessThan(2.5);
      expect(g2 / g3).toBeGreaterThan(1.6);
      expect(g2 / g3).toBeLessThan(2.5);
      expect(g3).toBeLessThan(1e-2);
    });
  }

  it('the demo prints a table per λ and ends with the largest relative deviation', () => {
    const lines: string[] = [];
    const worst = runDemo((l) => lines.push(l));
    expect(lines.filter((l) => /^λ = /.test(l))).toHaveLength(DEMO.lambdas.length);
    expect(lines.at(-1)).toMatch(/largest relative deviation .*: \d\.\d+e[-+]\d+/);
    expect(worst).toBeLessThan(1e-2);
  });
});
