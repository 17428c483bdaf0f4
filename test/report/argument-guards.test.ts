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

/** What fn throws (or rejects with); fails the test if it returns. */
async function thrownAsync(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

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

  it('lazyRichStudy: settings of the wrong kind, and settings that leave nothing to study, are refused up front', async () => {
    const tiny = { duration: 1, points: 3, simulatedPoints: 2, learningRate: 0.01, sweepScales: [] as number[] };
    for (const [bad, field] of [
      [{ lambdas: '0' }, '`lambdas` must be an array'],
      [{ networks: { inputDim: 2, hiddenDim: 2, outputDim: 2 } }, '`networks` must be an array'],
      [{ sweepScales: 1 }, '`sweepScales` must be an array'],
      [{ networks: [3] }, 'networks[0]'],
      [{ onProgress: 3 }, '`onProgress` must be a function'], // "onProgress is not a function" after the first run
      [{ duration: 2n }, '`duration` must be a number'], // "Cannot mix BigInt and other types"
      [{ learningRate: 2n }, '`learningRate` must be a number'],
      [{ scale: -1 }, '`scale` must be a positive number'],
      [{ taskSeed: 1.5 }, '`taskSeed` must be an integer'], // fractions were cut off: 1.5 gave seed 1's task
      [{ weightSeed: 2 ** 60 }, '`weightSeed` must be an integer of at most 53 bits'],
    ] as const) {
      const e = await thrownAsync(() => report.lazyRichStudy({ ...tiny, ...(bad as object) }));
      expect(e, field).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toContain(field);
    }
    // Every λ impossible for every network: the study used to succeed and its report to fail in Vega.
    const none = await thrownAsync(() => report.lazyRichStudy({ ...tiny, networks: [{ inputDim: 2, hiddenDim: 3, outputDim: 2 }], lambdas: [-1, 1] }));
    expect(none).toBeInstanceOf(InvalidArgumentError);
    expect(none.message).toMatch(/None of `lambdas` = \[-1, 1\] is possible .*2×3×2: λ < 0 needs hiddenDim ≤ inputDim/);
    // … and a study edited by hand to have no runs cannot be reported.
    const study = report.lazyRichStudy({ ...tiny, networks: [{ inputDim: 2, hiddenDim: 2, outputDim: 2 }], lambdas: [0] });
    const emptied = { ...study, networks: study.networks.map((n) => ({ ...n, runs: [], sweep: [] })) };
    const e = await thrownAsync(() => report.buildLazyRichReport(emptied));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('no runs');
    // Too long a run names the study's own settings (the refusal named `steps`, which the study has not).
    const long = await thrownAsync(() => report.lazyRichStudy({ ...tiny, duration: 1e8 }));
    expect(long).toBeInstanceOf(InvalidArgumentError);
    expect(long.message).toContain('`duration` / `learningRate` = 100000000 / 0.01 would be 10000000000 gradient steps');
    // timeToLossFraction wants dynamics (it read `dynamics.at` of anything).
    const notDynamics = await thrownAsync(() => report.timeToLossFraction({} as never, 0.5));
    expect(notDynamics).toBeInstanceOf(InvalidArgumentError);
    expect(notDynamics.message).toContain('expects the dynamics');
    // Widths are checked, not read as "possible".
    expect(await thrownAsync(() => report.impossibleLambdaReason(1, {} as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it('valid arguments still work', () => {
    expect(report.impossibleLambdaReason(1, { inputDim: 4, hiddenDim: 6, outputDim: 4 })).toMatch(/hiddenDim ≤ outputDim/);
    expect(report.parseCsvData('x,y\n1,2\n', ['x'], ['y']).X).toEqual([[1]]);
    expect(report.sweepHeatmapFigure([{ lambda: 0, scale: 1, value: 0.5 }])).toHaveProperty('layer');
  });
});
