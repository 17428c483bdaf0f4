/**
 * The λ × initial-scale heatmap of a lazy–rich sweep.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { FIGURE_CONFIG, VEGA_LITE_SCHEMA } from './style.js';
import { InvalidArgumentError } from '../../errors.js';
import { assertKnownOptions, describe } from '../../validation.js';
import { assertObject } from '../guards.js';

/**
 * One cell of {@link sweepHeatmapFigure}.
 *
 * @example
 * ```ts
 * import type { SweepCell } from 'exact-dln/report';
 * const cell: SweepCell = { lambda: 0, scale: 0.05, value: 0.45, network: '6×6×6' };
 * ```
 */
export interface SweepCell {
  /** λ. */
  lambda: number;
  /** The initial scale. */
  scale: number;
  /** The plotted quantity (a kernel distance, > 0 for the logarithmic colour scale). */
  value: number;
  /** Optional network label: one panel per distinct label. */
  network?: string;
}

/**
 * Most distinct λ (or scales) {@link sweepHeatmapFigure} draws: a cell is then a few pixels
 * wide (and Vega-Lite's compiler overflowed its call stack from about 1000 on).
 *
 * @example
 * ```ts
 * import { MAX_HEATMAP_AXIS } from 'exact-dln/report';
 * const lambdas = Array.from({ length: 41 }, (_, k) => -10 + k / 2);
 * console.log(lambdas.length <= MAX_HEATMAP_AXIS); // true: this grid can be drawn
 * ```
 */
export const MAX_HEATMAP_AXIS = 500;

/**
 * A heatmap of a lazy–rich sweep (`lazyRichSweep`): λ across, the initial scale up, colour
 * (logarithmic, dark = lazy) and label = the plotted kernel distance. Cells of several
 * networks (`network` set) give one panel each.
 *
 * @param cells - the grid cells.
 * @param options - `title`, `valueTitle` (the quantity, for the subtitle) and `legendTitle`
 *   (short, for the colour legend).
 * @returns a Vega-Lite specification.
 * @throws `InvalidArgumentError` for cells that are not { lambda, scale, value } with
 *   finite numbers, an unknown option, or more than {@link MAX_HEATMAP_AXIS} distinct λ or scales.
 * @example
 * ```ts
 * import { lazyRichSweep, randomTask } from 'exact-dln';
 * import { renderSvg, sweepHeatmapFigure } from 'exact-dln/report';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const { rows } = lazyRichSweep({ lambdas: [-4, 0, 4], scales: [0.05, 1], task, hiddenDim: 3, time: 5, seed: 2 });
 * const svg = await renderSvg(sweepHeatmapFigure(rows.map((r) => ({ lambda: r.lambda, scale: r.scale, value: r.convergedKernelDistance }))));
 * ```
 */
export function sweepHeatmapFigure(
  cells: readonly SweepCell[],
  options: { title?: string; valueTitle?: string; legendTitle?: string } = {},
): TopLevelSpec {
  if (!Array.isArray(cells) || !cells.every((c) => c !== null && typeof c === 'object' && [c.lambda, c.scale, c.value].every(Number.isFinite))) {
    throw new InvalidArgumentError(
      `invalid argument. sweepHeatmapFigure expects \`cells\` to be an array of { lambda, scale, value } with finite numbers (network optional). Value: ${describe(cells)}.`,
      'cells',
    );
  }
  assertObject(options, 'options', 'sweepHeatmapFigure');
  assertKnownOptions(options, 'sweepHeatmapFigure', {
    title: true,
    valueTitle: true,
    legendTitle: true,
  } satisfies Record<keyof typeof options, true>);
  const networks = [...new Set(cells.map((c) => c.network).filter((n): n is string => n !== undefined))];
  const lambdas = [...new Set(cells.map((c) => c.lambda))].sort((a, b) => a - b);
  const scales = [...new Set(cells.map((c) => c.scale))].sort((a, b) => b - a);
  if (Math.max(lambdas.length, scales.length) > MAX_HEATMAP_AXIS) {
    // (Vega-Lite's compiler overflowed the call stack from about 1000 on, after the whole sweep.)
    throw new InvalidArgumentError(
      `invalid argument. A heatmap of ${lambdas.length} λ × ${scales.length} scales cannot be drawn: at most ${MAX_HEATMAP_AXIS} distinct values per axis.`,
      'cells',
    );
  }
  // Folded loops, not Math.min(...positive): a spread of 10⁵ cells overflows the call stack.
  const smallest = cells.reduce((m, c) => (c.value > 0 ? Math.min(m, c.value) : m), 1);
  const largest = cells.reduce((m, c) => (c.value > 0 ? Math.max(m, c.value) : m), 1);
  const values = cells.map((c) => ({ ...c, shown: Math.max(c.value, smallest * 1e-3) }));
  const valueTitle = options.valueTitle ?? 'kernel distance at convergence';
  const unit = {
    width: { step: 58 },
    height: { step: 34 },
    encoding: {
      x: { field: 'lambda', type: 'ordinal', title: 'λ', sort: lambdas, axis: { labelAngle: 0, grid: false } },
      y: { field: 'scale', type: 'ordinal', title: 'initial scale', sort: scales, axis: { grid: false } },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'shown', type: 'quantitative', title: valueTitle, scale: { type: 'log', scheme: 'viridis' }, legend: { format: '.0e', title: options.legendTitle ?? 'd(K(0), K(∞))' } },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'value', type: 'quantitative', format: '.1e' },
          color: { condition: { test: `datum.shown < ${Math.sqrt(smallest * largest)}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
  const title = { text: options.title ?? 'Lazy–rich sweep', subtitle: `${valueTitle}: dark = lazy (the kernel barely moves), bright = rich` };
  const base = { $schema: VEGA_LITE_SCHEMA, title, data: { values }, config: FIGURE_CONFIG };
  if (networks.length === 0) return { ...base, ...unit } as TopLevelSpec;
  return {
    ...base,
    facet: { column: { field: 'network', type: 'nominal', title: null, sort: networks } },
    spec: unit,
  } as TopLevelSpec;
}
