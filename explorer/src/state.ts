/**
 * The explorer's state as a query string (shareable links), the widths the chosen task
 * implies, and the checks that say in words why a combination of settings is impossible.
 * Free of DOM and Node APIs (URLSearchParams exists in both).
 *
 * @module
 */
import { DEFAULTS, LIMITS, type ExplorerState, type TaskKind } from './defaults.js';

/** The query-string key of each setting. */
const KEYS: Record<keyof ExplorerState, string> = {
  lambda: 'lambda',
  lambdaLog: 'loglambda',
  scale: 'scale',
  inputDim: 'ni',
  hiddenDim: 'nh',
  outputDim: 'no',
  task: 'task',
  taskSeed: 'seed',
  weightSeed: 'wseed',
  matchSign: 'match',
  depth: 'depth',
  breakDegeneracy: 'break',
  horizon: 'T',
  lossLog: 'logloss',
  cursor: 't',
  learningRate: 'eta',
};

/**
 * Serialises a state to a query string (without the leading `?`). Numbers are written with
 * `String`, which round-trips every double exactly.
 */
export function stateToQuery(state: ExplorerState): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(KEYS) as (keyof ExplorerState)[]) {
    const value = state[key];
    params.set(KEYS[key], typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return params.toString();
}

function readNumber(params: URLSearchParams, key: string, fallback: number, ok: (x: number) => boolean, ignored?: string[]): number {
  const raw = params.get(key);
  if (raw === null || raw.trim() === '') return fallback;
  const x = Number(raw);
  if (Number.isFinite(x) && ok(x)) return x;
  ignored?.push(`${key}=${raw}`);
  return fallback;
}

function readBoolean(params: URLSearchParams, key: string, fallback: boolean, ignored?: string[]): boolean {
  const raw = params.get(key);
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  if (raw !== null) ignored?.push(`${key}=${raw}`);
  return fallback;
}

const isWidth = (x: number): boolean => Number.isInteger(x) && x >= 1 && x <= LIMITS.widthMax;
const isSeed = (x: number): boolean => Number.isInteger(x) && Math.abs(x) <= 2 ** 31;

/**
 * Reads a state from a query string; missing or malformed values fall back to
 * {@link DEFAULTS}, so any link opens a valid page. The cursor is clamped to the horizon.
 * Each value that was present but rejected is added to `ignored` as `key=value`.
 */
export function stateFromQuery(query: string, ignored?: string[]): ExplorerState {
  const params = new URLSearchParams(query);
  const task = params.get(KEYS.task);
  if (task !== null && task !== 'random' && task !== 'hierarchical') ignored?.push(`${KEYS.task}=${task}`);
  const horizon = readNumber(params, KEYS.horizon, DEFAULTS.horizon, (x) => x >= LIMITS.horizonMin && x <= LIMITS.horizonMax, ignored);
  const state: ExplorerState = {
    lambda: readNumber(params, KEYS.lambda, DEFAULTS.lambda, (x) => Math.abs(x) <= LIMITS.lambdaMax, ignored),
    lambdaLog: readBoolean(params, KEYS.lambdaLog, DEFAULTS.lambdaLog, ignored),
    scale: readNumber(params, KEYS.scale, DEFAULTS.scale, (x) => x > 0 && x <= LIMITS.scaleMax, ignored),
    inputDim: readNumber(params, KEYS.inputDim, DEFAULTS.inputDim, isWidth, ignored),
    hiddenDim: readNumber(params, KEYS.hiddenDim, DEFAULTS.hiddenDim, isWidth, ignored),
    outputDim: readNumber(params, KEYS.outputDim, DEFAULTS.outputDim, isWidth, ignored),
    task: task === 'random' || task === 'hierarchical' ? (task as TaskKind) : DEFAULTS.task,
    taskSeed: readNumber(params, KEYS.taskSeed, DEFAULTS.taskSeed, isSeed, ignored),
    weightSeed: readNumber(params, KEYS.weightSeed, DEFAULTS.weightSeed, isSeed, ignored),
    matchSign: readBoolean(params, KEYS.matchSign, DEFAULTS.matchSign, ignored),
    depth: readNumber(params, KEYS.depth, DEFAULTS.depth, (x) => Number.isInteger(x) && x >= LIMITS.depthMin && x <= LIMITS.depthMax, ignored),
    breakDegeneracy: readBoolean(params, KEYS.breakDegeneracy, DEFAULTS.breakDegeneracy, ignored),
    horizon,
    lossLog: readBoolean(params, KEYS.lossLog, DEFAULTS.lossLog, ignored),
    cursor: DEFAULTS.cursor,
    learningRate: readNumber(params, KEYS.learningRate, DEFAULTS.learningRate, (x) => x > 0 && x <= 10, ignored),
  };
  state.cursor = Math.min(readNumber(params, KEYS.cursor, Math.min(DEFAULTS.cursor, horizon), (x) => x >= 0, ignored), horizon);
  return state;
}

/** The widths (Ni, Nh, No) the network really has: the hierarchical task fixes Ni = No = 2^depth. */
export function effectiveWidths(state: ExplorerState): { inputDim: number; hiddenDim: number; outputDim: number } {
  if (state.task === 'hierarchical') {
    const n = 2 ** state.depth;
    return { inputDim: n, hiddenDim: state.hiddenDim, outputDim: n };
  }
  return { inputDim: state.inputDim, hiddenDim: state.hiddenDim, outputDim: state.outputDim };
}

/**
 * Why λ is impossible for the widths (MATH.md §2), in words, or `null` if it is possible:
 * λ > 0 needs Nh ≤ No and λ < 0 needs Nh ≤ Ni.
 */
export function lambdaProblem(lambda: number, inputDim: number, hiddenDim: number, outputDim: number): string | null {
  if (lambda > 0 && hiddenDim > outputDim) {
    return (
      `λ > 0 needs Nh ≤ No (W2ᵀW2 = λI + W1W1ᵀ has full rank Nh, but W2ᵀW2 has rank at most No). ` +
      `Here Nh = ${hiddenDim} > No = ${outputDim}: lower Nh to ${outputDim}, raise No, or use λ ≤ 0.`
    );
  }
  if (lambda < 0 && hiddenDim > inputDim) {
    return (
      `λ < 0 needs Nh ≤ Ni (W1W1ᵀ = |λ|I + W2ᵀW2 has full rank Nh, but W1W1ᵀ has rank at most Ni). ` +
      `Here Nh = ${hiddenDim} > Ni = ${inputDim}: lower Nh to ${inputDim}, raise Ni, or use λ ≥ 0.`
    );
  }
  return null;
}

/** The setting a problem belongs to (for highlighting the control). */
export type ProblemField = 'lambda' | 'scale' | 'widths' | 'horizon' | 'cursor' | 'learningRate' | 'seed';

/** One reason why the current settings cannot be shown. */
export interface Problem {
  field: ProblemField;
  message: string;
}

/**
 * Every reason why `state` cannot be evaluated (empty if it can). Widths and λ are checked
 * against MATH.md §2; the numeric settings against {@link LIMITS}.
 */
export function problemsOf(state: ExplorerState): Problem[] {
  const problems: Problem[] = [];
  if (!Number.isFinite(state.lambda) || Math.abs(state.lambda) > LIMITS.lambdaMax) {
    problems.push({ field: 'lambda', message: `λ must be a number between −${LIMITS.lambdaMax} and ${LIMITS.lambdaMax}.` });
  }
  if (!(state.scale > 0 && state.scale <= LIMITS.scaleMax)) {
    problems.push({ field: 'scale', message: `The initial scale must be a number > 0 and at most ${LIMITS.scaleMax}.` });
  }
  const { inputDim, hiddenDim, outputDim } = effectiveWidths(state);
  const widthsOk = [inputDim, hiddenDim, outputDim].every(isWidth);
  if (!widthsOk) {
    problems.push({ field: 'widths', message: `Widths must be whole numbers from 1 to ${LIMITS.widthMax}.` });
  }
  if (!isSeed(state.taskSeed) || !isSeed(state.weightSeed)) {
    problems.push({ field: 'seed', message: 'Seeds must be whole numbers from −2³¹ to 2³¹.' });
  }
  if (!(state.horizon >= LIMITS.horizonMin && state.horizon <= LIMITS.horizonMax)) {
    problems.push({ field: 'horizon', message: `The time horizon must be between ${LIMITS.horizonMin} and ${LIMITS.horizonMax} τ.` });
  }
  if (!(state.learningRate > 0 && state.learningRate <= 10)) {
    problems.push({ field: 'learningRate', message: 'The learning rate η must be a number in (0, 10].' });
  }
  if (widthsOk && Number.isFinite(state.lambda)) {
    const message = lambdaProblem(state.lambda, inputDim, hiddenDim, outputDim);
    if (message !== null) problems.push({ field: 'widths', message });
  }
  return problems;
}
