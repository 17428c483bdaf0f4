/**
 * A run configuration (the format of `exact-dln trajectory --config run.json`, see
 * docs/cli.md) used from code: validated against the JSON Schema, resolved into weights, a
 * task and the exact dynamics, then the trajectory printed next to gradient descent.
 *
 * Run: npx tsx examples/run-config.ts
 */
import { gradientDescentFromTask, modeStrengths, qqtOf } from '../src/index.js';
import { resolveRunConfig, type RunConfig } from '../src/report/index.js';

/** The configuration, as it would appear in run.json. */
export const CONFIG: RunConfig = {
  weights: { inputDim: 4, hiddenDim: 4, outputDim: 4, lambda: 0, scale: 0.02, seed: 7 },
  task: { sigmaYX: [[3, 0, 0, 0], [0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0.5]] },
  times: { from: 0, to: 12, count: 7 },
};

/** Prints t, the exact loss, the mode strengths and the gap to gradient descent; returns the largest gap. */
export async function main(log: (line: string) => void = console.log): Promise<number> {
  const run = await resolveRunConfig(CONFIG);
  const eta = 0.002;
  const steps = Math.round(run.times.at(-1)! / eta);
  const gd = gradientDescentFromTask({ w1: run.w1, w2: run.w2, sigmaYX: run.task.sigmaYX, learningRate: eta, steps, recordEvery: steps / 6 });
  log(`λ = ${Number(run.dynamics.lambda.toFixed(3))}, σ = ${run.dynamics.sigma.join(', ')}`);
  log(`${'t/τ'.padStart(5)}  ${'loss'.padStart(10)}  ${'mode strengths a_α'.padEnd(30)}  ‖ΔP‖/‖P‖ vs GD`);
  let worst = 0;
  run.times.forEach((t, k) => {
    const snap = run.dynamics.at(t);
    const p = snap.qqt;
    const gap = p.clone().sub(qqtOf(gd.w1[k], gd.w2[k])).norm('frobenius') / p.norm('frobenius');
    worst = Math.max(worst, gap);
    const a = modeStrengths(snap).strengths.map((x) => x.toFixed(3).padStart(6)).join(' ');
    log(`${t.toFixed(1).padStart(5)}  ${snap.loss.toExponential(3).padStart(10)}  ${a.padEnd(30)}  ${gap.toExponential(2)}`);
  });
  log('At λ = 0 from a small initialisation the modes are learned one after the other, strongest first.');
  return worst;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
