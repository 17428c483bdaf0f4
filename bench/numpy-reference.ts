/**
 * Benchmark 4: the TypeScript closed form against a straightforward numpy evaluation of
 * the same formula (bench/reference/closed_form.py: numpy.linalg.eigh of F once, then per
 * time point P = O·EΨ M⁻¹ ΨᵀE·Oᵀ with numpy matmuls and numpy.linalg.solve), on the same
 * configurations and time grids, in the same session.
 *
 * Two comparisons per width n (Ni = Nh = No = n):
 *  - summaries: our `dynamics.summaries(times)` (loss, mode strengths and off-diagonal
 *    norm, from the Nh-column factor in the task's singular basis) against numpy computing
 *    its full P and reading the loss and the mode strengths off it;
 *  - full QQᵀ: our `dynamics.trajectory(times)` with `.qqt` read at every time (an
 *    ml-matrix Matrix per time) against numpy's full P per time.
 * numpy runs twice, with its default BLAS threading and with one thread
 * (OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS = 1); ratios are taken against
 * the faster of the two at each n. Accuracy: ‖P_numpy − P_ours‖_F/‖P_ours‖_F at three
 * times of the grid, and the largest relative difference of the loss.
 *
 * If python3 or numpy is missing, prints a notice and returns `available: false`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exactDynamics } from '../src/index.js';
import {
  benchConfig,
  formatMs,
  machineInfo,
  measure,
  printTable,
  round,
  timeGrid,
  verdict,
  writeResults,
  type BenchRunOptions,
} from './harness.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'reference', 'closed_form.py');

/** Options of {@link runNumpyReference}. */
export interface NumpyReferenceOptions extends BenchRunOptions {
  /** Widths n (default 4, 16, 64, 128; smoke: 4). */
  sizes?: number[];
}

/** One width's comparison. */
export interface NumpyReferenceRow {
  n: number;
  points: number;
  /** Per-point times (ms). */
  tsSummaries: number;
  tsFull: number;
  numpySummaries: number;
  numpyFull: number;
  numpySummariesOneThread: number;
  numpyFullOneThread: number;
  /** TypeScript / numpy (numpy: the faster threading at this n); < 1 means TypeScript is faster. */
  ratioSummaries: number;
  ratioFull: number;
  /** max over the check times of ‖P_numpy − P_ours‖_F/‖P_ours‖_F. */
  pRelativeDifference: number;
  /** max relative difference of the loss at the check times. */
  lossRelativeDifference: number;
  /** max |a_numpy − a_ours| / σ_max over modes and check times. */
  strengthDifference: number;
}

export interface NumpyReferenceResult {
  available: boolean;
  notice?: string;
  numpy?: string;
  rows: NumpyReferenceRow[];
}

interface PythonCase {
  name: string;
  full_s_per_point: number;
  summaries_s_per_point: number;
  samples_full: number[];
  samples_summaries: number[];
  setup_s: number;
  loss: number[];
  strengths: number[][];
  p_check: string[];
}

interface PythonOutput {
  numpy: string;
  threads: Record<string, string | null>;
  cases: PythonCase[];
}

/** numpy's version if `python3 -c 'import numpy'` works, else the reason it does not. */
export function numpyAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `python3 could not be started (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `numpy could not be imported (${(r.stderr || '').trim().split('\n').pop()})` };
  return { ok: true, version: r.stdout.trim() };
}

function runPython(input: unknown, oneThread: boolean): PythonOutput {
  const dir = mkdtempSync(join(tmpdir(), 'exact-dln-bench-'));
  try {
    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify(input));
    const env = { ...process.env };
    if (oneThread) {
      env.OPENBLAS_NUM_THREADS = '1';
      env.OMP_NUM_THREADS = '1';
      env.MKL_NUM_THREADS = '1';
    }
    const r = spawnSync('python3', [SCRIPT, file], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`numpy reference failed (exit ${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as PythonOutput;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function decodeFloat64(b64: string): Float64Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Float64Array(bytes.length / 8);
  for (let k = 0; k < out.length; k++) out[k] = bytes.readDoubleLE(8 * k);
  return out;
}

/** Number of grid points used at width n (per-point costs are compared, so fewer at large n). */
function pointsFor(n: number, smoke: boolean): number {
  if (smoke) return 20;
  return n >= 128 ? 250 : 1000;
}

/** Runs benchmark 4 and returns its rows (empty and `available: false` without numpy). */
export function runNumpyReference(options: NumpyReferenceOptions = {}): NumpyReferenceResult {
  const smoke = options.smoke ?? false;
  const print = options.print ?? true;
  const write = options.write ?? !smoke;
  const available = numpyAvailable();
  if (!available.ok) {
    const notice = `numpy reference skipped: ${available.reason}.`;
    if (print) console.log(`\n${notice}`);
    return { available: false, notice, rows: [] };
  }
  const sizes = options.sizes ?? (smoke ? [4] : [4, 16, 64, 128]);
  const repeats = smoke ? 1 : 3;

  const setups = sizes.map((n) => {
    const cfg = benchConfig(n);
    const dyn = exactDynamics({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX });
    const times = timeGrid(pointsFor(n, smoke));
    const check = [0, Math.floor(times.length / 2), times.length - 1];
    const w1t = cfg.w1.transpose().to2DArray();
    const q0 = [...w1t, ...cfg.w2.to2DArray()];
    return { n, cfg, dyn, times, check, q0 };
  });
  const input = {
    cases: setups.map((s) => ({
      name: `n=${s.n}`,
      ni: s.n,
      nh: s.n,
      no: s.n,
      lambda: s.cfg.lambda,
      sigma_yx: s.cfg.sigmaYX.to2DArray(),
      q0: s.q0,
      u: s.dyn.singularVectors.u.to2DArray(),
      v: s.dyn.singularVectors.v.to2DArray(),
      times: Array.from(s.times),
      check: s.check,
      repeats,
    })),
  };
  const threaded = runPython(input, false);
  const single = runPython(input, true);

  const rows: NumpyReferenceRow[] = setups.map((s, idx) => {
    const { n, dyn, times, check } = s;
    const py = threaded.cases[idx];
    const py1 = single.cases[idx];
    const count = times.length;
    const slow = n >= 64;
    const tsSummaries = measure(() => dyn.summaries(times), { time: smoke ? 20 : 300, iterations: smoke ? 2 : slow ? 3 : 10 }).median / count;
    const tsFull = measure(() => dyn.trajectory(Array.from(times)).map((x) => x.qqt), { time: smoke ? 20 : 300, iterations: smoke ? 2 : 3 }).median / count;

    // Accuracy at the check times.
    let pDiff = 0;
    let lossDiff = 0;
    let strengthDiff = 0;
    const sigmaMax = Math.max(dyn.sigma[0] ?? 0, 1e-300);
    check.forEach((k, c) => {
      const snap = dyn.at(times[k]);
      const ours = snap.qqt.to1DArray();
      const theirs = decodeFloat64(py.p_check[c]);
      let d2 = 0;
      let o2 = 0;
      for (let q = 0; q < ours.length; q++) {
        d2 += (ours[q] - theirs[q]) ** 2;
        o2 += ours[q] ** 2;
      }
      pDiff = Math.max(pDiff, Math.sqrt(d2 / o2));
      lossDiff = Math.max(lossDiff, Math.abs(py.loss[c] - snap.loss) / Math.abs(snap.loss));
      const strengths = snap.singularProduct;
      py.strengths[c].forEach((a, alpha) => {
        strengthDiff = Math.max(strengthDiff, Math.abs(a - strengths.get(alpha, alpha)) / sigmaMax);
      });
    });
    const numpySummaries = Math.min(py.summaries_s_per_point, py1.summaries_s_per_point) * 1e3;
    const numpyFull = Math.min(py.full_s_per_point, py1.full_s_per_point) * 1e3;
    return {
      n,
      points: count,
      tsSummaries,
      tsFull,
      numpySummaries: py.summaries_s_per_point * 1e3,
      numpyFull: py.full_s_per_point * 1e3,
      numpySummariesOneThread: py1.summaries_s_per_point * 1e3,
      numpyFullOneThread: py1.full_s_per_point * 1e3,
      ratioSummaries: tsSummaries / numpySummaries,
      ratioFull: tsFull / numpyFull,
      pRelativeDifference: pDiff,
      lossRelativeDifference: lossDiff,
      strengthDifference: strengthDiff,
    };
  });

  const summaryTarget = (n: number, ratio: number): string => (n <= 64 ? verdict(ratio < 1) : n === 128 ? verdict(ratio <= 1.5) : '—');
  const fullTarget = (n: number, ratio: number): string => (n <= 16 ? verdict(ratio < 1) : n === 128 ? verdict(ratio <= 3) : '—');
  if (print) {
    const pair = (x: number, y: number): string => `${x.toFixed(2)} / ${y.toFixed(2)}`;
    printTable(
      `Benchmark 4 — TypeScript vs numpy ${threaded.numpy} (per time point; numpy with default BLAS threads / 1 thread; ` +
        'ratio = TS / numpy (default / 1 thread); target judged against the faster numpy)',
      ['n', 'points', 'TS summaries', 'numpy summ.', 'ratio', 'target', 'TS full QQᵀ', 'numpy full', 'ratio', 'target', '‖ΔP‖/‖P‖', 'Δloss rel'],
      rows.map((r) => [
        r.n,
        r.points,
        formatMs(r.tsSummaries),
        `${formatMs(r.numpySummaries)} / ${formatMs(r.numpySummariesOneThread)}`,
        pair(r.tsSummaries / r.numpySummaries, r.tsSummaries / r.numpySummariesOneThread),
        summaryTarget(r.n, r.ratioSummaries),
        formatMs(r.tsFull),
        `${formatMs(r.numpyFull)} / ${formatMs(r.numpyFullOneThread)}`,
        pair(r.tsFull / r.numpyFull, r.tsFull / r.numpyFullOneThread),
        fullTarget(r.n, r.ratioFull),
        r.pRelativeDifference.toExponential(1),
        r.lossRelativeDifference.toExponential(1),
      ]),
    );
  }
  if (write) {
    writeResults('numpy-reference', {
      benchmark: 'numpy-reference',
      description:
        'Per-time-point cost of the TypeScript closed form vs a straightforward numpy evaluation of MATH.md §4 (eigh once; per time M = I + ΨᵀΦΨ, solve, P = O·EΨM⁻¹ΨᵀE·Oᵀ). ' +
        'summaries: TS dynamics.summaries (loss, mode strengths, off-diagonal) vs numpy full P then loss and mode strengths; full: TS trajectory(times) + .qqt vs numpy full P. ' +
        'Times in ms per point (median of passes over the grid). ratio = TS / min(numpy threaded, numpy 1 thread).',
      machine: { ...machineInfo(), numpy: threaded.numpy },
      config: { ni: 'n', nh: 'n', no: 'n', lambda: setups[0]?.cfg.lambda, taskScale: '0.15/sqrt(n)', weightScale: 0.05, tEnd: 20, tau: 1 },
      targets: { summaries: 'ratio < 1 for n <= 64, <= 1.5 at n = 128', full: 'ratio < 1 for n <= 16, <= 3 at n = 128', accuracy: '~1e-8' },
      rows: rows.map((r) => ({
        n: r.n,
        points: r.points,
        tsSummariesMs: round(r.tsSummaries),
        numpySummariesMs: round(r.numpySummaries),
        numpySummariesOneThreadMs: round(r.numpySummariesOneThread),
        ratioSummaries: round(r.ratioSummaries, 3),
        ratioSummariesVsDefaultThreads: round(r.tsSummaries / r.numpySummaries, 3),
        ratioSummariesVsOneThread: round(r.tsSummaries / r.numpySummariesOneThread, 3),
        tsFullMs: round(r.tsFull),
        numpyFullMs: round(r.numpyFull),
        numpyFullOneThreadMs: round(r.numpyFullOneThread),
        ratioFull: round(r.ratioFull, 3),
        ratioFullVsDefaultThreads: round(r.tsFull / r.numpyFull, 3),
        ratioFullVsOneThread: round(r.tsFull / r.numpyFullOneThread, 3),
        pRelativeDifference: round(r.pRelativeDifference, 2),
        lossRelativeDifference: round(r.lossRelativeDifference, 2),
        strengthDifference: round(r.strengthDifference, 2),
      })),
    });
  }
  return { available: true, numpy: threaded.numpy, rows };
}
