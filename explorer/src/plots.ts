/**
 * The explorer's views, drawn with Observable Plot. Each function returns a fresh element
 * (an <svg>, or a <figure> holding a legend and an <svg>) for the page to put in place.
 *
 * @module
 */
import * as Plot from '@observablehq/plot';
import type { SimulationPoint } from './protocol.js';
import type { SweepPoint, TrajectorySeries } from './model.js';

/** Size and font shared by the time-series views. */
export interface PlotFrame {
  width: number;
  height: number;
}

const STYLE = { fontSize: '12px', overflow: 'visible' } as const;
const EXACT = '#1f6fb4';
const CURSOR = '#c2185b';
const SIM_STROKE = '#111';

/** A colour scheme with distinct colours for `n` modes. */
function modeScheme(n: number): Plot.ColorScheme {
  return n <= 10 ? 'tableau10' : 'turbo';
}

function cursorMarks(cursor: number): Plot.Markish[] {
  return [Plot.ruleX([cursor], { stroke: CURSOR, strokeDasharray: '5,3', strokeWidth: 1.5 })];
}

/** True if no power of ten lies between the smallest and the largest positive value. */
function withinOneDecade(values: number[]): boolean {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return true;
  return Math.floor(Math.log10(Math.min(...positive))) === Math.floor(Math.log10(Math.max(...positive)));
}

/** Tick labels of a log axis: 10ⁿ at powers of ten, nothing in between. */
function powerOfTen(d: number): string {
  const k = Math.log10(d);
  if (Math.abs(k - Math.round(k)) > 1e-9) return '';
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  const n = Math.round(k);
  const exponent = `${n < 0 ? '⁻' : ''}${[...String(Math.abs(n))].map((c) => digits[Number(c)]).join('')}`;
  return n === 0 ? '1' : `10${exponent}`;
}

/**
 * Loss ½‖Σyx − W2W1(t)‖²_F against t/τ: the exact curve, the smallest loss the hidden layer
 * can reach (dashed, when above 0), the cursor, and gradient-descent points when simulated.
 * On a logarithmic axis the range is cut at 1e-12 of the largest loss (a learned task
 * goes on falling towards 0 for ever).
 */
export function lossPlot(series: TrajectorySeries, cursor: number, sim: readonly SimulationPoint[] | null, frame: PlotFrame, logarithmic = false): Element {
  const { times, minimumLoss } = series;
  // On a log axis a bottleneck's loss is drawn above its minimum, L − L*, which falls to 0
  // like any other; values below 1e-12 of the largest leave the axis (a gap, not a floor).
  const above = logarithmic && minimumLoss > 0;
  const shift = (l: number): number => (above ? l - minimumLoss : l);
  const loss = series.loss.map(shift);
  const simPoints = sim === null ? null : sim.map((p) => ({ ...p, loss: shift(p.loss) }));
  const top = Math.max(...loss, ...(simPoints ?? []).map((p) => p.loss));
  const floor = top * 1e-12;
  const log = logarithmic && top > 0;
  const y = log
    ? { type: 'log' as const, label: above ? '↑ loss above its minimum (log)' : '↑ loss ½‖Σyx − W2W1‖² (log)', grid: true, domain: [floor, top], tickFormat: powerOfTen }
    : { label: '↑ loss ½‖Σyx − W2W1‖²', grid: true, zero: true, tickFormat: '.3~g' };
  const visible = (l: number): number => (log && !(l >= floor) ? NaN : l);
  return Plot.plot({
    ...frame,
    style: STYLE,
    marginLeft: 56,
    marginBottom: 38,
    x: { label: 't / τ →', labelAnchor: 'right', domain: [0, times[times.length - 1]] },
    y,
    marks: [
      minimumLoss > 0 && !above ? Plot.ruleY([minimumLoss], { stroke: '#666', strokeDasharray: '4,3' }) : null,
      minimumLoss > 0 && !above
        ? Plot.text([`dashed: minimum ${minimumLoss.toPrecision(3)}`], { frameAnchor: 'top-right', dx: -4, dy: 4, fill: '#444' })
        : null,
      Plot.line(times, { x: times, y: loss.map(visible), stroke: EXACT, strokeWidth: 2 }),
      ...cursorMarks(cursor),
      simPoints === null
        ? null
        : Plot.dot(simPoints.filter((p) => !log || p.loss >= floor), { x: 't', y: 'loss', r: 2.5, stroke: SIM_STROKE, fill: 'white', strokeWidth: 1.2 }),
    ],
  });
}

/**
 * Mode strengths a_α(t) = (Ũᵀ W2W1 Ṽ)_αα against t/τ, one line per task mode α, with the
 * targets σ_α dashed; gradient-descent points in the same colours when simulated.
 */
export function modesPlot(series: TrajectorySeries, cursor: number, sim: readonly SimulationPoint[] | null, frame: PlotFrame): Element {
  const { times, strengths, targets } = series;
  const n = times.length;
  const modes = strengths.length;
  const x = new Float64Array(n * modes);
  const y = new Float64Array(n * modes);
  const z = new Array<string>(n * modes);
  for (let a = 0; a < modes; a++) {
    for (let k = 0; k < n; k++) {
      x[a * n + k] = times[k];
      y[a * n + k] = strengths[a][k];
      z[a * n + k] = `${a + 1}`;
    }
  }
  const labels = targets.map((_, a) => `${a + 1}`);
  const simDots: { t: number; a: number; mode: string }[] = [];
  if (sim !== null) {
    for (const p of sim) p.strengths.forEach((a, i) => simDots.push({ t: p.t, a, mode: `${i + 1}` }));
  }
  return Plot.plot({
    ...frame,
    style: STYLE,
    marginLeft: 56,
    marginBottom: 38,
    x: { label: 't / τ →', labelAnchor: 'right', domain: [0, times[n - 1]] },
    y: { label: '↑ mode strength a_α (dashed: target σ_α)', grid: true, tickFormat: '.3~g' },
    color: { type: 'ordinal', domain: labels, scheme: modeScheme(modes), legend: true, label: 'mode α' },
    marks: [
      Plot.ruleY(targets, { y: (d: number) => d, stroke: (_: number, i: number) => `${i + 1}`, strokeDasharray: '4,3', strokeOpacity: 0.8 }),
      Plot.line(z, { x, y, z, stroke: z, strokeWidth: 1.6 }),
      ...cursorMarks(cursor),
      sim === null ? null : Plot.dot(simDots, { x: 't', y: 'a', stroke: 'mode', fill: 'white', r: 2.2, strokeWidth: 1.2 }),
    ],
  });
}

/**
 * Kernel distance d(K(0), K(t)) of the NTK from its initial value against t/τ, with its
 * limit d(K(0), K(∞)) dashed.
 */
export function kernelPlot(
  series: TrajectorySeries,
  finalDistance: number,
  cursor: number,
  sim: readonly SimulationPoint[] | null,
  frame: PlotFrame,
): Element {
  const { times, kernelDistance } = series;
  return Plot.plot({
    ...frame,
    style: STYLE,
    marginLeft: 56,
    marginBottom: 38,
    x: { label: 't / τ →', labelAnchor: 'right', domain: [0, times[times.length - 1]] },
    y: { label: '↑ kernel distance d(K(0), K(t))', grid: true, zero: true, tickFormat: '.3~g' },
    marks: [
      Plot.ruleY([finalDistance], { stroke: '#666', strokeDasharray: '4,3' }),
      Plot.text([`dashed: t → ∞, ${finalDistance.toPrecision(3)}`], { frameAnchor: 'bottom-right', dx: -4, dy: -4, fill: '#444' }),
      Plot.line(times, { x: times, y: kernelDistance, stroke: EXACT, strokeWidth: 2 }),
      ...cursorMarks(cursor),
      sim === null ? null : Plot.dot(sim, { x: 't', y: 'kernelDistance', r: 2.5, stroke: SIM_STROKE, fill: 'white', strokeWidth: 1.2 }),
    ],
  });
}

const SYMLOG_TICKS = [-1000, -10, -0.1, 0, 0.1, 10, 1000];

/**
 * The final kernel distance d(K(0), K(∞)) against λ (log scale), everything else fixed,
 * with the current λ marked. λ values the widths forbid leave a gap.
 */
export function sweepPlot(sweep: readonly SweepPoint[], lambda: number, distance: number, logarithmic: boolean, frame: PlotFrame): Element {
  const points = sweep.filter((p): p is { lambda: number; distance: number } => p.distance !== null && p.distance > 0);
  const forbidden = sweep.filter((p) => p.distance === null && p.failure === undefined).map((p) => p.lambda);
  const failed = sweep.filter((p) => p.failure !== undefined);
  const marks: Plot.Markish[] = [
    Plot.line(sweep, { x: 'lambda', y: (p: SweepPoint) => (p.distance !== null && p.distance > 0 ? p.distance : NaN), stroke: EXACT, strokeWidth: 1.5 }),
    Plot.dot(points, { x: 'lambda', y: 'distance', r: 2.2, fill: EXACT }),
    // (clipped: a typed λ beyond the slider's range is off the axis; its value is in the label)
    Plot.ruleX([lambda], { stroke: CURSOR, strokeDasharray: '5,3', clip: true }),
  ];
  if (distance > 0) {
    marks.push(Plot.dot([{ lambda, distance }], { x: 'lambda', y: 'distance', r: 5, fill: CURSOR, stroke: 'white', clip: true }));
    marks.push(
      Plot.text([`● λ = ${lambda}: ${distance.toPrecision(4)}`], {
        frameAnchor: 'top-right',
        dy: -22,
        fill: CURSOR,
        fontWeight: 'bold',
      }),
    );
  }
  const negative = forbidden.some((l) => l < 0);
  const positive = forbidden.some((l) => l > 0);
  if (negative || positive) {
    const side = negative && positive ? 'λ ≠ 0' : negative ? 'λ < 0' : 'λ > 0';
    const anchor = negative && positive ? 'top-left' : negative ? 'left' : 'right';
    const dx = anchor === 'right' ? -6 : 6;
    marks.push(Plot.text([`${side} is impossible for these widths`], { frameAnchor: anchor, dx, dy: anchor === 'top-left' ? 6 : 0, lineWidth: 8, fill: '#777' }));
  }
  if (sweep.length > 0 && sweep.every((p) => p.distance === 0 || p.distance === null)) {
    marks.push(Plot.text(['d(K(0), K(∞)) = 0 at every λ: the kernel only rescales (e.g. Ni = No = 1)'], { frameAnchor: 'middle', lineWidth: 14, fill: '#555' }));
  }
  if (failed.length > 0) {
    const at = failed.map((p) => p.lambda).join(', ');
    marks.push(Plot.text([`no value at λ = ${at}`], { frameAnchor: 'bottom-left', dx: 6, dy: -6, fill: '#b3261e' }));
  }
  return Plot.plot({
    ...frame,
    style: STYLE,
    marginLeft: 56,
    marginBottom: 38,
    marginTop: 30,
    x: logarithmic
      ? { type: 'symlog', constant: 0.01, label: 'λ →', labelAnchor: 'right', ticks: SYMLOG_TICKS, tickFormat: (d: number) => `${d}` }
      : // The slider's range, whatever λ is typed (λ = 10⁴ squeezed the sweep into a sliver).
        { label: 'λ →', labelAnchor: 'right', domain: [sweep[0]?.lambda ?? -1, sweep[sweep.length - 1]?.lambda ?? 1] },
    // Logarithmic with 10ⁿ labels, unless the values lie within one decade (then linear).
    y: withinOneDecade([...points.map((p) => p.distance), distance])
      ? { label: '↑ d(K(0), K(∞))', grid: true, tickFormat: '.3~g' }
      : { type: 'log', label: '↑ d(K(0), K(∞))', grid: true, tickFormat: powerOfTen },
    marks,
  });
}

/**
 * A heatmap of a matrix (row i top to bottom, column j left to right) at most `width` px
 * wide, on a diverging colour scale symmetric about 0, with its colour legend above it.
 */
export function heatmap(matrix: number[][], rowLabel: string, columnLabel: string, width: number): Element {
  const cells: { i: number; j: number; v: number }[] = [];
  let max = 0;
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      cells.push({ i, j, v });
      max = Math.max(max, Math.abs(v));
    }),
  );
  const rows = matrix.length;
  const columns = matrix[0]?.length ?? 0;
  const m = max > 0 ? max : 1;
  const marginLeft = 40;
  const side = Math.max(80, Math.min(width - marginLeft - 8, 200));
  const cell = side / Math.max(rows, columns);
  // Label every k-th row and column, with k such that labels are at least 16 px apart.
  const stride = Math.max(1, Math.ceil(16 / cell));
  const every = (n: number): number[] => [...Array(n).keys()].filter((k) => k % stride === 0);
  const plot = Plot.plot({
    width: cell * columns + marginLeft + 8,
    height: cell * rows + 40,
    style: STYLE,
    marginLeft,
    marginTop: 4,
    marginBottom: 34,
    marginRight: 8,
    x: { type: 'band', domain: [...Array(columns).keys()], label: columnLabel, labelAnchor: 'center', ticks: every(columns) },
    y: { type: 'band', domain: [...Array(rows).keys()], label: rowLabel, labelAnchor: 'center', ticks: every(rows) },
    color: { type: 'diverging', scheme: 'RdBu', domain: [-m, m], pivot: 0 },
    marks: [Plot.cell(cells, { x: 'j', y: 'i', fill: 'v', inset: 0.25 })],
  });
  // Short labels at both ends and 0 (long ones like −0.00066 ran into each other).
  const short = (d: number): string => (d === 0 ? '0' : Math.abs(d) >= 1e-2 && Math.abs(d) < 1e4 ? `${Number(d.toPrecision(2))}` : d.toExponential(0));
  const legend = plot.legend('color', { width: Math.max(120, Math.min(width, 220)), label: null, ticks: [-m, 0, m], tickFormat: short, marginLeft: 18, marginRight: 18 });
  const box = document.createElement('div');
  if (legend) box.append(legend);
  box.append(plot);
  return box;
}
