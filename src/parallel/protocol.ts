/**
 * The messages between the pool of 'exact-dln/parallel' and its worker threads: one job
 * asks one worker for one curve kind on a contiguous part of a time grid, or for a
 * contiguous part of a sweep's cells. Matrices travel
 * as row-major Float64Arrays (structured clone copies them exactly), results as
 * transferred Float64Arrays.
 *
 * @internal
 * @module
 */
import { Matrix } from 'ml-matrix';
import { toArray } from '../linalg/dense.js';
import type { KernelBackend } from '../linalg/wasm.js';
import type { LazyRichRow } from '../analysis/lazy-rich-sweep.js';
import type { ProbeGeometry } from '../analysis/kernel-distance.js';
import type { BalancedBasis } from '../core/weights.js';
import type { SnapshotMatrixName } from './index.js';

/** A matrix as it crosses a thread boundary. @internal */
export interface PackedMatrix {
  rows: number;
  columns: number;
  /** Row-major entries. */
  data: Float64Array;
}

/**
 * What a job computes: three `ExactDynamics` methods, `kernelDistanceTrajectory`, or
 * Snapshots' matrices (`trajectory`). @internal
 */
export type CurveKind = 'summaries' | 'lossCurve' | 'modeStrengthCurves' | 'kernelDistance' | 'trajectory';

/** One worker's part of a call. @internal */
export interface CurveJob {
  id: number;
  kind: CurveKind;
  /** The calling thread's kernel settings (`kernelSettings()`), applied before the job. */
  kernels: { backend: KernelBackend | 'auto'; minWork: number };
  w1: PackedMatrix;
  w2: PackedMatrix;
  sigmaYX: PackedMatrix;
  tau: number;
  balanceTolerance: number;
  /** The job's times (already validated). */
  times: Float64Array;
  /**
   * For `kernelDistance`, and for `trajectory` when it asks for the kernel distance too: the
   * probes, as given to `kernelDistanceTrajectory`.
   */
  probes?: { inputs?: PackedMatrix; gram?: PackedMatrix };
  /** For `trajectory`: the Snapshot getters to read at every time, in this order. */
  names?: SnapshotMatrixName[];
  /**
   * For the curve kinds of `summaries`: the latest time of the whole grid, checked first as
   * the serial call checks it (so a refusal names the same time whichever part meets it).
   */
  latest?: number;
}

/** One worker's part of a `lazyRichSweep`: some of its cells, with what they share (`SweepPlan`). @internal */
export interface SweepJob {
  id: number;
  kind: 'sweep';
  kernels: CurveJob['kernels'];
  sigmaYX: PackedMatrix;
  hiddenDim: number;
  time: number;
  tau: number;
  basis: BalancedBasis;
  geometry: ProbeGeometry;
  /** The cells as (λ, scale) pairs, flattened, in the grid's λ-major order. */
  cells: Float64Array;
}

/** Anything a worker is asked. @internal */
export type Job = CurveJob | SweepJob;

/** An error thrown in a worker, with its class name and own fields (e.g. `argument`). @internal */
export interface ErrorReport {
  name: string;
  message: string;
  stack: string | undefined;
  fields: Record<string, unknown>;
}

/** A worker's answer to a {@link Job}. @internal */
export type JobResult =
  | {
      id: number;
      ok: true;
      loss?: Float64Array;
      modeStrengths?: Float64Array[];
      offDiagonal?: Float64Array;
      distance?: number[];
      rows?: LazyRichRow[];
      /** For `trajectory`: per name, the matrix at each of the job's times. */
      matrices?: Partial<Record<SnapshotMatrixName, PackedMatrix[]>>;
    }
  | { id: number; ok: false; error: ErrorReport };

/** A copy of `m`'s entries with its shape (`toArray` copies; its buffer may be transferred). @internal */
export function packMatrix(m: Matrix): PackedMatrix {
  return { rows: m.rows, columns: m.columns, data: toArray(m) };
}

/** The Matrix of a {@link PackedMatrix} (same entries, bit for bit). @internal */
export function unpackMatrix(p: PackedMatrix): Matrix {
  return Matrix.from1DArray(p.rows, p.columns, p.data);
}
