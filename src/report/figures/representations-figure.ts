/**
 * Figure 5: heatmaps of the converged representations W1ᵀW1 and W2W2ᵀ.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { assertStudy, type LazyRichStudy } from '../lazy-rich-study.js';
import { FIGURE_CONFIG, VEGA_LITE_SCHEMA } from './style.js';

/**
 * The λ shown in {@link representationsFigure}: −10, 0 and 10 where available, otherwise
 * the smallest λ, the one closest to 0 and the largest of the runs.
 */
function shownLambdas(available: number[]): number[] {
  const wanted = [-10, 0, 10];
  if (wanted.every((l) => available.includes(l))) return wanted;
  const sorted = [...new Set(available)].sort((a, b) => a - b);
  const closest = sorted.reduce((best, l) => (Math.abs(l) < Math.abs(best) ? l : best), sorted[0]);
  return [...new Set([sorted[0], closest, sorted[sorted.length - 1]])];
}

/** Legend values of the symmetric-log colour scale: 0, ±0.1, ±1, ±10, … up to the extent. */
function symlogTicks(extent: number): number[] {
  const positive = [0.1, 1, 10, 100, 1000].filter((v) => v <= extent * 1.0001);
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
}

/**
 * Figure 5 of the lazy–rich report: heatmaps of the input-side representation W1ᵀW1
 * (Ni×Ni) and the output-side representation W2W2ᵀ (No×No) at convergence (MATH.md §5)
 * for λ ∈ {−10, 0, 10}, one column per network and matrix, one row per λ, on one
 * diverging colour scale centred at 0 (symmetric-logarithmic, so that entries of
 * order 0.1 and of order |λ| are both visible). Large λ > 0 moves the learned structure into
 * W2W2ᵀ (≈ λI + ΣyxΣyxᵀ/λ), large λ < 0 into W1ᵀW1; λ = 0 splits it evenly.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns a Vega-Lite specification.
 * @example
 * ```ts
 * import { lazyRichStudy, renderSvg, representationsFigure } from 'exact-dln/report';
 * const svg = await renderSvg(representationsFigure(lazyRichStudy({ lambdas: [-10, 0, 10], duration: 2, points: 5 })));
 * ```
 */
export function representationsFigure(study: LazyRichStudy): TopLevelSpec {
  assertStudy(study, 'representationsFigure');
  const lambdas = shownLambdas(study.networks.flatMap((n) => n.runs.map((r) => r.lambda)));
  const values: Record<string, unknown>[] = [];
  const panels: string[] = [];
  for (const net of study.networks) {
    for (const [key, label] of [
      ['w1tw1', 'W1ᵀW1'],
      ['w2w2t', 'W2W2ᵀ'],
    ] as const) {
      const panel = `${net.label} · ${label}`;
      panels.push(panel);
      for (const run of net.runs) {
        if (!lambdas.includes(run.lambda)) continue;
        run.converged[key].forEach((row, i) => row.forEach((value, j) => values.push({ panel, lambda: run.lambda, i: i + 1, j: j + 1, value })));
      }
    }
  }
  const extent = values.reduce((m, v) => Math.max(m, Math.abs(v.value as number)), -Infinity);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Representations at convergence',
      subtitle: 'input side W1ᵀW1 (Ni×Ni) and output side W2W2ᵀ (No×No) as t → ∞; one symmetric-log colour scale for all panels',
    },
    data: { values },
    facet: {
      row: { field: 'lambda', type: 'ordinal', title: 'λ', sort: lambdas },
      column: { field: 'panel', type: 'nominal', title: null, sort: panels },
    },
    spec: {
      width: 120,
      height: 120,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'j', type: 'ordinal', title: 'column', axis: { labelAngle: 0 } },
        y: { field: 'i', type: 'ordinal', title: 'row' },
        color: {
          field: 'value',
          type: 'quantitative',
          title: 'entry',
          scale: { type: 'symlog', constant: 0.1, scheme: 'redblue', reverse: true, domain: [-extent, extent] },
          legend: { values: symlogTicks(extent), format: '~r' },
        },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}
