/**
 * The report's figures rendered to SVG: well-formed XML, axis titles with units (t/τ),
 * one line per λ in every panel, the heatmaps' cells.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { lazyRichStudy, type LazyRichStudy } from '../../src/report/lazy-rich-study.js';
import { lazyRichFigures } from '../../src/report/lazy-rich-report.js';
import { renderSvg } from '../../src/report/render-svg.js';
import { sweepHeatmapFigure } from '../../src/report/figures/sweep-heatmap-figure.js';
import { assertWellFormedXml } from './xml.js';

const LAMBDAS = [-10, -1, 0, 1, 10];
let study: LazyRichStudy;
const svgs = new Map<string, string>();

beforeAll(async () => {
  study = lazyRichStudy({
    networks: [
      { inputDim: 3, hiddenDim: 3, outputDim: 3 },
      { inputDim: 2, hiddenDim: 2, outputDim: 4 },
    ],
    lambdas: LAMBDAS,
    duration: 4,
    points: 41,
    simulatedPoints: 11,
    learningRate: 0.01,
    sweepScales: [0.05, 1],
  });
  for (const figure of lazyRichFigures(study)) svgs.set(figure.file, await renderSvg(figure.spec));
});

/** The λ label of every line mark (one <path> per drawn line). */
function lineLambdas(svg: string): number[] {
  return [...svg.matchAll(/<path aria-label="[^"]*λ: (-?[\d.]+)"[^>]*aria-roledescription="line mark"/g)].map((m) => Number(m[1]));
}

function count(svg: string, text: string): number {
  return svg.split(text).length - 1;
}

describe('report figures', () => {
  it('renders six figures, each well-formed SVG with a title', () => {
    expect([...svgs.keys()]).toEqual(['loss.svg', 'mode-strengths.svg', 'kernel-distance.svg', 'final-kernel-distance.svg', 'representations.svg', 'sweep-heatmap.svg']);
    for (const [file, svg] of svgs) {
      expect(assertWellFormedXml(svg), file).toBe('svg');
      expect(svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
      expect(svg, file).toContain('role-title-text');
    }
  });

  it('plots over time have the x-axis title "time t/τ" in every panel', () => {
    expect(count(svgs.get('loss.svg')!, "X-axis titled 'time t/τ'")).toBe(2);
    expect(count(svgs.get('kernel-distance.svg')!, "X-axis titled 'time t/τ'")).toBe(2);
    expect(count(svgs.get('mode-strengths.svg')!, "X-axis titled 'time t/τ'")).toBe(LAMBDAS.length);
    expect(svgs.get('loss.svg')).toContain("Y-axis titled 'loss L − L* = ½‖Σyx − W2W1‖²' for a log scale");
    expect(svgs.get('kernel-distance.svg')).toContain("Y-axis titled 'kernel distance d(K(0), K(t))' for a log scale");
    expect(svgs.get('final-kernel-distance.svg')).toContain("X-axis titled 'λ (balance W2ᵀW2 − W1W1ᵀ = λI)'");
  });

  it('loss and kernel distance: one line per λ in each network panel, with a λ legend', () => {
    for (const file of ['loss.svg', 'kernel-distance.svg']) {
      const lines = lineLambdas(svgs.get(file)!);
      expect(lines, file).toHaveLength(LAMBDAS.length * 2);
      for (const l of LAMBDAS) expect(lines.filter((x) => x === l), `${file} λ = ${l}`).toHaveLength(2);
      expect(svgs.get(file)).toContain(`legend titled 'λ'`);
    }
  });

  it('loss: the gradient-descent points are drawn too', () => {
    const points = count(svgs.get('loss.svg')!, 'aria-roledescription="point"');
    expect(points).toBeGreaterThan(LAMBDAS.length * 2 * 5);
  });

  it('mode strengths: one line per mode in each (network, λ) panel', () => {
    const svg = svgs.get('mode-strengths.svg')!;
    const lines = count(svg, 'aria-roledescription="line mark"');
    expect(lines).toBe(LAMBDAS.length * (3 + 2));
    expect(svg).toContain("legend titled 'mode α'");
  });

  it('final kernel distance: one line per network over λ', () => {
    expect(count(svgs.get('final-kernel-distance.svg')!, 'aria-roledescription="line mark"')).toBe(2);
  });

  it('representations: W1ᵀW1 and W2W2ᵀ cells for λ ∈ {−10, 0, 10} of both networks', () => {
    const svg = svgs.get('representations.svg')!;
    expect(count(svg, 'aria-roledescription="rect mark"')).toBe(3 * (9 + 9 + 4 + 16));
    for (const label of ['3×3×3 · W1ᵀW1', '3×3×3 · W2W2ᵀ', '2×2×4 · W1ᵀW1', '2×2×4 · W2W2ᵀ']) expect(svg).toContain(label);
  });

  it('sweep heatmap: one cell per (λ, scale), labelled with its value; unlabelled cells form one panel', async () => {
    const sweep = svgs.get('sweep-heatmap.svg')!;
    expect(count(sweep, 'aria-roledescription="rect mark"')).toBe(2 * LAMBDAS.length * 2);
    expect(count(sweep, 'aria-roledescription="text mark"')).toBe(2 * LAMBDAS.length * 2);
    const single = await renderSvg(
      sweepHeatmapFigure([
        { lambda: -1, scale: 0.1, value: 0.02 },
        { lambda: 1, scale: 0.1, value: 0.3 },
      ]),
    );
    expect(assertWellFormedXml(single)).toBe('svg');
    expect(count(single, 'aria-roledescription="rect mark"')).toBe(2);
    expect(single).toContain('3.0e-1');
  });
});
