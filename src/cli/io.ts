/**
 * What a CLI command may touch: its output streams, the progress-bar stream and the
 * working folder. `run(argv, io)` takes one, so tests can run commands in-process.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { Matrix } from 'ml-matrix';
import { convergence, lambdaResolution } from '../analysis/convergence.js';
import type { ExactDynamics } from '../core/exact-dynamics.js';
import { ConfigError } from '../io/config-error.js';
import { InvalidArgumentError as LibraryInvalidArgumentError } from '../errors.js';
import { isDecimalNumber } from '../validation.js';
import { createDynamicsPool, type DynamicsPool } from '../parallel/index.js';

/**
 * The input/output of one CLI invocation.
 *
 * @example
 * ```ts
 * import type { CliIo } from 'exact-dln/report';
 * let out = '';
 * const io: CliIo = { out: (s) => { out += s; }, err: () => {}, cwd: process.cwd() };
 * ```
 */
export interface CliIo {
  /**
   * Writes text to standard output (no newline is added). May return a promise that
   * settles when the output can take more (a full pipe): long outputs wait for it.
   */
  out(text: string): void | Promise<void>;
  /** Writes text to standard error (no newline is added). */
  err(text: string): void;
  /** The terminal stream for progress bars; leave undefined for none (e.g. stderr is not a TTY). */
  progress?: NodeJS.WritableStream;
  /** The folder relative paths (`--out`, `--config`) resolve against. */
  cwd: string;
}

/**
 * The process's own input/output: stdout, stderr, and progress bars on stderr when it is a
 * terminal.
 *
 * @returns a {@link CliIo} bound to `process`.
 * @example
 * ```ts
 * import { processIo } from 'exact-dln/report';
 * processIo().out('hello\n');
 * ```
 */
export function processIo(): CliIo {
  return {
    // A full pipe (| gzip, | head) makes write return false: the caller waits for 'drain' (a
    // long output was buffered in memory instead: 1.6 GB for 300 MB of CSV). An error or a
    // closed pipe ends the wait too (exitQuietlyWhenOutputCloses deals with it).
    // (A destroyed stdout — a closed pipe while files are still being written — drops the text
    // at once: it never drains again.)
    out: (text) => (process.stdout.destroyed || process.stdout.write(text) ? undefined : drained(process.stdout)),
    err: (text) => void process.stderr.write(text),
    progress: process.stderr.isTTY ? process.stderr : undefined,
    cwd: process.cwd(),
  };
}

/** Settles when `stream` drains, closes or fails. */
function drained(stream: NodeJS.WritableStream & { destroyed?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed === true) {
      resolve();
      return;
    }
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/**
 * Bad usage detected after commander's own parsing (e.g. an empty `--lambdas` list, or an
 * option that does not fit the configuration): exit code 2, like commander's errors.
 */
export class UsageError extends Error {}

/** A commander option parser for a number (finite). */
export function parseNumber(value: string): number {
  const x = isDecimalNumber(value.trim()) ? Number(value) : Number.NaN; // not "0x10" (16) or "0b11" (3)
  if (!Number.isFinite(x)) throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(value)}.`);
  return x;
}

/** A commander option parser for a number > 0. */
export function parsePositive(value: string): number {
  const x = parseNumber(value);
  if (!(x > 0)) throw new InvalidArgumentError(`expected a number > 0, got ${JSON.stringify(value)}.`);
  return x;
}

/** A commander option parser for an integer ≥ 1. */
export function parsePositiveInteger(value: string): number {
  const x = parseNumber(value);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, got ${JSON.stringify(value)}.`);
  return x;
}

/** A commander option parser for a comma-separated list of numbers, e.g. `-10,-1,0,1,10`. */
export function parseNumberList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`expected a comma-separated list of numbers such as -10,0,10, got ${JSON.stringify(value)}.`);
  }
  return parts.map((p) => {
    const x = isDecimalNumber(p) ? Number(p) : Number.NaN;
    if (!Number.isFinite(x)) throw new InvalidArgumentError(`expected a comma-separated list of numbers, but ${JSON.stringify(p)} is not a (decimal) number.`);
    return x;
  });
}

/**
 * Refuses a configuration whose initial weights are all zero for the commands that measure
 * change from them (`trajectory`: the kernel distance d(K(0), K(t)); `simulate`: the deviation
 * relative to ‖P_exact‖): zero weights are a fixed point of gradient flow and of gradient
 * descent — every gradient vanishes, nothing is ever learned — and K(0) = 0, P = 0 leave both
 * measures undefined (`trajectory` failed with a message about probes, `simulate` printed NaN).
 */
export function assertNotAllZero(run: { w1: Matrix; w2: Matrix }, path: string): void {
  const zero = (m: Matrix): boolean => m.to1DArray().every((x) => x === 0);
  if (zero(run.w1) && zero(run.w2)) {
    throw new ConfigError(
      `${path}: config.weights: the initial weights are all zero, a fixed point of gradient flow (every gradient vanishes, so nothing is ` +
        'ever learned), where the kernel distance d(K(0), K(t)) and the relative deviation are undefined (K(0) = 0). Start from small ' +
        'non-zero weights, e.g. "scale": 0.01.',
      'config.weights',
    );
  }
}

/**
 * A warning (with a trailing newline) when the exact flow of `dynamics` stops on a saddle
 * instead of learning the task (`convergence`), else undefined: the trajectory is then
 * exact, but rarely what was meant, and gradient descent leaves such a saddle after a while.
 */
export function saddleWarning(dynamics: ExactDynamics): string | undefined {
  const c = convergence(dynamics);
  if (c.reachesMinimum) return undefined;
  const modes = c.unlearnedModes.map((a) => `${a + 1} (σ = ${Number(dynamics.sigma[a].toPrecision(4))})`);
  const which = modes.length === 0 ? 'part of the task is' : `mode${modes.length > 1 ? 's' : ''} ${modes.join(', ')} ${modes.length > 1 ? 'are' : 'is'}`;
  const head =
    `warning: from these weights the exact flow stops on a saddle: ${which} never learned, and the loss converges to ` +
    `${c.loss.toExponential(3)} instead of its minimum ${c.minimumLoss === 0 ? '0' : c.minimumLoss.toExponential(3)}. `;
  if (c.determinantSign) {
    const resolution = lambdaResolution(dynamics); // λ counts as 0 below it (docs/model.md)
    return (
      head +
      'At λ = 0 gradient flow keeps the sign of det(W2W1) when Ni = No, and these weights have the other sign than det Σyx ' +
      `(docs/model.md, "Saddles"): for random weights set "matchDeterminantSign": true in the config's weights, or use a λ ` +
      `resolved from 0 (|λ| > ${Number(resolution.toPrecision(2))} for weights of this size). Gradient descent escapes such a saddle, slowly, through its O(η) drift of λ.\n`
    );
  }
  return (
    head +
    'Some hidden direction sits exactly on a saddle (e.g. on an input or output direction the task does not use, or on a ' +
    'reversed mode); gradient descent keeps such exact zeros too. Perturb the weights to leave it (docs/model.md, "Saddles").\n'
  );
}

/**
 * `createDynamicsPool({ threads })` for `--threads <n>`: a count the pool refuses (above
 * max(16, 4 per core)) is a bad option value, exit code 2, not a library failure.
 */
export function poolForOption(threads: number): DynamicsPool {
  try {
    return createDynamicsPool({ threads });
  } catch (error) {
    if (error instanceof LibraryInvalidArgumentError && error.argument === 'threads') {
      throw new UsageError(`option '--threads <n>': ${error.message.replace(/^invalid argument\. /, '')}`);
    }
    throw error;
  }
}
