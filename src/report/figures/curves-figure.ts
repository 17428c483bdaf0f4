/**
 * A figure of any curves over time — losses of a task sequence, forgetting, mode strengths
 * of a custom network — in the look of the report's figures.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { InvalidArgumentError } from '../../errors.js';
import { assertFiniteNumber, assertKnownOptions, describe } from '../../validation.js';
import { assertObject } from '../guards.js';
import { FIGURE_CONFIG, TIME_TITLE, VEGA_LITE_SCHEMA, decades } from './style.js';

/**
 * One line of a {@link curvesFigure}.
 *
 * @example
 * ```ts
 * import type { Curve } from 'exact-dln/report';
 * const curve: Curve = { label: 'task A', times: [0, 1, 2], values: [1, 0.4, 0.1] };
 * ```
 */
export interface Curve {
  /** The legend entry (distinct labels, one colour each). */
  label: string;
  /** The times (any order is drawn as given: pass them increasing), finite. */
  times: ArrayLike<number>;
  /** The values at those times, as many as `times`, finite. */
  values: ArrayLike<number>;
  /** Draw it dashed (e.g. targets or references); default false. */
  dashed?: boolean;
}

/**
 * Options of {@link curvesFigure}.
 *
 * @example
 * ```ts
 * import type { CurvesFigureOptions } from 'exact-dln/report';
 * const options: CurvesFigureOptions = { curves: [{ label: 'loss', times: [0, 1], values: [1, 0.5] }], logY: true };
 * ```
 */
export interface CurvesFigureOptions {
  /** The lines, at least one. */
  curves: Curve[];
  /** Title above the plot (default none). */
  title?: string;
  /** A second line under the title (default none). */
  subtitle?: string;
  /** The y-axis title (default 'value'). */
  yTitle?: string;
  /** The x-axis title (default 'time t/τ'). */
  xTitle?: string;
  /**
   * A logarithmic y axis (default false). Values ≤ 0 cannot be drawn on it and are left out;
   * the axis spans `logDecades` decades below the largest value.
   */
  logY?: boolean;
  /** With `logY`, how many decades below the largest value to show (default 6; from 1 to 600, and never below 1e-323). */
  logDecades?: number;
  /** Times marked by thin vertical rules, e.g. the switch times of a task sequence (default none). */
  markers?: number[];
  /** Plot width and height in pixels (defaults 420 and 260). */
  width?: number;
  height?: number;
}

/**
 * A line chart of curves over time, as a Vega-Lite specification in the style of the
 * report's figures (render it with `renderSvg`, or change it first: it is a plain object).
 * For what the report's own figures do not cover — a task sequence's losses with its switch
 * times marked, forgetting against λ, the mode strengths of your own network.
 *
 * @param options - see {@link CurvesFigureOptions}.
 * @returns a Vega-Lite specification.
 * @throws `InvalidArgumentError` for no curves, a curve whose `times` and `values`
 *   differ in length or are not arrays of numbers, repeated labels, non-positive sizes, or
 *   `logY` with no positive value to draw.
 * @throws `NonFiniteError` for a NaN or infinite time, value or marker.
 * @example
 * ```ts
 * import { lambdaBalancedWeights, randomTask, trainSequence } from 'exact-dln';
 * import { curvesFigure, renderSvg } from 'exact-dln/report';
 * const a = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const b = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 2 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 3 });
 * const seq = trainSequence({ w1, w2, tasks: [{ task: a, duration: 10 }, { task: b, duration: 10 }] });
 * const spec = curvesFigure({
 *   curves: seq.losses.map((values, k) => ({ label: `loss on task ${'AB'[k]}`, times: seq.times, values })),
 *   markers: seq.switchTimes, yTitle: 'loss L − L*', logY: true, title: 'Learning B forgets A',
 * });
 * const svg = await renderSvg(spec);
 * console.log(svg.startsWith('<svg')); // true
 * ```
 */
export function curvesFigure(options: CurvesFigureOptions): TopLevelSpec {
  assertObject(options, 'options', 'curvesFigure');
  assertKnownOptions(options, 'curvesFigure', {
    curves: true,
    title: true,
    subtitle: true,
    yTitle: true,
    xTitle: true,
    logY: true,
    logDecades: true,
    markers: true,
    width: true,
    height: true,
  } satisfies Record<keyof CurvesFigureOptions, true>);
  const { curves, logY = false, logDecades = 6, markers = [], width = 420, height = 260 } = options;
  if (!Array.isArray(curves) || curves.length === 0) {
    throw new InvalidArgumentError(`invalid argument. curvesFigure expects \`curves\`, a non-empty array of { label, times, values }. Value: ${describe(curves)}.`, 'curves');
  }
  const values: { label: string; t: number; y: number }[] = [];
  const labels: string[] = [];
  const dashed: string[] = [];
  curves.forEach((curve, c) => {
    const name = `curves[${c}]`;
    assertObject(curve, name, 'curvesFigure');
    if (typeof curve.label !== 'string') {
      throw new InvalidArgumentError(`invalid argument. \`${name}.label\` must be a string. Value: ${describe(curve.label)}.`, `${name}.label`);
    }
    if (labels.includes(curve.label)) {
      throw new InvalidArgumentError(`invalid argument. \`${name}.label\` repeats the label "${curve.label}"; each curve needs its own.`, `${name}.label`);
    }
    labels.push(curve.label);
    if (curve.dashed === true) dashed.push(curve.label);
    const times = numbers(curve.times, `${name}.times`);
    const ys = numbers(curve.values, `${name}.values`);
    if (ys.length !== times.length) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}.values\` must have one value per time: ${ys.length} values for ${times.length} times.`,
        `${name}.values`,
      );
    }
    times.forEach((t, k) => values.push({ label: curve.label, t, y: ys[k] }));
  });
  const marks = numbers(markers, 'markers');
  for (const [key, size] of [['width', width], ['height', height], ['logDecades', logDecades]] as const) {
    if (typeof size !== 'number' || !(size >= 1) || !Number.isFinite(size)) {
      throw new InvalidArgumentError(`invalid argument. \`${key}\` must be a finite number ≥ 1. Value: ${describe(size)}.`, key);
    }
  }
  if (logDecades > 600) {
    throw new InvalidArgumentError(`invalid argument. \`logDecades\` must be at most 600 (doubles span about 630 decades). Value: ${logDecades}.`, 'logDecades');
  }
  if (typeof logY !== 'boolean') {
    throw new InvalidArgumentError(`invalid argument. \`logY\` must be true or false. Value: ${describe(logY)}.`, 'logY');
  }
  let shown = values;
  let y: Record<string, unknown> = { field: 'y', type: 'quantitative', title: options.yTitle ?? 'value' };
  if (logY === true) {
    shown = values.filter((v) => v.y > 0);
    if (shown.length === 0) {
      throw new InvalidArgumentError('invalid argument. curvesFigure with `logY` needs a positive value to draw; all are ≤ 0.', 'logY');
    }
    const top = shown.reduce((m, v) => Math.max(m, v.y), -Infinity);
    // The lower end stays a positive double (values near 1e-318 made it 0, an axis vega cannot draw).
    const domain = [10 ** Math.max(-323, Math.floor(Math.log10(top) - logDecades)), 10 ** Math.ceil(Math.log10(top))];
    y = { ...y, scale: { type: 'log', domain }, axis: { format: '.0e', values: decades(domain[0], domain[1]) } };
  }
  const x = { field: 't', type: 'quantitative', title: options.xTitle ?? TIME_TITLE } as const;
  const legend = { symbolType: 'stroke', symbolStrokeWidth: 2.5 } as const;
  const title = options.title === undefined ? undefined : { text: options.title, ...(options.subtitle === undefined ? {} : { subtitle: options.subtitle }) };
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(title === undefined ? {} : { title }),
    width,
    height,
    layer: [
      ...(marks.length === 0
        ? []
        : [{ data: { values: marks.map((t) => ({ t })) }, mark: { type: 'rule', color: '#888888', strokeDash: [2, 3] }, encoding: { x } }]),
      {
        data: { values: shown },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x,
          y,
          // One legend for both channels (the same field), so that it shows the dashes too.
          color: { field: 'label', type: 'nominal', title: null, sort: labels, legend },
          strokeDash: { field: 'label', type: 'nominal', title: null, sort: labels, legend, scale: { domain: labels, range: labels.map((l) => (dashed.includes(l) ? [6, 3] : [1, 0])) } },
        },
      },
    ],
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}

/** The finite numbers of an array-like (a plain array or a typed array), or a typed error. */
function numbers(value: unknown, name: string): number[] {
  const arrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!arrayLike) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be an array of numbers. Value: ${describe(value)}.`, name);
  }
  const out = Array.from(value as ArrayLike<unknown>);
  out.forEach((v, k) => assertFiniteNumber(v, `${name}[${k}]`));
  return out as number[];
}
