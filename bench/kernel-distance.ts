/**
 * Benchmark 3: the kernel distance (MATH.md §6) against the number of probe inputs P'.
 *
 * With the trace identity the distance depends on the probes only through their Gram
 * matrix G = X'X'ᵀ (Ni×Ni). Forming G costs O(Ni²·P') once per call; everything after it
 * costs O(Ni³ + No²) per pair whatever P' is. "Flat in P'" is therefore measured with G
 * formed once, outside the timing, and passed as `{ gram: G }`:
 *  - trajectory (gram): `kernelDistanceTrajectory(dynamics, times, { gram: G })` on 50
 *    times — the per-pair cost, including the exact states; must be flat (≤ 1.5× from
 *    P' = 10 to 100 000);
 *  - pair (gram): `kernelDistance(a, b, { gram: G })` for two fixed Snapshots — the
 *    per-pair cost alone; must be flat too;
 * and, for transparency, what grows with P':
 *  - trajectory (inputs): the same call with `{ inputs: X' }`, which forms G itself;
 *  - Gram build: G = X'X'ᵀ alone (O(Ni²·P'));
 *  - explicit NTK: `ntk(snapshot, X')`, the (P'·No)² matrix, for P' ≤ 200.
 * Width Ni = Nh = No = 16.
 */
import { Matrix } from 'ml-matrix';
import { exactDynamics, kernelDistance, kernelDistanceTrajectory, ntk } from '../src/index.js';
import { fromArray, gramOfRows } from '../src/linalg/dense.js';
import { createRng } from '../src/random.js';
import { benchConfig, formatMs, machineInfo, measure, printTable, round, timeGrid, verdict, writeResults, type BenchRunOptions } from './harness.js';

/** Options of {@link runKernelDistance}. */
export interface KernelDistanceBenchOptions extends BenchRunOptions {
  /** Probe counts P' (default 10 … 100 000; smoke: 10, 1000). */
  probes?: number[];
  /** Probe counts for the explicit NTK (default 10, 25, 50, 100, 200; smoke: 10). */
  ntkProbes?: number[];
  /** Width n (default 16). */
  n?: number;
}

/** Costs (ms per call) at one P'. */
export interface KernelDistanceRow {
  probes: number;
  trajectoryGram: number;
  pairGram: number;
  trajectoryInputs: number;
  gramBuild: number;
}

export interface KernelDistanceResult {
  n: number;
  times: number;
  rows: KernelDistanceRow[];
  ntk: { probes: number; ms: number; size: number }[];
  /** cost at the largest P' / cost at the smallest, for the two flat measurements. */
  flatnessTrajectory: number;
  flatnessPair: number;
}

/** The flatness the issue asks for: ≤ 1.5× from the smallest to the largest P'. */
export const FLATNESS_TARGET = 1.5;

function probesMatrix(n: number, count: number, seed: number): { x: Matrix; data: Float64Array } {
  const rng = createRng(seed);
  const data = Float64Array.from({ length: n * count }, () => rng.normal());
  return { x: fromArray(data, n, count), data };
}

export function runKernelDistance(options: KernelDistanceBenchOptions = {}): KernelDistanceResult {
  const smoke = options.smoke ?? false;
  const print = options.print ?? true;
  const write = options.write ?? !smoke;
  const n = options.n ?? (smoke ? 4 : 16);
  const probeCounts = options.probes ?? (smoke ? [10, 1000] : [10, 100, 1000, 10_000, 100_000]);
  const ntkCounts = options.ntkProbes ?? (smoke ? [10] : [10, 25, 50, 100, 200]);
  const cfg = benchConfig(n);
  const dyn = exactDynamics({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX });
  const times = Array.from(timeGrid(smoke ? 5 : 50));
  const a = dyn.at(0);
  const b = dyn.at(20);
  const opts = { iterations: smoke ? 2 : 10, time: smoke ? 10 : 300 };

  const rows = probeCounts.map((count, k): KernelDistanceRow => {
    const { x, data } = probesMatrix(n, count, 100 + k);
    const gram = fromArray(gramOfRows(data, n, count), n, n);
    const heavyInputs = count >= 10_000;
    return {
      probes: count,
      trajectoryGram: measure(() => kernelDistanceTrajectory(dyn, times, { gram }), opts).median,
      pairGram: measure(() => kernelDistance(a, b, { gram }), opts).median,
      trajectoryInputs: measure(() => kernelDistanceTrajectory(dyn, times, { inputs: x }), heavyInputs && !smoke ? { iterations: 3, time: 0 } : opts).median,
      gramBuild: measure(() => gramOfRows(data, n, count), opts).median,
    };
  });
  const ntkRows = ntkCounts.map((count, k) => {
    const { x } = probesMatrix(n, count, 500 + k);
    return { probes: count, size: count * n, ms: measure(() => ntk(b, x), { iterations: smoke ? 2 : 5, time: smoke ? 10 : 200 }).median };
  });
  const first = rows[0];
  const last = rows[rows.length - 1];
  const result: KernelDistanceResult = {
    n,
    times: times.length,
    rows,
    ntk: ntkRows,
    flatnessTrajectory: last.trajectoryGram / first.trajectoryGram,
    flatnessPair: last.pairGram / first.pairGram,
  };

  if (print) {
    printTable(
      `Benchmark 3 — kernel distance vs number of probes P' (Ni = Nh = No = ${n}; trajectory on ${times.length} times; G = X'X'ᵀ formed once for the "gram" columns)`,
      ["P'", 'trajectory (gram)', 'pair (gram)', 'trajectory (inputs)', 'Gram build'],
      rows.map((r) => [r.probes, formatMs(r.trajectoryGram), formatMs(r.pairGram), formatMs(r.trajectoryInputs), formatMs(r.gramBuild)]),
    );
    console.log(
      `flatness (P' = ${last.probes} vs ${first.probes}): trajectory ${result.flatnessTrajectory.toFixed(2)}×, pair ${result.flatnessPair.toFixed(2)}× ` +
        `(target ≤ ${FLATNESS_TARGET}×: ${verdict(result.flatnessTrajectory <= FLATNESS_TARGET && result.flatnessPair <= FLATNESS_TARGET)})`,
    );
    printTable(
      `Explicit NTK (ntk(snapshot, X'), a (P'·No)×(P'·No) matrix)`,
      ["P'", 'size', 'time'],
      ntkRows.map((r) => [r.probes, `${r.size}×${r.size}`, formatMs(r.ms)]),
    );
  }
  if (write) {
    writeResults('kernel-distance', {
      benchmark: 'kernel-distance',
      description:
        "Kernel distance vs number of probes P' (ms per call, tinybench median). trajectoryGram = kernelDistanceTrajectory(dynamics, 50 times, { gram: G }) and " +
        'pairGram = kernelDistance(a, b, { gram: G }) with G = X\'X\'ᵀ formed once outside the timing: the per-pair cost, which must be flat in P\'. ' +
        "trajectoryInputs = the same trajectory with { inputs: X' } (forms G, O(Ni²P')); gramBuild = X'X'ᵀ alone; ntk = the explicit (P'·No)² kernel.",
      machine: machineInfo(),
      config: { ni: n, nh: n, no: n, times: times.length },
      target: `flatness <= ${FLATNESS_TARGET}`,
      flatnessTrajectory: round(result.flatnessTrajectory, 3),
      flatnessPair: round(result.flatnessPair, 3),
      rows: rows.map((r) => ({
        probes: r.probes,
        trajectoryGramMs: round(r.trajectoryGram),
        pairGramMs: round(r.pairGram),
        trajectoryInputsMs: round(r.trajectoryInputs),
        gramBuildMs: round(r.gramBuild),
      })),
      ntk: ntkRows.map((r) => ({ probes: r.probes, size: r.size, ms: round(r.ms) })),
    });
  }
  return result;
}
