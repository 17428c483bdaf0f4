/**
 * The run configuration of the command-line tool (`--config run.json`): a JSON file
 * validated against the JSON Schema `schema/run-config.schema.json` with ajv, then
 * resolved into weights, a task and the exact dynamics.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Matrix } from 'ml-matrix';
import schemaJson from '../../schema/run-config.schema.json' with { type: 'json' };
import { ExactDlnError, ImpossibleLambdaError, NotBalancedError, NotWhitenedError } from '../errors.js';
import { exactDynamics, type ExactDynamics } from '../core/exact-dynamics.js';
import { randomTask, taskFromData, taskFromSigmaYX, type Task } from '../core/task.js';
import { lambdaBalancedWeights } from '../core/weights.js';
import { assertKnownOptions, assertOptions, describe, nearestName, toMatrix } from '../validation.js';
import { assertTextFile, ConfigError, readFailure } from './config-error.js';
import { readDataFile } from './data-file.js';

/**
 * The JSON Schema (draft-07) of a run configuration file, as shipped in
 * `schema/run-config.schema.json`. Point an editor at it with `"$schema"` in the config.
 *
 * @example
 * ```ts
 * import { runConfigSchema } from 'exact-dln/report';
 * console.log(runConfigSchema.title); // exact-dln run configuration
 * ```
 */
export const runConfigSchema: Readonly<Record<string, unknown>> = schemaJson;

/**
 * A matrix in a configuration file: an array of rows.
 *
 * @example
 * ```ts
 * import type { MatrixRows } from 'exact-dln/report';
 * const sigmaYX: MatrixRows = [[3, 0], [0, 1]];
 * ```
 */
export type MatrixRows = number[][];

/**
 * Explicit initial weights (they must be λ-balanced).
 *
 * @example
 * ```ts
 * import type { ExplicitWeights } from 'exact-dln/report';
 * const w: ExplicitWeights = { w1: [[0.1, 0]], w2: [[0.1]] };
 * ```
 */
export interface ExplicitWeights {
  /** W1, hidden×input (Nh×Ni). */
  w1: MatrixRows;
  /** W2, output×hidden (No×Nh). */
  w2: MatrixRows;
}

/**
 * Generated λ-balanced weights (`lambdaBalancedWeights`).
 *
 * @example
 * ```ts
 * import type { GeneratedWeights } from 'exact-dln/report';
 * const w: GeneratedWeights = { inputDim: 4, hiddenDim: 4, outputDim: 8, lambda: -1, scale: 0.05, seed: 2 };
 * ```
 */
export interface GeneratedWeights {
  /** Ni. */
  inputDim: number;
  /** Nh. */
  hiddenDim: number;
  /** No. */
  outputDim: number;
  /** λ (W2ᵀW2 − W1W1ᵀ = λI). */
  lambda: number;
  /** Scale of the initial product's singular values (default 1). */
  scale?: number;
  /** Seed of the random initialisation. */
  seed: number;
  /**
   * Give det(W2W1) the sign of the task's det Σyx (Ni = No ≤ Nh; `lambdaBalancedWeights`'
   * `matchDeterminantSign`). Default false.
   */
  matchDeterminantSign?: boolean;
}

/**
 * The task section of a run configuration: Σyx directly, a data file, or a random task.
 *
 * @example
 * ```ts
 * import type { TaskConfig } from 'exact-dln/report';
 * const a: TaskConfig = { sigmaYX: [[2, 0], [0, 1]] };
 * const b: TaskConfig = { data: 'samples.csv', inputColumns: ['x1', 'x2'], outputColumns: ['y'], whiten: true };
 * const c: TaskConfig = { random: { samples: 60, seed: 1 } };
 * ```
 */
export type TaskConfig =
  | { sigmaYX: MatrixRows }
  | { data: string; inputColumns: string[]; outputColumns: string[]; whiten?: boolean }
  | { random: { samples: number; seed: number; scale?: number } };

/**
 * A run configuration file, as described by {@link runConfigSchema} (docs/cli.md has an
 * example).
 *
 * @example
 * ```ts
 * import type { RunConfig } from 'exact-dln/report';
 * const config: RunConfig = {
 *   weights: { inputDim: 6, hiddenDim: 6, outputDim: 6, lambda: 0, scale: 0.05, seed: 2 },
 *   task: { random: { samples: 60, seed: 1 } },
 *   times: { from: 0, to: 10, count: 101 },
 * };
 * ```
 */
export interface RunConfig {
  /** Optional path or URL of the schema, for editors. */
  $schema?: string;
  /** The initial weights. */
  weights: ExplicitWeights | GeneratedWeights;
  /** The task. */
  task: TaskConfig;
  /** The time constant τ (default 1). */
  tau?: number;
  /** Evaluation times: a list, or `count` equally spaced times from `from` to `to` (default 0 to 10, 101 times). */
  times?: number[] | { from: number; to: number; count: number };
  /** Settings of `exact-dln sweep`. */
  sweep?: { lambdas?: number[]; scales?: number[]; time?: number };
}

/**
 * A run configuration turned into objects: weights, task, dynamics and times.
 *
 * @example
 * ```ts
 * import { resolveRunConfig, type ResolvedRun } from 'exact-dln/report';
 * const run: ResolvedRun = await resolveRunConfig({ weights: { w1: [[0.1]], w2: [[0.1]] }, task: { sigmaYX: [[1]] } });
 * console.log(run.dynamics.at(5).loss < 1e-3); // true
 * ```
 */
export interface ResolvedRun {
  /** The validated configuration. */
  config: RunConfig;
  /** W1(0), Nh×Ni. */
  w1: Matrix;
  /** W2(0), No×Nh. */
  w2: Matrix;
  /** The task (with data `X`, `Y` for data files and random tasks). */
  task: Task;
  /** τ. */
  tau: number;
  /** The evaluation times. */
  times: number[];
  /** The exact dynamics of the configured network on the task. */
  dynamics: ExactDynamics;
}

/** The default evaluation times: 0, 0.1, …, 10. */
const DEFAULT_TIMES = { from: 0, to: 10, count: 101 } as const;

const HINTS: Record<string, string> = {
  '/weights':
    'expected { "w1": [[…]], "w2": [[…]] } or { "inputDim", "hiddenDim", "outputDim", "lambda", "seed", "scale"? }',
  '/task':
    'expected { "sigmaYX": [[…]] }, { "data": "file.csv", "inputColumns": […], "outputColumns": […], "whiten"? } or { "random": { "samples", "seed" } }',
  '/times': 'expected a list of times ≥ 0 or { "from", "to", "count" }',
};

let validator: ValidateFunction | undefined;

function validate(value: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false }).compile(schemaJson);
  return validator(value) ? [] : (validator.errors ?? []);
}

/** `/weights/w1/0` → `config.weights.w1[0]`. */
function fieldPath(instancePath: string): string {
  let out = 'config';
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return out;
}

/**
 * One message per offending field: ajv's errors grouped by field and keyword (several
 * missing properties of one object become one message), with a hint on the accepted
 * shapes for the sections that have alternatives.
 */
function describeErrors(errors: ErrorObject[]): { field: string; message: string }[] {
  const groups = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const key = `${error.instancePath}\u0000${error.keyword}`;
    groups.set(key, [...(groups.get(key) ?? []), error]);
  }
  const hinted = new Set<string>();
  return [...groups.values()].map((group) => {
    const error = group[0];
    const field = fieldPath(error.instancePath);
    const names = (param: string): string =>
      [...new Set(group.map((e) => JSON.stringify((e.params as Record<string, string>)[param])))].join(', ');
    let message: string;
    if (error.keyword === 'additionalProperties') {
      message = `${field} has ${group.length > 1 ? 'unknown fields' : 'an unknown field'} ${names('additionalProperty')}`;
      // The nearest known field of the same object (ajv's `verbose` gives the schema).
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const guesses = [...new Set(group.map((e) => (e.params as { additionalProperty: string }).additionalProperty))].flatMap((name) => {
        const near = nearestName(name, known);
        return near === undefined ? [] : [{ near, name }];
      });
      // One unknown field: "(did you mean "tau"?)"; several: say which guess is for which.
      const said = guesses.length === 1 && group.length === 1 ? [`"${guesses[0].near}"`] : guesses.map((g) => `"${g.near}" for "${g.name}"`);
      if (said.length > 0) message += ` (did you mean ${said.join(', ')}?)`;
    } else if (error.keyword === 'type' && typeof error.data === 'number' && !Number.isFinite(error.data)) {
      // JSON.parse reads 1e400 as Infinity, which "must be number" did not explain.
      message = `${field} must be a finite number: a JSON number beyond ±1.8e308 (such as 1e400) reads as ${error.data}`;
    } else if (error.keyword === 'required') {
      message = `${field} must have required ${group.length > 1 ? 'properties' : 'property'} ${names('missingProperty')}`;
    } else {
      message = `${field} ${error.message ?? 'is invalid'}`;
    }
    const hint = HINTS[error.instancePath];
    if (hint !== undefined && !hinted.has(error.instancePath) && ['additionalProperties', 'required', 'type'].includes(error.keyword)) {
      hinted.add(error.instancePath);
      message += ` (${hint})`;
    }
    return { field, message };
  });
}

function checkRectangular(rows: MatrixRows, field: string): void {
  rows.forEach((row, i) => {
    if (row.length !== rows[0].length) {
      throw new ConfigError(
        `${field} must be a rectangular matrix: row [0] has ${rows[0].length} entries but row [${i}] has ${row.length}.`,
        field,
      );
    }
  });
}

/**
 * Validates a parsed configuration object against {@link runConfigSchema} (with ajv) and
 * checks what a JSON Schema cannot: rectangular matrices, `times.from ≤ times.to`, and a single
 * time (`count` 1) only where `from` = `to`. An unknown field is named with the nearest known one.
 *
 * @param value - the parsed JSON.
 * @param source - a name for error messages (e.g. the file name); prefixed as `source: `.
 * @returns the same object, typed.
 * @throws {@link ConfigError} naming the first offending field, e.g.
 *   `config.weights.lambda must be number` (all schema errors are listed, separated by `; `).
 * @example
 * ```ts
 * import { parseRunConfig } from 'exact-dln/report';
 * const config = parseRunConfig({ weights: { w1: [[0.1]], w2: [[0.1]] }, task: { sigmaYX: [[1]] }, times: [0, 1, 2] });
 * console.log(config.times); // [0, 1, 2]
 * ```
 */
export function parseRunConfig(value: unknown, source?: string): RunConfig {
  const prefix = source === undefined ? '' : `${source}: `;
  const errors = validate(value).filter((e) => e.keyword !== 'if');
  if (errors.length > 0) {
    const described = describeErrors(errors);
    throw new ConfigError(prefix + described.map((d) => d.message).join('; '), described[0].field);
  }
  const config = value as RunConfig;
  try {
    if ('w1' in config.weights) {
      checkRectangular(config.weights.w1, 'config.weights.w1');
      checkRectangular(config.weights.w2, 'config.weights.w2');
    }
    if ('sigmaYX' in config.task) checkRectangular(config.task.sigmaYX, 'config.task.sigmaYX');
    if (config.times !== undefined && !Array.isArray(config.times) && config.times.from > config.times.to) {
      throw new ConfigError(
        `config.times.from (${config.times.from}) must not exceed config.times.to (${config.times.to})`,
        'config.times.from',
      );
    }
    if (config.times !== undefined && !Array.isArray(config.times) && config.times.count === 1 && config.times.from !== config.times.to) {
      throw new ConfigError(
        `config.times.count is 1, but one time cannot span from ${config.times.from} to ${config.times.to}: give count ≥ 2, or from = to`,
        'config.times.count',
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(prefix + error.message, error.field);
    throw error;
  }
  return config;
}

/**
 * The evaluation times of a configuration: the list as given, or `count` equally spaced
 * times from `from` to `to` (default 0 to 10, 101 times).
 *
 * @param times - the `times` field (or undefined for the default).
 * @returns the times.
 * @example
 * ```ts
 * import { configTimes } from 'exact-dln/report';
 * console.log(configTimes({ from: 0, to: 1, count: 3 })); // [0, 0.5, 1]
 * ```
 */
export function configTimes(times: RunConfig['times']): number[] {
  if (times !== undefined && (times === null || typeof times !== 'object')) {
    throw new ConfigError(`configTimes expects the \`times\` section of a configuration (an array of times or { from, to, count }). Value: ${describe(times)}.`, 'times');
  }
  if (Array.isArray(times)) return times.slice();
  const { from, to, count } = times ?? DEFAULT_TIMES;
  if (count === 1) return [from];
  // (to − from)·k can overflow for a span near the largest double (to = 1e308 gave Infinity).
  const span = to - from;
  return Array.from({ length: count }, (_, k) => {
    if (k === count - 1) return to;
    const x = span * k;
    return from + (Number.isFinite(x) ? x / (count - 1) : span * (k / (count - 1)));
  });
}

/** Re-throws a library error as a ConfigError attached to `field`. */
function asConfigError(error: unknown, field: string, what: string): never {
  if (error instanceof ConfigError) throw error;
  if (error instanceof ExactDlnError) {
    throw new ConfigError(`${field}: ${what}: ${error.message.replace(/^invalid argument\. /, '')}`, field);
  }
  throw error;
}

/** The widths implied by the weights section (Ni, Nh, No). */
export function configWidths(weights: RunConfig['weights']): { inputDim: number; hiddenDim: number; outputDim: number } {
  if (weights === null || typeof weights !== 'object') {
    throw new ConfigError(`configWidths expects the \`weights\` section of a configuration from parseRunConfig(…). Value: ${describe(weights)}.`, 'weights');
  }
  if ('w1' in weights) {
    return { inputDim: weights.w1[0].length, hiddenDim: weights.w1.length, outputDim: weights.w2.length };
  }
  return { inputDim: weights.inputDim, hiddenDim: weights.hiddenDim, outputDim: weights.outputDim };
}

/**
 * Builds the task of a configuration. Relative data paths resolve against `baseDir`.
 *
 * @param config - a validated configuration.
 * @param baseDir - the folder relative paths resolve against (the config file's folder).
 * @returns the task, checked to fit the widths of the weights.
 * @throws {@link ConfigError} naming the field, for unreadable or malformed data, a task
 *   whose widths do not match the weights, or non-whitened inputs without `"whiten": true`.
 * @example
 * ```ts
 * import { parseRunConfig, resolveTask } from 'exact-dln/report';
 * const config = parseRunConfig({ weights: { inputDim: 3, hiddenDim: 3, outputDim: 2, lambda: 0, seed: 1 }, task: { random: { samples: 20, seed: 4 } } });
 * const task = await resolveTask(config, process.cwd());
 * console.log(task.sigmaYX.rows, task.sigmaYX.columns); // 2 3
 * ```
 */
export async function resolveTask(config: RunConfig, baseDir: string): Promise<Task> {
  const { inputDim, outputDim } = configWidths(config.weights);
  const spec = config.task;
  let task: Task;
  if ('sigmaYX' in spec) {
    try {
      task = taskFromSigmaYX(spec.sigmaYX);
    } catch (error) {
      asConfigError(error, 'config.task.sigmaYX', 'invalid Σyx');
    }
  } else if ('data' in spec) {
    const path = isAbsolute(spec.data) ? spec.data : resolve(baseDir, spec.data);
    const data = await readDataFile(path, spec.inputColumns, spec.outputColumns);
    try {
      task = taskFromData(data.X, data.Y, { whiten: spec.whiten ?? false });
    } catch (error) {
      if (error instanceof NotWhitenedError) {
        throw new ConfigError(
          `config.task.whiten: the inputs of ${spec.data} are not whitened (max |Σxx − I| = ${error.deviation.toExponential(3)}); ` +
            'set "whiten": true to whiten them (x ↦ Σxx^{-1/2}x).',
          'config.task.whiten',
        );
      }
      asConfigError(error, 'config.task.data', `cannot build a task from ${spec.data}`);
    }
  } else {
    try {
      task = randomTask({ inputDim, outputDim, ...spec.random });
    } catch (error) {
      asConfigError(error, 'config.task.random', 'cannot build the random task');
    }
  }
  const field = 'sigmaYX' in spec ? 'config.task.sigmaYX' : 'data' in spec ? 'config.task' : 'config.task.random';
  if (task.sigmaYX.rows !== outputDim || task.sigmaYX.columns !== inputDim) {
    const detail =
      'data' in spec
        ? `${spec.inputColumns.length} input and ${spec.outputColumns.length} output columns`
        : `Σyx of size ${task.sigmaYX.rows}×${task.sigmaYX.columns}`;
    throw new ConfigError(
      `${field}: the task has ${detail}, but the weights need ${inputDim} inputs and ${outputDim} outputs ` +
        `(Σyx must be outputDim×inputDim = ${outputDim}×${inputDim}).`,
      field,
    );
  }
  return task;
}

/**
 * Builds the initial weights of a configuration (explicit matrices or
 * `lambdaBalancedWeights`).
 *
 * @param config - a validated configuration.
 * @param sigmaYX - the task's Σyx (`(await resolveTask(…)).sigmaYX`), needed only for generated
 *   weights with `"matchDeterminantSign": true`.
 * @returns `{ w1, w2 }`.
 * @throws {@link ConfigError} if the matrices do not fit together, λ is impossible for the
 *   widths, or `matchDeterminantSign` is asked for without `sigmaYX`.
 * @example
 * ```ts
 * import { configWeights, parseRunConfig } from 'exact-dln/report';
 * const config = parseRunConfig({ weights: { inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 1, scale: 0.1, seed: 3 }, task: { sigmaYX: [[1, 0], [0, 1]] } });
 * console.log(configWeights(config).w1.rows); // 2
 * ```
 */
export function configWeights(config: RunConfig, sigmaYX?: Matrix): { w1: Matrix; w2: Matrix } {
  if (config === null || typeof config !== 'object' || config.weights === null || typeof config.weights !== 'object') {
    throw new ConfigError(`configWeights expects a configuration from parseRunConfig(…), with a \`weights\` section. Value: ${describe(config)}.`, 'weights');
  }
  const weights = config.weights;
  if ('w1' in weights) {
    const w1 = toMatrix(weights.w1, 'w1');
    const w2 = toMatrix(weights.w2, 'w2');
    if (w2.columns !== w1.rows) {
      throw new ConfigError(
        `config.weights.w2 must be output×hidden with hidden = ${w1.rows} (the rows of w1); it is ${w2.rows}×${w2.columns}.`,
        'config.weights.w2',
      );
    }
    return { w1, w2 };
  }
  const { matchDeterminantSign = false, ...generated } = weights;
  if (matchDeterminantSign && sigmaYX === undefined) {
    throw new ConfigError(
      'config.weights.matchDeterminantSign needs the task: pass its Σyx as the second argument of configWeights (resolveRunConfig does).',
      'config.weights.matchDeterminantSign',
    );
  }
  try {
    return lambdaBalancedWeights(matchDeterminantSign ? { ...generated, matchDeterminantSign: sigmaYX } : generated);
  } catch (error) {
    if (error instanceof ImpossibleLambdaError) asConfigError(error, 'config.weights.lambda', 'impossible λ');
    asConfigError(error, 'config.weights', 'cannot build the weights');
  }
}

/**
 * Validates and resolves a configuration object: weights, task, τ, times and the exact
 * dynamics.
 *
 * @param value - the parsed JSON configuration.
 * @param options - `baseDir` (default the working folder) for relative data paths;
 *   `source` (e.g. the file name) to prefix error messages.
 * @returns the {@link ResolvedRun}.
 * @throws {@link ConfigError} naming the field for anything wrong with the configuration or
 *   its data (including weights that are not λ-balanced).
 * @example
 * ```ts
 * import { resolveRunConfig } from 'exact-dln/report';
 * const run = await resolveRunConfig({
 *   weights: { inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 2, scale: 0.1, seed: 1 },
 *   task: { sigmaYX: [[3, 0, 0], [0, 2, 0], [0, 0, 1]] },
 *   times: [0, 1, 10],
 * });
 * console.log(run.dynamics.lambda.toFixed(6)); // 2.000000
 * ```
 */
export async function resolveRunConfig(value: unknown, options: { baseDir?: string; source?: string } = {}): Promise<ResolvedRun> {
  assertOptions(options, 'resolveRunConfig', '{ baseDir?, source? }');
  assertKnownOptions(options, 'resolveRunConfig', { baseDir: true, source: true } satisfies Record<keyof typeof options, true>);
  const config = parseRunConfig(value, options.source);
  const prefix = options.source === undefined ? '' : `${options.source}: `;
  try {
    const task = await resolveTask(config, options.baseDir ?? process.cwd());
    const { w1, w2 } = configWeights(config, task.sigmaYX);
    const tau = config.tau ?? 1;
    let dynamics: ExactDynamics;
    try {
      dynamics = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX, tau });
    } catch (error) {
      if (error instanceof NotBalancedError) {
        throw new ConfigError(
          `config.weights: the weights are not λ-balanced (W2ᵀW2 − W1W1ᵀ must be λI; λ̂ = ${error.lambda.toPrecision(6)}, ` +
            `relative residual ${error.residual.toExponential(2)} > ${error.tolerance}).`,
          'config.weights',
        );
      }
      asConfigError(error, 'config.weights', 'cannot build the dynamics');
    }
    return { config, w1, w2, task, tau, times: configTimes(config.times), dynamics };
  } catch (error) {
    if (error instanceof ConfigError && prefix !== '') throw new ConfigError(prefix + error.message, error.field);
    throw error;
  }
}

/**
 * Reads, validates and resolves a run configuration file (JSON). Relative data paths
 * resolve against the file's folder; error messages start with the file's path.
 *
 * @param path - the configuration file.
 * @returns the {@link ResolvedRun}.
 * @throws {@link ConfigError} if the file cannot be read, is not JSON, or is invalid (the
 *   message names the field, e.g. `run.json: config.weights.lambda must be number`).
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { loadRunConfig } from 'exact-dln/report';
 * writeFileSync('/tmp/exact-dln-run.json', JSON.stringify({ weights: { w1: [[0.1]], w2: [[0.1]] }, task: { sigmaYX: [[1]] } }));
 * const run = await loadRunConfig('/tmp/exact-dln-run.json');
 * console.log(run.times.length); // 101
 * ```
 */
export async function loadRunConfig(path: string): Promise<ResolvedRun> {
  return resolveRunConfig(await readConfigJson(path), { baseDir: dirname(resolve(path)), source: path });
}

/**
 * Reads a JSON file for {@link parseRunConfig}; errors name the file.
 *
 * @param path - the configuration file.
 * @returns the parsed JSON value.
 * @throws {@link ConfigError} if the file cannot be read or is not valid JSON.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { readConfigJson } from 'exact-dln/report';
 * writeFileSync('/tmp/exact-dln-any.json', '{"tau": 2}');
 * console.log(await readConfigJson('/tmp/exact-dln-any.json')); // { tau: 2 }
 * ```
 */
export async function readConfigJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${readFailure(error)}.`, 'config');
  }
  assertTextFile(text, path, 'config');
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')); // a byte-order mark, as some Windows editors write, is not JSON
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`, 'config');
  }
}
