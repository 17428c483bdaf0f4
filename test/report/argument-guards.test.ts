/**
 * The functions of the `exact-dln/report` entry point refuse wrong arguments with the
 * library's typed errors (ExactDlnError and subclasses, e.g. InvalidArgumentError or
 * ConfigError) — never a TypeError from inside a figure — whatever a JavaScript caller
 * passes. (File-system and CLI functions are left out: garbage paths would touch the disk.)
 */
import { describe, expect, it } from 'vitest';
import { ExactDlnError, InvalidArgumentError, Matrix } from '../../src/index.js';
import * as report from '../../src/report/index.js';

const GARBAGE: unknown[] = [undefined, null, 0, NaN, 'x', [], [[]], [[NaN]], {}, { networks: 3 }, { settings: {}, networks: [{}] }, true, new Matrix(2, 2)];

/** Calls fn; a throw (or rejection) must be an ExactDlnError. Returns whether it threw. */
async function typedOrFine(label: string, fn: () => unknown): Promise<boolean> {
  try {
    await fn();
    return false;
  } catch (e) {
    expect(e, `${label}: ${String(e)}`).toBeInstanceOf(ExactDlnError);
    return true;
  }
}

describe('exact-dln/report: wrong arguments give typed errors', () => {
  it('figures, summaries and the report from a study', async () => {
    const byStudy: [string, (s: unknown) => unknown][] = [
      ['lossFigure', (s) => report.lossFigure(s as never)],
      ['modeStrengthsFigure', (s) => report.modeStrengthsFigure(s as never)],
      ['kernelDistanceFigure', (s) => report.kernelDistanceFigure(s as never)],
      ['finalKernelDistanceFigure', (s) => report.finalKernelDistanceFigure(s as never)],
      ['representationsFigure', (s) => report.representationsFigure(s as never)],
      ['lazyRichFigures', (s) => report.lazyRichFigures(s as never)],
      ['summaryRows', (s) => report.summaryRows(s as never)],
      ['summaryText', (s) => report.summaryText(s as never)],
      ['reportHtml', (s) => report.reportHtml(s as never, [])],
      ['buildLazyRichReport', (s) => report.buildLazyRichReport(s as never)],
    ];
    for (const [name, fn] of byStudy) {
      for (const g of GARBAGE) expect(await typedOrFine(`${name}(${String(g)})`, () => fn(g)), `${name}(${String(g)}) should refuse`).toBe(true);
    }
    const e = await (async () => {
      try {
        report.lossFigure({} as never);
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e?.message).toMatch(/lossFigure expects a study as returned by lazyRichStudy/);
  });

  it('the other functions that take data', async () => {
    const cases: [string, (g: unknown) => unknown][] = [
      ['sweepHeatmapFigure(cells)', (g) => report.sweepHeatmapFigure(g as never)],
      ['sweepHeatmapFigure(cells, options)', (g) => report.sweepHeatmapFigure([{ lambda: 0, scale: 1, value: 0.5 }], g as never)],
      ['reportHtml(study, figures)', (g) => report.reportHtml({ settings: { ...report.DEFAULT_LAZY_RICH_STUDY }, networks: [] } as never, g as never)],
      ['lazyRichStudy(options)', (g) => (g !== null && typeof g === 'object' ? undefined : report.lazyRichStudy(g as never))],
      ['impossibleLambdaReason(λ, widths)', (g) => report.impossibleLambdaReason(1, g as never)],
      ['impossibleLambdaReason(λ)', (g) => report.impossibleLambdaReason(g as never, { inputDim: 1, hiddenDim: 1, outputDim: 1 })],
      ['configWeights', (g) => report.configWeights(g as never)],
      ['configTimes', (g) => report.configTimes(g as never)],
      ['parseRunConfig', (g) => report.parseRunConfig(g)],
      ['parseCsvData(text)', (g) => report.parseCsvData(g as never, ['x'], ['y'])],
      ['parseCsvData(columns)', (g) => report.parseCsvData('x,y\n1,2\n', g as never, ['y'])],
      ['parseJsonData(text)', (g) => report.parseJsonData(g as never, ['x'], ['y'])],
      ['parseJsonData(columns)', (g) => report.parseJsonData('[{"x":1,"y":2}]', ['x'], g as never)],
      ['renderSvg', (g) => report.renderSvg(g as never)],
    ];
    for (const [name, fn] of cases) for (const g of GARBAGE) await typedOrFine(`${name} with ${String(g)}`, () => fn(g));
  });

  it('valid arguments still work', () => {
    expect(report.impossibleLambdaReason(1, { inputDim: 4, hiddenDim: 6, outputDim: 4 })).toMatch(/hiddenDim ≤ outputDim/);
    expect(report.parseCsvData('x,y\n1,2\n', ['x'], ['y']).X).toEqual([[1]]);
    expect(report.sweepHeatmapFigure([{ lambda: 0, scale: 1, value: 0.5 }])).toHaveProperty('layer');
  });
});
