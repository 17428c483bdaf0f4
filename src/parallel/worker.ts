/**
 * The worker thread of 'exact-dln/parallel' (built to dist/parallel-worker.js): answers
 * {@link Job}s with the core's own `exactDynamics(...)` methods and Snapshot getters,
 * `kernelDistanceTrajectory` and the cells of `lazyRichSweep`, so a pool's curves
 * are the serial ones bit for bit. The dynamics of the last inputs (and kernel settings) is
 * kept, so consecutive calls on one network (a loss curve, then mode strengths, or several
 * grids) set it up once per worker.
 *
 * @internal
 * @module
 */
import { parentPort } from 'node:worker_threads';
import type { KernelDistanceOptions } from '../analysis/kernel-distance.js';
import { kernelDistanceOfSnapshots, kernelDistanceTrajectory } from '../analysis/kernel-distance-trajectory.js';
import { sweepCell } from '../analysis/lazy-rich-sweep.js';
import { exactDynamics, type ExactDynamics } from '../core/exact-dynamics.js';
import type { Snapshot } from '../core/snapshot.js';
import { setKernelBackend } from '../linalg/wasm.js';
import type { SnapshotMatrixName } from './index.js';
import { packMatrix, unpackMatrix, type CurveJob, type ErrorReport, type Job, type JobResult, type PackedMatrix, type SweepJob } from './protocol.js';

if (parentPort === null) throw new Error('exact-dln/parallel: this module runs only as a worker thread of a DynamicsPool.');
const port = parentPort;

let last: { job: CurveJob; dynamics: ExactDynamics } | undefined;

function sameMatrix(a: PackedMatrix, b: PackedMatrix): boolean {
  if (a.rows !== b.rows || a.columns !== b.columns) return false;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

function sameInputs(a: CurveJob, b: CurveJob): boolean {
  return (
    a.kernels.backend === b.kernels.backend &&
    a.kernels.minWork === b.kernels.minWork &&
    Object.is(a.tau, b.tau) &&
    Object.is(a.balanceTolerance, b.balanceTolerance) &&
    sameMatrix(a.w1, b.w1) &&
    sameMatrix(a.w2, b.w2) &&
    sameMatrix(a.sigmaYX, b.sigmaYX)
  );
}

function dynamicsFor(job: CurveJob): ExactDynamics {
  if (last !== undefined && sameInputs(last.job, job)) return last.dynamics;
  last = undefined;
  const dynamics = exactDynamics({
    w1: unpackMatrix(job.w1),
    w2: unpackMatrix(job.w2),
    sigmaYX: unpackMatrix(job.sigmaYX),
    tau: job.tau,
    balanceTolerance: job.balanceTolerance,
  });
  last = { job: { ...job, times: new Float64Array(0) }, dynamics };
  return dynamics;
}

function report(error: unknown): ErrorReport {
  if (error instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
    return { name: error.name, message: error.message, stack: error.stack, fields };
  }
  return { name: 'Error', message: String(error), stack: undefined, fields: {} };
}

/** The rows of a sweep job's cells, in order. */
function sweepRows(job: SweepJob): JobResult {
  const plan = { sigmaYX: unpackMatrix(job.sigmaYX), hiddenDim: job.hiddenDim, time: job.time, tau: job.tau, basis: job.basis, geometry: job.geometry };
  const rows = [];
  for (let k = 0; k < job.cells.length; k += 2) rows.push(sweepCell(plan, job.cells[k], job.cells[k + 1]));
  return { id: job.id, ok: true, rows };
}

/**
 * The loss and the asked-for matrices of `dynamics.at(t)` at the job's times: each
 * Snapshot's getters read in the job's order, as a serial loop over `trajectory(times)`
 * reading them in that order would; with `probes`, the kernel distance from the same
 * Snapshots (`kernelDistanceOfSnapshots`, the numbers of `kernelDistanceTrajectory`).
 */
function snapshotMatrices(job: CurveJob, dynamics: ExactDynamics): JobResult {
  const names = job.names ?? [];
  const loss = new Float64Array(job.times.length);
  const matrices: Partial<Record<SnapshotMatrixName, PackedMatrix[]>> = {};
  for (const name of names) matrices[name] = new Array<PackedMatrix>(job.times.length);
  const read = (t: number, k: number): Snapshot => {
    const snap = dynamics.at(t);
    loss[k] = snap.loss;
    for (const name of names) matrices[name]![k] = packMatrix(snap[name]);
    return snap;
  };
  const times = Array.from(job.times);
  if (job.probes === undefined) {
    times.forEach(read);
    return { id: job.id, ok: true, loss, matrices };
  }
  // One Snapshot per time, read and then measured; the distance takes times equal to 0 from
  // its reference without asking `read`, so their Snapshots are read afterwards.
  const distance = kernelDistanceOfSnapshots(dynamics, times, read, probeOptions(job.probes)).distance;
  times.forEach((t, k) => t === 0 && read(t, k));
  return { id: job.id, ok: true, loss, matrices, distance };
}

/** The probes of a kernel-distance job, as the caller gave them to `kernelDistanceTrajectory`. */
function probeOptions(probes: CurveJob['probes']): KernelDistanceOptions {
  const { inputs, gram } = probes ?? {};
  return inputs !== undefined ? { inputs: unpackMatrix(inputs) } : gram !== undefined ? { gram: unpackMatrix(gram) } : {};
}

/** The curves a curve job asks for. */
function curves(job: CurveJob): JobResult {
  const dynamics = dynamicsFor(job);
  if (job.kind === 'kernelDistance') {
    return { id: job.id, ok: true, distance: kernelDistanceTrajectory(dynamics, Array.from(job.times), probeOptions(job.probes)).distance };
  }
  if (job.kind === 'trajectory') return snapshotMatrices(job, dynamics);
  // As summariesOf checks the whole grid's latest time before any point.
  if (job.latest !== undefined) dynamics.at(0).solution.assertResolvedAt(job.latest / job.tau);
  if (job.kind === 'lossCurve') return { id: job.id, ok: true, loss: dynamics.lossCurve(job.times) };
  if (job.kind === 'modeStrengthCurves') return { id: job.id, ok: true, modeStrengths: dynamics.modeStrengthCurves(job.times) };
  const { loss, modeStrengths, offDiagonal } = dynamics.summaries(job.times);
  return { id: job.id, ok: true, loss, modeStrengths, offDiagonal };
}

/** The buffers of a result's Float64Arrays, moved to the calling thread rather than copied. */
function transferable(result: JobResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  if (!result.ok) return [];
  const matrices = Object.values(result.matrices ?? {}).flatMap((list) => list.map((m) => m.data));
  for (const a of [result.loss, result.offDiagonal, ...(result.modeStrengths ?? []), ...matrices]) {
    if (a !== undefined && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  }
  return [...buffers];
}

port.on('message', (job: Job) => {
  let result: JobResult;
  try {
    setKernelBackend(job.kernels.backend, { minWork: job.kernels.minWork });
    result = job.kind === 'sweep' ? sweepRows(job) : curves(job);
  } catch (error) {
    result = { id: job.id, ok: false, error: report(error) };
  }
  port.postMessage(result, transferable(result));
});
