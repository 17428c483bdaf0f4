/**
 * The gradient-descent Web Worker: runs full-batch gradient descent (the library's
 * `gradientDescentFromTask`) from the page's initial weights, in segments, posting a
 * progress message after each, then the recorded points. Running here keeps the page
 * responsive.
 *
 * @module
 */
import { DivergenceError, gradientDescentFromTask, kernelDistance, modeStrengths, type Matrix } from '../../src/index.js';
import { LIMITS, SIMULATION_POINTS } from './defaults.js';
import { buildDynamics, buildTask, buildWeights } from './model.js';
import { firstLossRise } from '../../src/simulation/gradient-descent.js';
import type { SimulateRequest, SimulationPoint, WorkerReply } from './protocol.js';

/** The part of the worker's global scope this file uses (the DOM lib types `self` as a Window). */
interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<SimulateRequest>) => void): void;
}
const scope = self as unknown as WorkerScope;

/**
 * Simulates gradient descent for `request.state` up to its horizon, recording
 * `SIMULATION_POINTS` + 1 states; `report` is called after every segment.
 */
export function simulate(request: SimulateRequest, report: (reply: WorkerReply) => void): void {
  const { state, id } = request;
  const started = performance.now();
  const eta = state.learningRate;
  const steps = Math.max(1, Math.round(state.horizon / eta));
  if (steps > LIMITS.maxSteps) {
    throw new Error(
      `${steps.toLocaleString('en')} steps (horizon ${state.horizon} τ / η = ${eta}) is more than ${LIMITS.maxSteps.toLocaleString('en')}: raise η.`,
    );
  }
  const task = buildTask(state);
  const basis = buildDynamics(state, task).singularVectors;
  let { w1, w2 }: { w1: Matrix; w2: Matrix } = buildWeights(state, task);
  const initial = { w1, w2 };
  // An odd number of steps between records: an even one hides a two-step oscillation (every
  // record lands on the same half of it: η = 0.22 bounced at loss 0.91 / 0.54 unseen).
  let segment = Math.max(1, Math.ceil(steps / SIMULATION_POINTS));
  if (segment > 1 && segment % 2 === 0) segment++;
  const record = (step: number, loss: number): SimulationPoint => ({
    t: step * eta,
    loss,
    strengths: modeStrengths({ w1, w2 }, task.sigmaYX, { basis }).strengths,
    kernelDistance: step === 0 ? 0 : kernelDistance(initial, { w1, w2 }),
  });
  const points: SimulationPoint[] = [];
  let done = 0;
  while (done < steps) {
    const n = Math.min(segment, steps - done);
    let run: ReturnType<typeof gradientDescentFromTask>;
    try {
      run = gradientDescentFromTask({ w1, w2, sigmaYX: task.sigmaYX, learningRate: eta, steps: n, recordEvery: n });
    } catch (error) {
      // The segment counts its own steps; report the step of the whole run.
      if (!(error instanceof DivergenceError)) throw error;
      const step = done + error.step;
      throw new Error(
        `gradient descent diverged: the weights overflowed at step ${step.toLocaleString('en')} of ${steps.toLocaleString('en')} ` +
          `(t = ${Number((step * eta).toPrecision(4))}). η = ${eta} is too large for this network and task: lower η.`,
      );
    }
    if (done === 0) points.push(record(0, run.loss[0]));
    w1 = run.w1[run.w1.length - 1];
    w2 = run.w2[run.w2.length - 1];
    done += n;
    points.push(record(done, run.loss[run.loss.length - 1]));
    report({ type: 'progress', id, done, total: steps });
  }
  // Gradient descent with a small enough η never raises the loss; a rise means it oscillates.
  const rise = firstLossRise(points.map((p) => p.loss));
  const lossRose = rise > 0 ? { from: points[rise - 1].loss, to: points[rise].loss, t: points[rise].t } : undefined;
  report({ type: 'result', id, points, steps, learningRate: eta, elapsedMs: performance.now() - started, lossRose });
}

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request?.type !== 'simulate') return;
  try {
    simulate(request, (reply) => scope.postMessage(reply));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    scope.postMessage({ type: 'error', id: request.id, message });
  }
});
