/**
 * `exact-dln simulate` end to end (in-process): gradient descent against the exact
 * trajectory, output formats, step/time options, the progress bar.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DivergenceError, gradientDescentFromTask } from '../../src/index.js';
import { SMALL_CONFIG, cleanup, cli, fakeTerminal, parseCsv, tempDir, writeJson } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeJson(dir, 'run.json', SMALL_CONFIG);
});
afterAll(() => cleanup(dir));

interface SimulationJson {
  lambda: number;
  learningRate: number;
  tau: number;
  steps: number;
  recordEvery: number;
  maxDeviation: number;
  points: Array<{ step: number; t: number; loss: number; exactLoss: number; deviation: number }>;
}

describe('exact-dln simulate', () => {
  it('follows the exact trajectory with an O(η) deviation, until the last configured time', async () => {
    const r = await cli(['simulate', '--config', 'run.json', '--learning-rate', '0.002'], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('largest relative deviation from the exact trajectory');
    const json = JSON.parse(r.out) as SimulationJson;
    expect(json.steps).toBe(2500); // t = 5 at η = 0.002
    expect(json.recordEvery).toBe(25);
    expect(json.points).toHaveLength(101);
    const last = json.points.at(-1)!;
    expect(last.step).toBe(2500);
    expect(last.t).toBeCloseTo(5, 12);
    expect(json.maxDeviation).toBeLessThan(2e-2);
    expect(json.maxDeviation).toBeGreaterThan(0);
    for (const p of json.points) expect(Math.abs(p.loss - p.exactLoss)).toBeLessThan(0.05 * json.points[0].exactLoss + 1e-12);
    // Halving η roughly halves the deviation (first-order method).
    const half = JSON.parse((await cli(['simulate', '--config', 'run.json', '--learning-rate', '0.001', '--quiet'], dir)).out) as SimulationJson;
    expect(json.maxDeviation / half.maxDeviation).toBeGreaterThan(1.6);
    expect(json.maxDeviation / half.maxDeviation).toBeLessThan(2.5);
  });

  it('--steps, --record-every and CSV to --out; τ enters t = k·η·τ; sigmaYX tasks use the covariances', async () => {
    writeJson(dir, 'sigma.json', { weights: { w1: [[0.1, 0]], w2: [[0.1]] }, task: { sigmaYX: [[2, 0.5]] }, tau: 2 });
    const r = await cli(['simulate', '--config', 'sigma.json', '--steps', '300', '--record-every', '100', '--out', 'gd.csv', '--quiet'], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const { header, rows } = parseCsv(readFileSync(join(dir, 'gd.csv'), 'utf8'));
    expect(header).toEqual(['step', 't', 'loss', 'exact_loss', 'deviation']);
    expect(rows.map((row) => row[0])).toEqual([0, 100, 200, 300]);
    expect(rows[3][1]).toBeCloseTo(300 * 0.005 * 2, 12);
    expect(rows[0][4]).toBeLessThan(1e-12);
  });

  it('records and times beyond 10⁵: no call-stack overflow, each state compared as its chunk ends', async () => {
    // 150 001 configured times and 150 001 recorded states: Math.max(...list) overflowed the
    // call stack beyond about 120 000 entries ("Maximum call stack size exceeded", after all
    // the training), and every recorded W1, W2 was kept until the end (3 GB for 10⁶ of 2×2×2).
    writeJson(dir, 'many.json', { weights: { w1: [[0.1]], w2: [[0.1]] }, task: { sigmaYX: [[2]] }, times: { from: 0, to: 1.5, count: 150_001 } });
    const r = await cli(['simulate', '--config', 'many.json', '--learning-rate', '0.00001', '--record-every', '1', '--format', 'csv'], dir);
    expect(r.code, r.err).toBe(0);
    const { rows } = parseCsv(r.out);
    expect(rows).toHaveLength(150_001);
    expect(rows.every((row, k) => row[0] === k)).toBe(true);
    const largest = rows.reduce((m, row) => Math.max(m, row[4]), 0);
    expect(r.err).toContain(`simulated 150000 steps (η = 0.00001, t = 1.5`);
    expect(r.err).toContain(`largest relative deviation from the exact trajectory: ${largest.toExponential(3)}`);
    // O(η) from the flow: η = 1e-5 keeps the deviation far below 1e-4.
    expect(largest).toBeLessThan(1e-4);
    expect(largest).toBeGreaterThan(0);
  });

  it('--until T: steps = T/(η·τ); a run in chunks equals one run', async () => {
    const a = JSON.parse((await cli(['simulate', '--config', 'run.json', '--until', '1', '--learning-rate', '0.0002', '--record-every', '1000', '--quiet'], dir)).out) as SimulationJson;
    expect(a.steps).toBe(5000);
    const b = JSON.parse((await cli(['simulate', '--config', 'run.json', '--steps', '5000', '--learning-rate', '0.0002', '--record-every', '5000', '--quiet'], dir)).out) as SimulationJson;
    expect(b.points.at(-1)!.loss).toBe(a.points.at(-1)!.loss);
  });

  it('shows a progress bar on a terminal stream for runs longer than about a second, never with --quiet', async () => {
    const { stream: tty, drawn } = fakeTerminal();
    const n = 8;
    writeJson(dir, 'long.json', {
      weights: { inputDim: n, hiddenDim: n, outputDim: n, lambda: 0, scale: 0.1, seed: 1 },
      task: { sigmaYX: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 + i / n : 0))) },
      times: [0, 1],
    });
    const short = await cli(['simulate', '--config', 'long.json', '--steps', '200', '--learning-rate', '0.0001'], dir, { progress: tty });
    expect(short.code).toBe(0);
    expect(drawn()).toBe(''); // a run that ends within the second draws nothing
    // A long run, whatever the speed of this machine: a clock that advances 500 ms per reading
    // (the bar is updated once per chunk of 2000 steps).
    let clock = Date.now();
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 500));
    try {
      const quiet = await cli(['simulate', '--config', 'long.json', '--steps', '6000', '--learning-rate', '0.0001', '--quiet'], dir, { progress: tty });
      expect(quiet.code).toBe(0);
      expect(drawn()).toBe(''); // never with --quiet
      const long = await cli(['simulate', '--config', 'long.json', '--steps', '6000', '--learning-rate', '0.0001'], dir, { progress: tty });
      expect(long.code).toBe(0);
    } finally {
      now.mockRestore();
    }
    expect(drawn()).toContain('gradient descent');
  });

  it('errors: --steps with --until, bad learning rate, missing config exit 2; a diverging run exits 1', async () => {
    const both = await cli(['simulate', '--config', 'run.json', '--steps', '10', '--until', '1'], dir);
    expect(both.code).toBe(2);
    expect(both.err).toContain('cannot be used with');
    expect((await cli(['simulate', '--config', 'run.json', '--learning-rate', '-1'], dir)).code).toBe(2);
    expect((await cli(['simulate', '--config', 'run.json', '--steps', '2.5'], dir)).code).toBe(2);
    expect((await cli(['simulate'], dir)).code).toBe(2);
    // Runs that could never end, or never fit in memory, are refused before they start.
    const endless = await cli(['simulate', '--config', 'run.json', '--learning-rate', '1e-300'], dir);
    expect(endless.code).toBe(2);
    expect(endless.err).toMatch(/5\.00e\+300 steps.*at most 1e\+9/);
    const hoard = await cli(['simulate', '--config', 'run.json', '--steps', '100000000', '--record-every', '1'], dir);
    expect(hoard.code).toBe(2);
    expect(hoard.err).toContain('--record-every 1 would record 100000001 states');
    // A learning rate too large for stable descent that still stays finite: a warning that the
    // loss rose (the run succeeds: its output is what was asked for), even with --quiet.
    const unstable = await cli(['simulate', '--config', 'run.json', '--learning-rate', '0.5', '--steps', '200', '--record-every', '1', '--quiet'], dir);
    expect(unstable.code, unstable.err).toBe(0);
    expect(unstable.err).toMatch(/^warning: the training loss rose from .* η = 0\.5 is too large for stable gradient descent/);
    const losses = (JSON.parse(unstable.out) as SimulationJson).points.map((p) => p.loss);
    expect(losses.some((l, k) => k > 0 && l > losses[k - 1])).toBe(true);
    for (const l of losses) expect(l).toBeGreaterThanOrEqual(0);
    const diverge = await cli(['simulate', '--config', 'run.json', '--learning-rate', '50', '--steps', '200', '--out', 'boom.json'], dir);
    expect(diverge.code).toBe(1);
    expect(diverge.err).toContain('diverged');
    // --steps: the refusal gives the time the steps would reach, not the configured one.
    const far = await cli(['simulate', '--config', 'run.json', '--learning-rate', '0.01', '--steps', '2000000000'], dir);
    expect(far.code).toBe(2);
    expect(far.err).toContain('the run would take 2000000000 steps (t = 20000000 in steps of η·τ = 0.01)');
  });

  it('a run that diverges after its first chunk of steps reports the step of the whole run', async () => {
    // 1×1×1 from w1 = w2 = 0.1 on σ = 1, just past η = 2 (the edge of stability at the
    // minimum): the iterates wander chaotically and escape after thousands of steps. The run
    // goes in chunks of about 2000 steps; the error must count from the start of the run.
    const start = { w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]] };
    let eta = 0;
    let expected = 0;
    for (let k = 0; k < 200 && expected === 0; k++) {
      const candidate = 2 + k * 1e-7;
      try {
        gradientDescentFromTask({ ...start, learningRate: candidate, steps: 20_000, recordEvery: 20_000 });
      } catch (error) {
        if (!(error instanceof DivergenceError)) throw error;
        if (error.step > 2500) [eta, expected] = [candidate, error.step];
      }
    }
    expect(expected, 'a learning rate just past 2 whose run diverges after step 2500').toBeGreaterThan(2500);
    writeJson(dir, 'edge.json', { weights: { w1: start.w1, w2: start.w2 }, task: { sigmaYX: start.sigmaYX }, times: [1] });
    const r = await cli(['simulate', '--config', 'edge.json', '--learning-rate', String(eta), '--steps', '20000', '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`diverged: the weights became non-finite (or overflowed) at step ${expected} of 20000`);
    // With a progress bar on a terminal (a clock of 500 ms per reading, so it shows after the
    // first chunk): the failure clears it and shows the cursor again (it was left hidden).
    const { stream: tty, drawn } = fakeTerminal();
    let clock = Date.now();
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 500));
    try {
      const shown = await cli(['simulate', '--config', 'edge.json', '--learning-rate', String(eta), '--steps', '20000'], dir, { progress: tty });
      expect(shown.code).toBe(1);
    } finally {
      now.mockRestore();
    }
    expect(drawn()).toContain('gradient descent');
    expect(drawn().lastIndexOf('\u001b[?25h')).toBeGreaterThan(drawn().lastIndexOf('\u001b[?25l')); // the cursor shown after it was hidden
  });
});
