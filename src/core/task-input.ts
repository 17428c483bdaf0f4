/**
 * Internal helpers shared by the applications: accepting a task either as a {@link Task}
 * or as its Σyx, checking that a Task is whitened (the exact dynamics need Σxx = I,
 * MATH.md §1), and copying tasks so that results never share matrices with inputs.
 *
 * @module
 * @internal
 */
import { Matrix } from 'ml-matrix';
import type { Task } from './task.js';
import { InvalidArgumentError, NotWhitenedError } from '../errors.js';
import { assertShape, toMatrix, type MatrixLike } from '../validation.js';

/** Largest max |Σxx − I| entry accepted for a Task used by the exact dynamics (as `taskFromData`). */
export const WHITENED_TOLERANCE = 1e-8;

/** True if `value` looks like a {@link Task} (an object with a Matrix `sigmaYX`), not a matrix. */
export function isTask(value: unknown): value is Task {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Matrix.isMatrix(value) &&
    Matrix.isMatrix((value as { sigmaYX?: unknown }).sigmaYX)
  );
}

/**
 * Throws {@link NotWhitenedError} unless the task's Σxx is the identity to
 * {@link WHITENED_TOLERANCE}, and {@link ShapeError} unless its fields fit together: Σxx
 * Ni×Ni and Σyy No×No for Σyx No×Ni, and data X (Ni×P) and Y (No×P) with one P, when given
 * (a Task edited by hand would otherwise read past its arrays: NaN entries, or a TypeError).
 * The message names the argument.
 */
export function assertWhitened(task: Task, name: string): void {
  const no = task.sigmaYX.rows;
  const n = task.sigmaYX.columns;
  const sxx = toMatrix(task.sigmaXX, `${name}.sigmaXX`);
  assertShape(sxx, n, n, `${name}.sigmaXX`, `input×input, matching ${name}.sigmaYX (${no}×${n})`);
  assertShape(toMatrix(task.sigmaYY, `${name}.sigmaYY`), no, no, `${name}.sigmaYY`, `output×output, matching ${name}.sigmaYX (${no}×${n})`);
  // The data only need their shapes: a Matrix is not copied (784×2000 inputs would be).
  const x = task.X === undefined ? undefined : Matrix.isMatrix(task.X) ? task.X : toMatrix(task.X, `${name}.X`);
  const y = task.Y === undefined ? undefined : Matrix.isMatrix(task.Y) ? task.Y : toMatrix(task.Y, `${name}.Y`);
  if (x !== undefined) assertShape(x, n, y?.columns, `${name}.X`, `input×samples, with ${n} inputs${y === undefined ? '' : ` and as many samples as ${name}.Y (${y.columns})`}`);
  if (y !== undefined) assertShape(y, no, undefined, `${name}.Y`, `output×samples, with ${no} outputs`);
  let deviation = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) deviation = Math.max(deviation, Math.abs(sxx.get(i, j) - (i === j ? 1 : 0)));
  if (!(deviation <= WHITENED_TOLERANCE)) {
    throw new NotWhitenedError(
      `invalid argument. \`${name}\` is not whitened: the exact dynamics need Σxx = I, but max |Σxx − I| = ` +
        `${deviation.toExponential(3)} > ${WHITENED_TOLERANCE}. Build it with taskFromData(X, Y, { whiten: true }).`,
      deviation,
    );
  }
}

/**
 * Σyx of a task given either as a whitened {@link Task} or directly as a matrix (a fresh
 * copy). Throws {@link NotWhitenedError} for a non-whitened Task and the usual matrix errors.
 */
export function sigmaYXOf(value: unknown, name: string): Matrix {
  if (isTask(value)) {
    assertWhitened(value, name);
    return toMatrix(value.sigmaYX, `${name}.sigmaYX`);
  }
  if (Matrix.isMatrix(value) || Array.isArray(value)) return toMatrix(value as MatrixLike, name);
  throw new InvalidArgumentError(
    `invalid argument. \`${name}\` must be a Task (from randomTask, taskFromData, …) or a Σyx matrix (Matrix or number[][]). ` +
      `Value: ${value === null ? 'null' : typeof value}.`,
    name,
  );
}

/** A deep copy of a task (Matrix fields cloned, arrays sliced), so results never alias inputs. */
export function cloneTask<T extends Task>(task: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task)) {
    if (Matrix.isMatrix(value)) out[key] = (value as Matrix).clone();
    else if (Array.isArray(value)) out[key] = value.slice();
    else out[key] = value;
  }
  return out as T;
}
