/**
 * Figure 1: the loss over time, exact curves with gradient-descent points overlaid.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { assertStudy, type LazyRichStudy } from '../lazy-rich-study.js';
import { FIGURE_CONFIG, TIME_TITLE, VEGA_LITE_SCHEMA, decades, lambdaColorScale, lambdaDashScale, negativeLambdasLast } from './style.js';

/**
 * Figure 1 of the lazy–rich report: the loss L − L* = ½‖Σyx − W2W1‖²_F against t/τ, one
 * exact curve per λ (blue λ < 0, dashed; red λ > 0; grey λ = 0), with the gradient-descent
 * losses as dots in the same colour, on a logarithmic loss axis spanning five decades below
 * the largest initial loss; one panel per network.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns a Vega-Lite specification (render it with `renderSvg`).
 * @example
 * ```ts
 * import { lazyRichStudy, lossFigure, renderSvg } from 'exact-dln/report';
 * const svg = await renderSvg(lossFigure(lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41 })));
 * ```
 */
export function lossFigure(study: LazyRichStudy): TopLevelSpec {
  assertStudy(study, 'lossFigure');
  const values: { lambda: number; [key: string]: unknown }[] = [];
  for (const net of study.networks) {
    for (const run of net.runs) {
      run.times.forEach((t, k) => values.push({ network: net.label, lambda: run.lambda, t, loss: run.loss[k], source: 'exact' }));
      run.simulated.times.forEach((t, k) =>
        values.push({ network: net.label, lambda: run.lambda, t, loss: run.simulated.loss[k], source: 'gradient descent' }),
      );
    }
  }
  const lambdas = study.networks.flatMap((n) => n.runs.map((r) => r.lambda));
  // Logarithmic loss axis over five decades below the largest initial loss; exact curves
  // are clipped at the bottom edge, simulated points below it are left out.
  const top = study.networks.flatMap((n) => n.runs.map((r) => r.loss[0])).reduce((m, l) => Math.max(m, l), -Infinity);
  const domain = [10 ** Math.floor(Math.log10(top * 1e-5)), 10 ** Math.ceil(Math.log10(top))];
  const shown = negativeLambdasLast(values).filter((v) => (v.loss as number) > (v.source === 'exact' ? 0 : domain[0]));
  const x = { field: 't', type: 'quantitative', title: TIME_TITLE } as const;
  const y = {
    field: 'loss',
    type: 'quantitative',
    title: 'loss L − L* = ½‖Σyx − W2W1‖²',
    scale: { type: 'log', domain },
    axis: { format: '.0e', values: decades(domain[0], domain[1]) },
  } as const;
  const color = { field: 'lambda', type: 'ordinal', title: 'λ', scale: lambdaColorScale(lambdas), legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5 } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Loss over time',
      subtitle: `lines: exact closed form · dots: gradient descent (η = ${study.settings.learningRate}) · initial scale ${study.settings.scale}`,
    },
    data: { values: shown },
    facet: { column: { field: 'network', type: 'nominal', title: null, sort: study.networks.map((n) => n.label) } },
    spec: {
      width: 330,
      height: 240,
      layer: [
        {
          transform: [{ filter: "datum.source === 'exact'" }],
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: {
            x,
            y,
            color,
            strokeDash: { field: 'lambda', type: 'ordinal', title: 'λ', scale: lambdaDashScale(lambdas) },
          },
        },
        {
          transform: [{ filter: "datum.source === 'gradient descent'" }],
          mark: { type: 'point', filled: true, size: 16, opacity: 0.9 },
          encoding: { x, y, color },
        },
      ],
    },
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}
