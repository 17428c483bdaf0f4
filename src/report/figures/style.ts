/**
 * Shared look of the report's figures: fonts, sizes and the λ colour scale.
 *
 * @module
 */
import type { Config } from 'vega-lite';

/** The Vega-Lite `$schema` of every figure. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Fonts and sizes readable at the default (1:1) size. */
export const FIGURE_CONFIG: Config = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
  header: { labelFontSize: 13, titleFontSize: 13, titleFontWeight: 'normal', labelFontWeight: 'bold' },
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start', offset: 12 },
  view: { stroke: '#bbbbbb' },
};

/** The x-axis title of every plot over time. */
export const TIME_TITLE = 'time t/τ';

const NEGATIVE = ['#9ecae1', '#4292c6', '#08519c', '#08306b'];
const POSITIVE = ['#fc9272', '#ef3b2c', '#a50f15', '#67000d'];

/**
 * Colours for a set of λ: blues for λ < 0, reds for λ > 0 (darker for larger |λ|), dark
 * grey for λ = 0. Returns a Vega-Lite scale `{ domain, range }` over the sorted λ.
 */
export function lambdaColorScale(lambdas: readonly number[]): { domain: number[]; range: string[] } {
  const domain = [...new Set(lambdas)].sort((a, b) => a - b);
  const negatives = domain.filter((l) => l < 0).sort((a, b) => b - a);
  const positives = domain.filter((l) => l > 0);
  // The darkest shades for the largest |λ|; more λ than shades share them.
  const shade = (list: string[], rank: number, count: number): string =>
    count <= list.length ? list[list.length - count + rank] : list[Math.round((rank * (list.length - 1)) / (count - 1))];
  const range = domain.map((l) => {
    if (l === 0) return '#333333';
    if (l < 0) return shade(NEGATIVE, negatives.indexOf(l), negatives.length);
    return shade(POSITIVE, positives.indexOf(l), positives.length);
  });
  return { domain, range };
}

/** Dash patterns: dashed for λ < 0, solid otherwise (λ and −λ can coincide). */
export function lambdaDashScale(lambdas: readonly number[]): { domain: number[]; range: number[][] } {
  const domain = [...new Set(lambdas)].sort((a, b) => a - b);
  return { domain, range: domain.map((l) => (l < 0 ? [6, 3] : [1, 0])) };
}

/**
 * The powers of ten from `min` to `max` (inclusive, rounded outwards, within the doubles'
 * 1e-323 … 1e308): tick values of a log axis. (Unclamped, a `min` of 0 counted up from
 * log10 0 = −∞ for ever, filling memory until the process died.)
 */
export function decades(min: number, max: number): number[] {
  const out: number[] = [];
  const high = Math.min(308, Math.ceil(Math.log10(max)));
  for (let e = Math.max(-323, Math.floor(Math.log10(min))); e <= high; e++) out.push(10 ** e);
  return out;
}

/**
 * Orders rows so that λ < 0 come last: their dashed curves are then drawn on top of the
 * solid λ > 0 curves, which they coincide with for equal widths.
 */
export function negativeLambdasLast<T extends { lambda: number }>(rows: T[]): T[] {
  return [...rows.filter((r) => r.lambda >= 0), ...rows.filter((r) => r.lambda < 0)];
}
