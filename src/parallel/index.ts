/**
 * exact-dln/parallel — learning curves, kernel drift, lazy–rich sweeps and the Snapshots'
 * matrices evaluated on several CPU cores (Node.js worker threads).
 *
 * The core's closed form costs O(n³) per time point and the points are independent, so a
 * long time grid splits into one contiguous part per worker; each worker runs the core's
 * own `exactDynamics(...)` (and `kernelDistanceTrajectory`) on its part, so the curves are
 * those of the serial functions bit for bit. The cells of a `lazyRichSweep` grid are
 * independent too, and split the same way. Start a pool with {@link createDynamicsPool}, ask it for curves
 * ({@link DynamicsPool}), close it when done. Node.js only; the core entry point
 * (`exact-dln`) does not load it.
 *
 * @packageDocumentation
 * @module exact-dln/parallel
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Matrix } from 'ml-matrix';
import { probeGeometry, probeMatrices, type KernelDistanceOptions } from '../analysis/kernel-distance.js';
import { assertTimesArgument, type KernelDistanceTrajectory } from '../analysis/kernel-distance-trajectory.js';
import { sweepPlan, type LazyRichSweep, type LazyRichSweepOptions } from '../analysis/lazy-rich-sweep.js';
import { validatedDynamicsInputs, type ExactDynamicsOptions } from '../core/exact-dynamics.js';
import type { TrajectorySummaries } from '../core/trajectory-summaries.js';
import * as errors from '../errors.js';
import { adoptArray } from '../linalg/dense.js';
import { kernelSettings } from '../linalg/wasm.js';
import { assertInteger, assertKnownOptions, toTimes } from '../validation.js';
import { packMatrix, type CurveJob, type CurveKind, type ErrorReport, type Job, type JobResult } from './protocol.js';

/**
 * Options of {@link createDynamicsPool}.
 *
 * @example
 * ```ts
 * import type { DynamicsPoolOptions } from 'exact-dln/parallel';
 * const options: DynamicsPoolOptions = { threads: 2 };
 * ```
 */
export interface DynamicsPoolOptions {
  /**
   * The number of worker threads, an integer from 1 to max(16, 4 × the cores); default
   * `os.availableParallelism()` (the calling thread only splits the grid and joins the
   * parts while they run).
   */
  threads?: number;
  /**
   * Where the worker's code is, as a `file:` URL or a path. By default the pool starts
   * `parallel-worker.js` next to its own module, as installed (`exact-dln/dist`). An
   * application that bundles `exact-dln/parallel` into its own files must bundle the worker
   * too — the entry point `exact-dln/parallel-worker`, as a separate output file — and pass
   * that file here, e.g. `new URL('./parallel-worker.js', import.meta.url)`.
   */
  workerUrl?: string | URL;
}

/**
 * A matrix a {@link DynamicsPool} can read off the Snapshots of a trajectory — the name of
 * the `Snapshot` getter: `'qqt'` (QQᵀ, N×N with N = Ni + No), `'w2w1'` (the network
 * function, No×Ni), `'w1tw1'` and `'w2w2t'` (the hidden representations, Ni×Ni and No×No),
 * `'factor'` ([W1ᵀ; W2] up to a hidden rotation, N×Nh) and `'singularProduct'`
 * (Ũᵀ W2W1 Ṽ, No×Ni: the mode strengths on its diagonal).
 *
 * @example
 * ```ts
 * import type { SnapshotMatrixName } from 'exact-dln/parallel';
 * const names: SnapshotMatrixName[] = ['w1tw1', 'w2w2t'];
 * ```
 */
export type SnapshotMatrixName = 'qqt' | 'w2w1' | 'w1tw1' | 'w2w2t' | 'factor' | 'singularProduct';

/** The getters {@link DynamicsPool.trajectory} accepts, in the order of the docs. */
const SNAPSHOT_MATRIX_NAMES: readonly SnapshotMatrixName[] = ['qqt', 'w2w1', 'w1tw1', 'w2w2t', 'factor', 'singularProduct'];

/**
 * What {@link DynamicsPool.trajectory} returns: the times, the loss at each, and for each
 * asked-for name the Snapshots' matrices in time order (`result.w1tw1[k]` is
 * `exactDynamics(options).at(times[k]).w1tw1`, bit for bit).
 *
 * @example
 * ```ts
 * import type { TrajectoryMatrices } from 'exact-dln/parallel';
 * function lastHiddenRepresentation(result: TrajectoryMatrices<'w1tw1'>) {
 *   return result.w1tw1[result.w1tw1.length - 1];
 * }
 * ```
 */
export type TrajectoryMatrices<N extends SnapshotMatrixName> = {
  /** The times, as given. */
  times: Float64Array;
  /** `snapshot.loss` at every time: ½‖Σyx − W2W1‖²_F. */
  loss: Float64Array;
} & { [K in N]: Matrix[] };

/**
 * Worker threads that evaluate the learning curves, the kernel distance and the Snapshots'
 * matrices of `exactDynamics(options)` on parts of a time grid, or the cells of a lazy–rich
 * sweep, in parallel; see {@link createDynamicsPool}. Each method validates its
 * arguments in the calling thread and rejects with the error `exactDynamics` or the serial
 * method would throw (same class, same message) before any work is sent out.
 *
 * @example
 * ```ts
 * import { lambdaBalancedWeights, randomTask } from 'exact-dln';
 * import { createDynamicsPool } from 'exact-dln/parallel';
 * const task = randomTask({ inputDim: 8, outputDim: 8, samples: 80, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 0.01, seed: 2 });
 * const pool = createDynamicsPool({ threads: 2 });
 * const loss = await pool.lossCurve({ w1, w2, sigmaYX: task.sigmaYX }, Float64Array.from({ length: 100 }, (_, k) => k / 10));
 * await pool.close();
 * console.log(loss.length); // 100
 * ```
 */
export interface DynamicsPool {
  /** The number of worker threads. */
  readonly threads: number;
  /**
   * `exactDynamics(options).summaries(times)` (loss, mode strengths and off-diagonal norm
   * at every time), computed in parts on the workers: the same numbers, bit for bit.
   * Rejects as `exactDynamics(options)` and `summaries(times)` throw.
   */
  summaries(options: ExactDynamicsOptions, times: readonly number[] | Float64Array): Promise<TrajectorySummaries>;
  /** `exactDynamics(options).lossCurve(times)`, computed in parts on the workers (bit for bit). */
  lossCurve(options: ExactDynamicsOptions, times: readonly number[] | Float64Array): Promise<Float64Array>;
  /** `exactDynamics(options).modeStrengthCurves(times)`, computed in parts on the workers (bit for bit). */
  modeStrengthCurves(options: ExactDynamicsOptions, times: readonly number[] | Float64Array): Promise<Float64Array[]>;
  /**
   * The loss and the named matrices of every Snapshot of
   * `exactDynamics(options).trajectory(times)` — full QQᵀ, the network function, the hidden
   * representations — computed in parts on the workers. Bit for bit what a serial loop
   * reading `snap.loss` and then the getters in the order of `names` gives (the order can
   * change the last bits of W2W1 for wide and tall networks). Each matrix is new memory the
   * workers fill, and on the 2-core machine of docs/performance.md two threads filling
   * fresh memory slow each other down: QQᵀ of a 128×128×128 network takes 1.6 ms per point
   * on the pool instead of 2.3 ms, and at n = 64 the pool gains nothing or loses. Mind the
   * memory: 1000 QQᵀ of that network take 0.5 GB. Rejects as the serial calls throw, and
   * with an `InvalidArgumentError` for an unknown name.
   *
   * @example
   * ```ts
   * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
   * import { createDynamicsPool } from 'exact-dln/parallel';
   * const task = randomTask({ inputDim: 6, outputDim: 4, samples: 60, seed: 1 });
   * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 6, hiddenDim: 5, outputDim: 4, lambda: -0.5, scale: 0.1, seed: 2 });
   * const pool = createDynamicsPool({ threads: 2 });
   * const times = [0, 1, 2, 4, 8];
   * const { loss, w1tw1, w2w2t } = await pool.trajectory({ w1, w2, sigmaYX: task.sigmaYX }, times, ['w1tw1', 'w2w2t']);
   * await pool.close();
   * console.log(loss.length, w1tw1[4].rows, w2w2t[4].rows); // 5 6 4
   * const snap = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).at(8);
   * console.log(snap.w1tw1.get(0, 0) === w1tw1[4].get(0, 0)); // true
   * ```
   */
  trajectory<N extends SnapshotMatrixName>(
    options: ExactDynamicsOptions,
    times: readonly number[] | Float64Array,
    names: readonly N[],
  ): Promise<TrajectoryMatrices<N>>;
  /**
   * {@link DynamicsPool.trajectory | trajectory(options, times, names)} and, from the same
   * Snapshots, the kernel distance at every time: `kernelDistance[k]` is
   * `kernelDistanceTrajectory(exactDynamics(options), times, probes).distance[k]` bit for bit,
   * without solving each time a second time as two calls would. `kernelDistance: true` for
   * whitened probes, or the probes as `kernelDistanceTrajectory` takes them (`{ inputs }` or
   * `{ gram }`). Rejects as the serial calls throw, and with an `InvalidArgumentError` for
   * an unknown name or option.
   *
   * @example
   * ```ts
   * import { kernelDistanceTrajectory, exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
   * import { createDynamicsPool } from 'exact-dln/parallel';
   * const task = randomTask({ inputDim: 8, outputDim: 8, samples: 80, seed: 1 });
   * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 0.01, seed: 2 });
   * const pool = createDynamicsPool({ threads: 2 });
   * const times = [0, 2, 4, 8, 16];
   * const { w1tw1, kernelDistance } = await pool.trajectory({ w1, w2, sigmaYX: task.sigmaYX }, times, ['w1tw1'], { kernelDistance: true });
   * await pool.close();
   * const serial = kernelDistanceTrajectory(exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }), times);
   * console.log(w1tw1.length, kernelDistance.every((d, k) => d === serial.distance[k])); // 5 true
   * ```
   */
  trajectory<N extends SnapshotMatrixName>(
    options: ExactDynamicsOptions,
    times: readonly number[] | Float64Array,
    names: readonly N[],
    also: { kernelDistance: true | KernelDistanceOptions },
  ): Promise<TrajectoryMatrices<N> & { kernelDistance: number[] }>;
  /**
   * `kernelDistanceTrajectory(exactDynamics(options), times, probes)` — the distance of the
   * NTK at each time from the kernel at t = 0 (MATH.md §6) — computed in parts on the
   * workers (bit for bit). Each worker forms the probes' geometry itself, so for many probes
   * pass their Gram matrix (`{ gram }`, Ni×Ni) rather than `{ inputs }` (Ni×P′, copied to
   * every worker). Rejects as the serial call throws.
   */
  kernelDistanceTrajectory(
    options: ExactDynamicsOptions,
    times: readonly number[] | Float64Array,
    probes?: KernelDistanceOptions,
  ): Promise<KernelDistanceTrajectory>;
  /**
   * `lazyRichSweep(options)` with the grid's cells (λ-major, as the serial rows) split over
   * the workers: the same rows, bit for bit. The grid is validated, the random part of the
   * weights drawn and the probes' geometry formed once, in the calling thread; each worker
   * computes its cells' trajectories. Rejects as the serial call throws.
   */
  lazyRichSweep(options: LazyRichSweepOptions): Promise<LazyRichSweep>;
  /**
   * Stops the workers; calls still running reject, later calls reject with an
   * `InvalidArgumentError` (exported by 'exact-dln'). Idle workers do not keep a program alive, so a script
   * that forgets `close()` still ends; closing frees their memory sooner.
   */
  close(): Promise<void>;
}

/** One worker and the jobs it has not answered yet. */
interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>;
}

/**
 * Where the worker's code is: `given` (checked to exist), or next to this module in the
 * build (dist/parallel-worker.js); from the TypeScript sources (tests, benchmarks),
 * src/parallel/worker.ts through tsx.
 */
function workerUrl(given: unknown): URL {
  if (given !== undefined) {
    let url: URL;
    if (given instanceof URL) url = given;
    // file:… and scheme://… are URLs ('https://x/w.js' was read as a relative path), anything else a path (also 'v2:w.js', 'C:\\w.js').
    else if (typeof given === 'string' && given !== '') url = given.startsWith('file:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? new URL(given) : pathToFileURL(given);
    else throw new errors.InvalidArgumentError(`invalid argument. \`workerUrl\` must be a file: URL or a path (string or URL) of the worker's code; got ${given === '' ? 'an empty string' : typeof given}.`, 'workerUrl');
    if (url.protocol !== 'file:' || !existsSync(url) || !statSync(url).isFile()) {
      throw new errors.InvalidArgumentError(`invalid argument. \`workerUrl\` must name an existing file (a bundle of exact-dln/parallel-worker); there is none at ${url.href}.`, 'workerUrl');
    }
    return url;
  }
  const url = import.meta.url.endsWith('.ts') ? new URL('./worker-source.mjs', import.meta.url) : new URL('./parallel-worker.js', import.meta.url);
  if (url.protocol === 'file:' && !existsSync(url)) {
    throw new errors.ExactDlnError(
      `exact-dln/parallel: its worker's code is missing (no file at ${url.href}). If exact-dln/parallel was bundled into this application, ` +
        "bundle 'exact-dln/parallel-worker' as a file of its own too and pass it as createDynamicsPool({ workerUrl }).",
    );
  }
  return url;
}

/**
 * The probes of a kernel-distance call on networks with `ni` inputs, checked as
 * `kernelDistanceTrajectory` checks them — their kind (`probeMatrices`), shapes and values
 * (`probeGeometry`: a Gram matrix's definiteness, zero probes), with the serial errors, here
 * in the calling thread before any work is sent out (wrong probes were found only by the
 * workers, after each had set up the network) — and copied for the workers.
 */
function packProbes(probes: KernelDistanceOptions | undefined, ni: number): CurveJob['probes'] {
  const { inputs, gram } = probeMatrices(probes ?? {});
  probeGeometry(probes ?? {}, ni, false);
  return { ...(inputs !== undefined ? { inputs: packMatrix(inputs) } : {}), ...(gram !== undefined ? { gram: packMatrix(gram) } : {}) };
}

/** `names` checked to be an array of {@link SnapshotMatrixName}s, copied. */
function checkNames<N extends SnapshotMatrixName>(names: readonly N[]): N[] {
  const list = SNAPSHOT_MATRIX_NAMES.map((n) => `'${n}'`).join(', ');
  if (!Array.isArray(names)) {
    throw new errors.InvalidArgumentError(`invalid argument. \`names\` must be an array of Snapshot matrix names (${list}); got ${typeof names}.`, 'names');
  }
  // By index: forEach skipped the holes of a sparse array ([, 'qqt']), which then failed in the workers.
  for (let k = 0; k < names.length; k++) {
    if (!SNAPSHOT_MATRIX_NAMES.includes(names[k])) {
      throw new errors.InvalidArgumentError(`invalid argument. names[${k}] = ${String(JSON.stringify(names[k]))} is not a Snapshot matrix name; expected one of ${list}.`, 'names');
    }
  }
  return Array.from(names);
}

/**
 * The probes of `trajectory`'s fourth argument, packed for the workers (as
 * {@link packProbes}), or undefined when the kernel distance is not asked for.
 */
function alsoProbes(also: unknown, ni: number): CurveJob['probes'] {
  if (also === undefined) return undefined;
  const expected = 'an options object { kernelDistance: true | { inputs } | { gram } }';
  if (also === null || typeof also !== 'object' || Array.isArray(also)) {
    throw new errors.InvalidArgumentError(`invalid argument. The fourth argument of trajectory must be ${expected}; got ${also === null ? 'null' : typeof also}.`, 'also');
  }
  for (const key of Object.keys(also)) {
    if (key !== 'kernelDistance') throw new errors.InvalidArgumentError(`invalid argument. Unknown option \`${key}\` of trajectory; expected ${expected}.`, 'also');
  }
  const asked = (also as { kernelDistance?: unknown }).kernelDistance;
  if (asked === undefined || asked === false) return undefined;
  if (asked === true) return packProbes({}, ni);
  if (asked === null || typeof asked !== 'object') {
    throw new errors.InvalidArgumentError(`invalid argument. \`kernelDistance\` must be true or the probes ({ inputs } or { gram }); got ${asked === null ? 'null' : typeof asked}.`, 'kernelDistance');
  }
  return packProbes(asked as KernelDistanceOptions, ni);
}

/** A worker thread's own failure (an 'error' event, not a job's error), as an ExactDlnError with the original as its cause. */
function workerFailure(error: unknown): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  const wrapped = new errors.ExactDlnError(`exact-dln/parallel: a worker thread failed (${cause.name}: ${cause.message}); the next call starts a new one.`);
  Object.defineProperty(wrapped, 'cause', { value: cause, writable: true, configurable: true });
  return wrapped;
}

/** JavaScript's own error classes, rebuilt as themselves (a TypeError stays a TypeError). */
const BUILT_IN_ERRORS: Record<string, new (...args: never[]) => Error> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The error a worker reported, as an instance of the library's (or JavaScript's) class of that name. */
function rebuildError(report: ErrorReport): Error {
  const classes = errors as unknown as Record<string, (new (...args: never[]) => Error) | undefined>;
  const library = Object.hasOwn(classes, report.name) ? classes[report.name] : undefined;
  const Class = library ?? (Object.hasOwn(BUILT_IN_ERRORS, report.name) ? BUILT_IN_ERRORS[report.name] : Error);
  const error = Object.create(Class.prototype) as Error;
  Object.defineProperty(error, 'message', { value: report.message, writable: true, configurable: true });
  Object.assign(error, report.fields);
  if (report.stack !== undefined) Object.defineProperty(error, 'stack', { value: report.stack, writable: true, configurable: true });
  return error;
}

/**
 * Starts a pool of worker threads for evaluating learning curves (`summaries`,
 * `lossCurve`, `modeStrengthCurves`), the kernel distance (`kernelDistanceTrajectory`),
 * lazy–rich sweeps (`lazyRichSweep`) and the Snapshots' matrices (`trajectory`: QQᵀ, W2W1,
 * W1ᵀW1, W2W2ᵀ, …) on several cores.
 *
 * Each call validates its arguments in the calling thread, splits the time grid into one
 * contiguous part per worker (fewer for short grids), and each worker evaluates
 * `exactDynamics(options)` on its part with the calling thread's kernel settings
 * (`setKernelBackend`), so results equal the serial methods' bit for bit. A worker keeps
 * the dynamics of the last inputs it saw, so further calls on the same network skip the
 * set-up. Worth it for long grids on large networks: on the 2-core machine of
 * docs/performance.md, 1000 points of a 128×128×128 network take 0.46 s instead of 0.85 s.
 * The workers start when the pool is created and take about 0.3–0.5 s to load
 * and warm up; create a pool once and reuse it.
 *
 * @param options - `threads`: the number of workers (default `os.availableParallelism()`);
 *   `workerUrl`: the worker's code, for applications that bundle this module (see
 *   {@link DynamicsPoolOptions.workerUrl}).
 * @returns the pool; call `close()` when done.
 * @throws `InvalidArgumentError` (exported by 'exact-dln') if `threads` is not an integer ≥ 1
 *   or is above max(16, 4 × the cores), or `workerUrl` names no file; `ExactDlnError` if the default worker file is missing.
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * import { createDynamicsPool } from 'exact-dln/parallel';
 * const task = randomTask({ inputDim: 16, outputDim: 16, samples: 100, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 16, hiddenDim: 16, outputDim: 16, lambda: 0.25, scale: 0.05, seed: 2 });
 * const times = Float64Array.from({ length: 1000 }, (_, k) => (k + 1) / 50);
 * const pool = createDynamicsPool({ threads: 2 });
 * const curves = await pool.summaries({ w1, w2, sigmaYX: task.sigmaYX }, times);
 * await pool.close();
 * const serial = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).summaries(times);
 * console.log(curves.loss.every((l, k) => l === serial.loss[k])); // true
 * ```
 */
export function createDynamicsPool(options: DynamicsPoolOptions = {}): DynamicsPool {
  if (options === null || typeof options !== 'object') {
    throw new errors.InvalidArgumentError('invalid argument. createDynamicsPool expects an options object { threads?, workerUrl? }.', 'options');
  }
  assertKnownOptions(options, 'createDynamicsPool', { threads: true, workerUrl: true } satisfies Record<keyof DynamicsPoolOptions, true>);
  const cores = availableParallelism();
  const threads = options.threads ?? cores;
  assertInteger(threads, 'threads', 1);
  // Every worker starts at once and holds its own copy of the library (≈ 10 MB, 0.3–0.5 s to
  // start): 1000 of them took minutes and ≈ 10 GB before the first answer. Beyond the cores
  // they add nothing but memory.
  const maxThreads = Math.max(16, 4 * cores);
  if (threads > maxThreads) {
    throw new errors.InvalidArgumentError(
      `invalid argument. \`threads\` = ${threads} is more than ${maxThreads} (4 per core on this machine's ${cores}, at least 16): ` +
        'each worker starts at once with its own copy of the library, and workers beyond the cores only add memory.',
      'threads',
    );
  }
  const url = workerUrl(options.workerUrl);
  const slots: Array<Slot | undefined> = new Array<Slot | undefined>(threads).fill(undefined);
  let closed = false;
  let nextId = 0;

  const fail = (slot: Slot, error: Error): void => {
    const index = slots.indexOf(slot);
    if (index >= 0) slots[index] = undefined; // the next call starts a new worker
    for (const job of slot.pending.values()) job.reject(error);
    slot.pending.clear();
  };

  const slotAt = (index: number): Slot => {
    const existing = slots[index];
    if (existing !== undefined) return existing;
    // Started from a one-line script that imports the worker's module: the worker inherits the
    // process's Node.js options as Node filters them for workers (an explicit execArgv would
    // have to be valid in a worker: --max-old-space-size, --trace-gc, … are not), and
    // --input-type, which makes a worker started from a file fail, applies to that script.
    const worker = new Worker(`import(${JSON.stringify(url.href)});`, { eval: true });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (result: JobResult) => {
      const job = slot.pending.get(result.id);
      slot.pending.delete(result.id);
      if (slot.pending.size === 0) worker.unref();
      job?.resolve(result);
    });
    // An error outside a job (the worker's own failure: out of memory, a broken worker
    // script) as the library's error, with the original as its cause (it reached the caller
    // as a raw TypeError or an Error with code ERR_WORKER_OUT_OF_MEMORY).
    worker.on('error', (error) => fail(slot, workerFailure(error)));
    worker.on('exit', (code) => {
      fail(
        slot,
        new errors.ExactDlnError(closed ? 'exact-dln/parallel: the pool was closed while this call ran.' : `exact-dln/parallel: a worker thread stopped (exit code ${code}).`),
      );
    });
    // Idle workers must not keep the program alive — unref after the listeners: adding a
    // 'message' listener refs the worker's port again (a pool that never ran a call kept
    // its script from ending).
    worker.unref();
    slots[index] = slot;
    return slot;
  };

  // Start every worker now: loading the library and compiling its WebAssembly (≈ 0.3–0.5 s
  // per worker) overlaps with whatever the caller does before the first call.
  for (let i = 0; i < threads; i++) slotAt(i);

  const send = (index: number, job: Job): Promise<JobResult> => {
    const slot = slotAt(index);
    return new Promise<JobResult>((resolve, reject) => {
      slot.pending.set(job.id, { resolve, reject });
      slot.worker.ref(); // a call in flight keeps the program alive
      slot.worker.postMessage(job, [(job.kind === 'sweep' ? job.cells : job.times).buffer as ArrayBuffer]);
    });
  };

  /** Sends one job per part (in order) and returns the answers in that order, or throws the first part's error. */
  const sendParts = async (jobs: Job[]): Promise<Array<JobResult & { ok: true }>> => {
    const results = await Promise.all(jobs.map((job, p) => send(p, job)));
    for (const r of results) if (!r.ok) throw rebuildError(r.error);
    return results as Array<JobResult & { ok: true }>;
  };

  /** `bounds[p] … bounds[p + 1]`: part p of `count` items split over at most `threads` parts. */
  const split = (count: number): number[] => {
    const parts = Math.max(1, Math.min(threads, count));
    return Array.from({ length: parts + 1 }, (_, p) => Math.round((p * count) / parts));
  };

  const assertOpen = (): void => {
    if (closed) throw new errors.InvalidArgumentError('invalid argument. This DynamicsPool was closed; create a new one with createDynamicsPool().', 'pool');
  };

  /** Sends one curve kind to the workers, one contiguous part of the grid each; their answers in time order. */
  const dispatch = async (
    kind: CurveKind,
    dynamicsOptions: ExactDynamicsOptions,
    timesArg: readonly number[] | Float64Array,
    extra: (ni: number) => Pick<CurveJob, 'probes' | 'names'> = () => ({}),
  ): Promise<{ times: Float64Array; bounds: number[]; results: Array<JobResult & { ok: true }> }> => {
    assertOpen();
    const inputs = validatedDynamicsInputs(dynamicsOptions);
    const times = Float64Array.from(toTimes(timesArg, 'times'));
    const more = extra(inputs.w1.columns);
    const shared = {
      kind,
      kernels: kernelSettings(),
      w1: packMatrix(inputs.w1),
      w2: packMatrix(inputs.w2),
      sigmaYX: packMatrix(inputs.sigmaYX),
      tau: inputs.tau,
      balanceTolerance: inputs.balanceTolerance,
      ...more,
    };
    // The curves of `summaries` refuse the grid's latest time first, as the serial call does.
    const latest = kind === 'summaries' || kind === 'lossCurve' || kind === 'modeStrengthCurves' ? times.reduce((m, t) => Math.max(m, t), 0) : undefined;
    const bounds = split(times.length);
    const results = await sendParts(
      bounds.slice(1).map((end, p) => ({ ...shared, ...(latest !== undefined ? { latest } : {}), id: nextId++, times: times.slice(bounds[p], end) })),
    );
    return { times, bounds, results };
  };

  /** One curve kind of `summaries`, the parts joined in time order. */
  const curves = async (kind: CurveKind, dynamicsOptions: ExactDynamicsOptions, timesArg: readonly number[] | Float64Array): Promise<TrajectorySummaries> => {
    const { times, bounds, results } = await dispatch(kind, dynamicsOptions, timesArg);
    const join = (pick: (r: JobResult & { ok: true }) => Float64Array | undefined): Float64Array => {
      const out = new Float64Array(times.length);
      results.forEach((r, p) => {
        const part = pick(r);
        if (part !== undefined) out.set(part, bounds[p]);
      });
      return out;
    };
    const modes = results[0].modeStrengths?.length ?? 0;
    return {
      times,
      loss: join((r) => r.loss),
      modeStrengths: Array.from({ length: modes }, (_, a) => join((r) => r.modeStrengths?.[a])),
      offDiagonal: join((r) => r.offDiagonal),
    };
  };

  return {
    threads,
    summaries: (o, t) => curves('summaries', o, t),
    lossCurve: async (o, t) => (await curves('lossCurve', o, t)).loss,
    modeStrengthCurves: async (o, t) => (await curves('modeStrengthCurves', o, t)).modeStrengths,
    async lazyRichSweep(options) {
      assertOpen();
      const plan = sweepPlan(options);
      const cells = plan.lambdas.flatMap((lambda) => plan.scales.flatMap((scale) => [lambda, scale]));
      const shared = {
        kind: 'sweep' as const,
        kernels: kernelSettings(),
        sigmaYX: packMatrix(plan.sigmaYX),
        hiddenDim: plan.hiddenDim,
        time: plan.time,
        tau: plan.tau,
        basis: plan.basis,
        geometry: plan.geometry,
      };
      const bounds = split(cells.length / 2);
      const results = await sendParts(bounds.slice(1).map((end, p) => ({ ...shared, id: nextId++, cells: Float64Array.from(cells.slice(2 * bounds[p], 2 * end)) })));
      return {
        inputDim: plan.sigmaYX.columns,
        hiddenDim: plan.hiddenDim,
        outputDim: plan.sigmaYX.rows,
        time: plan.time,
        rows: results.flatMap((r) => r.rows ?? []),
      };
    },
    async trajectory<N extends SnapshotMatrixName>(
      o: ExactDynamicsOptions,
      t: readonly number[] | Float64Array,
      names: readonly N[],
      also?: { kernelDistance: true | KernelDistanceOptions },
    ): Promise<TrajectoryMatrices<N> & { kernelDistance: number[] }> {
      assertOpen(); // before the names: a closed pool says so first
      const checked = checkNames(names);
      const { times, bounds, results } = await dispatch('trajectory', o, t, (ni) => {
        const probes = alsoProbes(also, ni);
        return probes === undefined ? { names: checked } : { names: checked, probes };
      });
      const loss = new Float64Array(times.length);
      results.forEach((r, p) => loss.set(r.loss!, bounds[p]));
      const out: Record<string, unknown> = { times, loss };
      for (const name of checked) out[name] = results.flatMap((r) => r.matrices![name]!.map((m) => adoptArray(m.data, m.rows, m.columns)));
      if (results[0].distance !== undefined) out.kernelDistance = results.flatMap((r) => r.distance!);
      return out as TrajectoryMatrices<N> & { kernelDistance: number[] };
    },
    async kernelDistanceTrajectory(o, t, probes) {
      assertOpen();
      assertTimesArgument(t); // the serial call's own refusal (toTimes's said less)
      const { times, results } = await dispatch('kernelDistance', o, t, (ni) => ({ probes: packProbes(probes, ni) }));
      return { times: Array.from(times), distance: results.flatMap((r) => r.distance ?? []) };
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all(slots.map((slot) => slot?.worker.terminate()));
      slots.fill(undefined);
    },
  };
}
