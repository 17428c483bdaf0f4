/**
 * Figure 3: the kernel distance from the initialisation over time.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { assertStudy, type LazyRichStudy } from '../lazy-rich-study.js';
import { FIGURE_CONFIG, TIME_TITLE, VEGA_LITE_SCHEMA, decades, lambdaColorScale, lambdaDashScale, negativeLambdasLast } from './style.js';

/** Distances below this are not drawn on the logarithmic axis (t = 0 gives exactly 0). */
const FLOOR = 1e-12;

/**
 * Figure 3 of the lazy–rich report: the kernel distance d(K(0), K(t)) of the Neural
 * Tangent Kernel from its initial value (MATH.md §6, whitened probes) against t/τ on a
 * logarithmic axis, one curve per λ; one panel per network. Lazy networks stay near the
 * bottom, rich ones rise towards 1.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns a Vega-Lite specification.
 * @example
 * ```ts
 * import { kernelDistanceFigure, lazyRichStudy, renderSvg } from 'exact-dln/report';
 * const svg = await renderSvg(kernelDistanceFigure(lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41 })));
 * ```
 */
export function kernelDistanceFigure(study: LazyRichStudy): TopLevelSpec {
  assertStudy(study, 'kernelDistanceFigure');
  const values: { lambda: number; distance: number; [key: string]: unknown }[] = [];
  for (const net of study.networks) {
    for (const run of net.runs) {
      run.times.forEach((t, k) => {
        if (run.kernelDistance[k] > FLOOR) values.push({ network: net.label, lambda: run.lambda, t, distance: run.kernelDistance[k] });
      });
    }
  }
  const lambdas = study.networks.flatMap((n) => n.runs.map((r) => r.lambda));
  const ticks = decades(values.reduce((m, v) => Math.min(m, v.distance), Infinity), 1);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Kernel distance from the initialisation', subtitle: 'd(K(0), K(t)) = 1 − ⟨K(0), K(t)⟩ / (‖K(0)‖ ‖K(t)‖), NTK on whitened inputs' },
    data: { values: negativeLambdasLast(values) },
    facet: { column: { field: 'network', type: 'nominal', title: null, sort: study.networks.map((n) => n.label) } },
    spec: {
      width: 330,
      height: 240,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: TIME_TITLE },
        y: {
          field: 'distance',
          type: 'quantitative',
          title: 'kernel distance d(K(0), K(t))',
          scale: { type: 'log', domain: [ticks[0], 1] },
          axis: { format: '.0e', values: ticks },
        },
        color: { field: 'lambda', type: 'ordinal', title: 'λ', scale: lambdaColorScale(lambdas) },
        strokeDash: { field: 'lambda', type: 'ordinal', title: 'λ', scale: lambdaDashScale(lambdas) },
      },
    },
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}
