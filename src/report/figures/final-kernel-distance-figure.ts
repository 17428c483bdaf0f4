/**
 * Figure 4: the kernel distance at convergence against λ.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { assertStudy, type LazyRichStudy } from '../lazy-rich-study.js';
import { FIGURE_CONFIG, VEGA_LITE_SCHEMA, decades } from './style.js';

/**
 * Figure 4 of the lazy–rich report: the kernel distance between the initial and the
 * converged NTK, d(K(0), K(∞)), against λ on a logarithmic axis, one line per network.
 * With equal widths it falls symmetrically with |λ|; with unequal widths the sign of λ
 * decides (docs/lazy-rich.md).
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns a Vega-Lite specification.
 * @example
 * ```ts
 * import { finalKernelDistanceFigure, lazyRichStudy, renderSvg } from 'exact-dln/report';
 * const svg = await renderSvg(finalKernelDistanceFigure(lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41 })));
 * ```
 */
export function finalKernelDistanceFigure(study: LazyRichStudy): TopLevelSpec {
  assertStudy(study, 'finalKernelDistanceFigure');
  const values = study.networks.flatMap((net) =>
    net.runs.map((run) => ({ network: net.label, lambda: run.lambda, distance: run.finalKernelDistance })),
  );
  const ticks = decades(values.reduce((m, v) => Math.min(m, v.distance), Infinity), values.reduce((m, v) => Math.max(m, v.distance), -Infinity));
  const encoding: Record<string, unknown> = {
    x: {
      field: 'lambda',
      type: 'quantitative',
      title: 'λ (balance W2ᵀW2 − W1W1ᵀ = λI)',
      axis: { values: [...new Set(values.map((v) => v.lambda))] },
    },
    y: {
      field: 'distance',
      type: 'quantitative',
      title: 'kernel distance at convergence',
      scale: { type: 'log', domain: [ticks[0], ticks[ticks.length - 1]] },
      axis: { format: '.0e', values: ticks },
    },
    color: { field: 'network', type: 'nominal', title: 'network Ni×Nh×No', sort: study.networks.map((n) => n.label) },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Final kernel distance against λ', subtitle: `d(K(0), K(∞)) from initial scale ${study.settings.scale}; lower is lazier` },
    data: { values },
    width: 420,
    height: 270,
    layer: [
      { mark: { type: 'line', strokeWidth: 2 }, encoding },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { ...encoding, shape: { field: 'network', type: 'nominal', title: 'network Ni×Nh×No', sort: study.networks.map((n) => n.label) } } },
    ],
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}
