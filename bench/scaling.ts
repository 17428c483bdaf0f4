/**
 * Benchmark 2: cost per time point as the width grows, Ni = Nh = No = n from 4 to 256,
 * on a grid up to t = 20τ (fewer points at large n; the cost per point is what is
 * reported). Measured per point:
 *  - full QQᵀ: `dynamics.trajectory(times)` with `.qqt` read at every time;
 *  - summaries: `dynamics.summaries(times)` (loss, mode strengths, off-diagonal norm);
 *  - mode strengths: `dynamics.modeStrengthCurves(times)` (only the diagonal of Ũᵀ W2W1 Ṽ);
 *  - kernel distance: `kernelDistanceTrajectory(dynamics, times, { gram })` with the Gram
 *    matrix of 1000 random probes formed once, outside the timing.
 * The exponent p of cost ∝ n^p is fitted by least squares on log–log axes, over all n and
 * over n ≥ 32 (where the O(n³) arithmetic dominates the per-call overheads).
 */
import { exactDynamics, kernelDistanceTrajectory } from '../src/index.js';
import { fromArray, gramOfRows } from '../src/linalg/dense.js';
import { createRng } from '../src/random.js';
import {
  benchConfig,
  fitExponent,
  formatMs,
  machineInfo,
  measure,
  printTable,
  round,
  timeGrid,
  writeResults,
  type BenchRunOptions,
} from './harness.js';

/** Options of {@link runScaling}. */
export interface ScalingOptions extends BenchRunOptions {
  /** Widths n (default 4, 8, 16, 32, 64, 128, 256; smoke: 4, 8). */
  sizes?: number[];
}

/** Per-point costs (ms) at one width. */
export interface ScalingRow {
  n: number;
  points: number;
  full: number;
  summaries: number;
  modeStrengths: number;
  kernelDistance: number;
}

export interface ScalingResult {
  rows: ScalingRow[];
  /** Fitted exponents over all n and over n ≥ 32 (NaN with fewer than two widths). */
  exponents: Record<'full' | 'summaries' | 'modeStrengths' | 'kernelDistance', { all: number; large: number }>;
}

function pointsFor(n: number, smoke: boolean): number {
  if (smoke) return 10;
  if (n <= 32) return 500;
  if (n <= 64) return 200;
  if (n <= 128) return 50;
  return 12;
}

/** The Gram matrix X'X'ᵀ (n×n) of `probes` random standard-normal inputs. */
export function probeGram(n: number, probes: number, seed = 7): Float64Array {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: n * probes }, () => rng.normal());
  return gramOfRows(x, n, probes);
}

export function runScaling(options: ScalingOptions = {}): ScalingResult {
  const smoke = options.smoke ?? false;
  const print = options.print ?? true;
  const write = options.write ?? !smoke;
  const sizes = options.sizes ?? (smoke ? [4, 8] : [4, 8, 16, 32, 64, 128, 256]);

  const rows = sizes.map((n): ScalingRow => {
    const cfg = benchConfig(n);
    const dyn = exactDynamics({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX });
    const count = pointsFor(n, smoke);
    const times = timeGrid(count);
    const timesArray = Array.from(times);
    const gram = fromArray(probeGram(n, 1000), n, n);
    const heavy = n >= 128;
    const opts = { iterations: smoke ? 2 : heavy ? 3 : 5, time: smoke ? 10 : heavy ? 0 : 200 };
    return {
      n,
      points: count,
      full: measure(() => dyn.trajectory(timesArray).map((s) => s.qqt), opts).median / count,
      summaries: measure(() => dyn.summaries(times), opts).median / count,
      modeStrengths: measure(() => dyn.modeStrengthCurves(times), opts).median / count,
      kernelDistance: measure(() => kernelDistanceTrajectory(dyn, timesArray, { gram }), opts).median / count,
    };
  });

  const keys = ['full', 'summaries', 'modeStrengths', 'kernelDistance'] as const;
  const large = rows.filter((r) => r.n >= 32);
  const fit = (rs: ScalingRow[], key: (typeof keys)[number]): number =>
    rs.length >= 2 ? fitExponent(rs.map((r) => r.n), rs.map((r) => r[key])) : Number.NaN;
  const exponents = Object.fromEntries(keys.map((k) => [k, { all: fit(rows, k), large: fit(large, k) }])) as ScalingResult['exponents'];

  if (print) {
    printTable(
      'Benchmark 2 — cost per time point vs width (Ni = Nh = No = n)',
      ['n', 'points', 'full QQᵀ', 'summaries', 'mode strengths', 'kernel distance'],
      [
        ...rows.map((r) => [r.n, r.points, formatMs(r.full), formatMs(r.summaries), formatMs(r.modeStrengths), formatMs(r.kernelDistance)]),
        ['exponent (all n)', '', ...keys.map((k) => exponents[k].all.toFixed(2))],
        ['exponent (n ≥ 32)', '', ...keys.map((k) => exponents[k].large.toFixed(2))],
      ],
    );
  }
  if (write) {
    writeResults('scaling', {
      benchmark: 'scaling',
      description:
        'Cost per time point (ms, tinybench median of a pass over the grid / points) of trajectory(times)+.qqt (full), summaries(times), modeStrengthCurves(times) ' +
        'and kernelDistanceTrajectory(dynamics, times, { gram }) (Gram of 1000 probes formed once), for Ni = Nh = No = n; ' +
        'exponents are log-log least-squares slopes over all n and over n >= 32.',
      machine: machineInfo(),
      config: { ni: 'n', nh: 'n', no: 'n', lambda: 0.25, taskScale: '0.15/sqrt(n)', weightScale: 0.05, tEnd: 20 },
      rows: rows.map((r) => ({
        n: r.n,
        points: r.points,
        fullMs: round(r.full),
        summariesMs: round(r.summaries),
        modeStrengthsMs: round(r.modeStrengths),
        kernelDistanceMs: round(r.kernelDistance),
      })),
      exponents: Object.fromEntries(keys.map((k) => [k, { all: round(exponents[k].all, 3), nAtLeast32: round(exponents[k].large, 3) }])),
    });
  }
  return { rows, exponents };
}
