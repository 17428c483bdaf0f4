/**
 * Figure 2: the mode strengths over time, one panel per (network, λ).
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { assertStudy, type LazyRichStudy } from '../lazy-rich-study.js';
import { FIGURE_CONFIG, TIME_TITLE, VEGA_LITE_SCHEMA } from './style.js';

/**
 * Figure 2 of the lazy–rich report: the mode strengths a_α(t) = ũ_αᵀ W2W1(t) ṽ_α (the
 * diagonal of Ũᵀ W2W1 Ṽ, MATH.md §5) against t/τ, one colour per task mode α, with the
 * targets σ_α as dashed rules; panels: rows are networks, columns λ.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns a Vega-Lite specification.
 * @example
 * ```ts
 * import { lazyRichStudy, modeStrengthsFigure, renderSvg } from 'exact-dln/report';
 * const svg = await renderSvg(modeStrengthsFigure(lazyRichStudy({ lambdas: [0, 4], duration: 4, points: 41 })));
 * ```
 */
export function modeStrengthsFigure(study: LazyRichStudy): TopLevelSpec {
  assertStudy(study, 'modeStrengthsFigure');
  const curves: Record<string, unknown>[] = [];
  const targets: Record<string, unknown>[] = [];
  for (const net of study.networks) {
    for (const run of net.runs) {
      run.times.forEach((t, k) =>
        run.modeStrengths[k].forEach((a, alpha) =>
          curves.push({ network: net.label, lambda: run.lambda, t, mode: alpha + 1, strength: a, kind: 'curve' }),
        ),
      );
      net.sigma.forEach((s, alpha) => targets.push({ network: net.label, lambda: run.lambda, mode: alpha + 1, sigma: s, kind: 'target' }));
    }
  }
  const color = { field: 'mode', type: 'ordinal', title: 'mode α', scale: { scheme: 'category10' } } as const;
  const lambdas = [...new Set(study.networks.flatMap((n) => n.runs.map((r) => r.lambda)))].sort((a, b) => a - b);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Mode strengths over time',
      subtitle: 'a_α(t) = ũ_αᵀ W2W1(t) ṽ_α (diagonal of Ũᵀ W2W1 Ṽ); dashed: the targets σ_α',
    },
    data: { values: [...curves, ...targets] },
    facet: {
      row: { field: 'network', type: 'nominal', title: null, sort: study.networks.map((n) => n.label) },
      column: { field: 'lambda', type: 'ordinal', title: 'λ', sort: lambdas },
    },
    spec: {
      width: 112,
      height: 130,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'target'" }],
          mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1, opacity: 0.8 },
          encoding: { y: { field: 'sigma', type: 'quantitative' }, color },
        },
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', strokeWidth: 1.8 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: TIME_TITLE, axis: { tickCount: 3 } },
            y: { field: 'strength', type: 'quantitative', title: 'strength a_α(t)' },
            color,
          },
        },
      ],
    },
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}
