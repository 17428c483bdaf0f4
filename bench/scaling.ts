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
 *
 * Late times (second table): the same configurations at one time each, t = 20τ (early, the
 * plain path) against t = 1000τ, where the exponentials with Ψ's spread cover 2⁷⁰⁰–2¹⁰⁰⁰ and
 * the products of the factor's rows are formed from normalised rows, and 2000τ, beyond 2¹⁰⁰⁰,
 * where the solve too keeps subnormal numbers out of its arithmetic (and beyond
 * γ_max·t = 600, where rows share column exponentials in bands): `summaries([t])`, `at(t)`,
 * `at(t).qqt` and `kernelDistance(at(0), at(t))` per call.
 */
import { exactDynamics, kernelDistance, kernelDistanceTrajectory } from '../src/index.js';
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

/** Per-call costs (ms) at one width and time (see the module comment). */
export interface LateTimeRow {
  n: number;
  t: number;
  summaries: number;
  at: number;
  qqt: number;
  kernelDistance: number;
}

export interface ScalingResult {
  rows: ScalingRow[];
  lateTimes: LateTimeRow[];
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

  const lateTimes = (smoke ? [4] : [16, 64, 128]).flatMap((n): LateTimeRow[] => {
    const cfg = benchConfig(n);
    const dyn = exactDynamics({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX });
    const start = dyn.at(0);
    // The table is about the evaluation paths: check that these times take them (plain;
    // normalised products; normalised products and solve).
    LATE_TIMES.forEach((t, k) => {
      if (start.solution.productsMayUnderflow(t) !== k > 0 || start.solution.mayUnderflow(t) !== k > 1) {
        throw new Error(`late-times benchmark: n = ${n}, t = ${t} does not take the expected path`);
      }
    });
    const opts = { iterations: smoke ? 2 : 20, time: smoke ? 10 : 200 };
    return LATE_TIMES.map((t) => ({
      n,
      t,
      summaries: measure(() => dyn.summaries([t]), opts).median,
      at: measure(() => dyn.at(t), opts).median,
      qqt: measure(() => dyn.at(t).qqt, opts).median,
      kernelDistance: measure(() => kernelDistance(start, dyn.at(t)), opts).median,
    }));
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
    const early = (r: LateTimeRow): LateTimeRow => lateTimes.find((e) => e.n === r.n && e.t === LATE_TIMES[0]) as LateTimeRow;
    printTable(
      'Benchmark 2, late times — one time point per call (t = 20τ: plain path; 1000τ: normalised products; 2000τ: subnormal-free solve too), and the ratio to t = 20τ',
      ['n', 't', 'summaries', 'at(t)', 'at(t).qqt', 'kernel distance from t = 0'],
      lateTimes.map((r) => [
        r.n,
        r.t,
        ...(['summaries', 'at', 'qqt', 'kernelDistance'] as const).map((k) => (r.t === LATE_TIMES[0] ? formatMs(r[k]) : `${formatMs(r[k])} (${(r[k] / early(r)[k]).toFixed(2)}×)`)),
      ]),
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
      lateTimes: {
        description: 'Per-call cost (ms, tinybench median) at one time t: summaries([t]), at(t), at(t).qqt, kernelDistance(at(0), at(t)); t = 20 early, 1000 and 2000 late.',
        rows: lateTimes.map((r) => ({ n: r.n, t: r.t, summariesMs: round(r.summaries), atMs: round(r.at), qqtMs: round(r.qqt), kernelDistanceMs: round(r.kernelDistance) })),
      },
    });
  }
  return { rows, lateTimes, exponents };
}

/** The times of the late-times table (τ = 1): early, between the two thresholds, beyond both. */
const LATE_TIMES = [20, 1000, 2000];
