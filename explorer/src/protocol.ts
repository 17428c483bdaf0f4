/**
 * Messages between the page and the gradient-descent Web Worker (worker.ts).
 *
 * @module
 */
import type { ExplorerState } from './defaults.js';

/** Page → worker: simulate gradient descent for these settings. */
export interface SimulateRequest {
  type: 'simulate';
  /** Echoed in every reply, so the page can ignore replies to a superseded request. */
  id: number;
  state: ExplorerState;
}

/** One recorded gradient-descent state, at time t = step·η (τ = 1). */
export interface SimulationPoint {
  t: number;
  /** ½‖Σyx − W2W1‖²_F. */
  loss: number;
  /** Mode strengths in the exact dynamics' singular basis. */
  strengths: number[];
  /** Kernel distance from the initial weights. */
  kernelDistance: number;
}

/** Worker → page. */
export type WorkerReply =
  | { type: 'progress'; id: number; done: number; total: number }
  | {
      type: 'result';
      id: number;
      points: SimulationPoint[];
      steps: number;
      learningRate: number;
      elapsedMs: number;
      /** The first rise of the recorded loss (η too large for stable descent), if any. */
      lossRose?: { from: number; to: number; t: number };
    }
  | { type: 'error'; id: number; message: string };
