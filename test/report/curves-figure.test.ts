/**
 * curvesFigure: any curves over time in the report's style — one line per curve with its
 * label in the legend, dashed where asked, vertical rules at the markers, a log axis that
 * leaves out what it cannot draw — and typed errors for what it cannot plot.
 */
import { describe, expect, it } from 'vitest';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { randomTask } from '../../src/core/task.js';
import { trainSequence } from '../../src/applications/task-sequence.js';
import { curvesFigure } from '../../src/report/figures/curves-figure.js';
import { renderSvg } from '../../src/report/render-svg.js';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';
import { assertWellFormedXml } from './xml.js';

/** The label of every line mark (one <path> per drawn line). */
function lineLabels(svg: string): string[] {
  return [...svg.matchAll(/<path aria-label="[^"]*label: ([^;"]+)[^"]*"[^>]*aria-roledescription="line mark"/g)].map((m) => m[1]);
}

describe('curvesFigure', () => {
  it('a task sequence: one line per task, rules at the switch times, the title and axis titles, a log axis', async () => {
    const a = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
    const b = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 2 });
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 3 });
    const seq = trainSequence({ w1, w2, tasks: [{ task: a, duration: 10 }, { task: b, duration: 10 }, { task: a, duration: 10 }] });
    const spec = curvesFigure({
      curves: seq.losses.slice(0, 2).map((values, k) => ({ label: `task ${'AB'[k]}`, times: seq.times, values })),
      markers: seq.switchTimes,
      yTitle: 'loss L − L*',
      logY: true,
      title: 'Learning B forgets A',
    });
    const svg = await renderSvg(spec);
    expect(assertWellFormedXml(svg)).toBe('svg');
    expect(lineLabels(svg).sort()).toEqual(['task A', 'task B']);
    expect(svg.split('aria-roledescription="rule mark"').length - 1).toBe(2);
    for (const text of ['Learning B forgets A', 'loss L − L*', 'time t/τ']) expect(svg).toContain(text);
  });

  it('draws a dashed curve dashed, accepts Float64Array data, and leaves values ≤ 0 off a log axis', async () => {
    const times = Float64Array.from({ length: 11 }, (_, k) => k);
    const spec = curvesFigure({
      curves: [
        { label: 'decay', times, values: times.map((t) => Math.exp(-t)) },
        { label: 'target', times: [0, 10], values: [0.5, 0.5], dashed: true },
        { label: 'zero', times: [0, 10], values: [0, 0] },
      ],
      logY: true,
      logDecades: 3,
    });
    const svg = await renderSvg(spec);
    expect(lineLabels(svg).sort()).toEqual(['decay', 'target']);
    expect(svg).toMatch(/aria-label="[^"]*label: target[^"]*"[^>]*stroke-dasharray="6,3"/);
    expect(svg).not.toMatch(/aria-label="[^"]*label: decay[^"]*"[^>]*stroke-dasharray="6,3"/);
    // A linear axis draws every curve, the zero one included.
    const linear = await renderSvg(curvesFigure({ curves: [{ label: 'zero', times: [0, 1], values: [0, 0] }] }));
    expect(lineLabels(linear)).toEqual(['zero']);
  });

  it('a long curve (200 000 points, e.g. a recorded gradient-descent loss) on a log axis: its top decade from the largest value', () => {
    // Math.max(...values) overflowed the call stack beyond about 120 000 values.
    const n = 200_000;
    const times = Float64Array.from({ length: n }, (_, k) => k * 1e-3);
    const values = Float64Array.from(times, (t) => 3.7 * Math.exp(-t));
    const spec = curvesFigure({ curves: [{ label: 'loss', times, values }], logY: true, logDecades: 4 }) as unknown as {
      layer: { data: { values: unknown[] }; encoding: { y: { scale: { domain: number[] } } } }[];
    };
    expect(spec.layer[0].data.values).toHaveLength(n);
    const [low, high] = spec.layer[0].encoding.y.scale.domain; // 10^(floor(log10 3.7) − 4), 10^ceil(log10 3.7)
    expect(Math.abs(low / 1e-4 - 1)).toBeLessThan(1e-15);
    expect(high).toBe(10);
  });

  it('refuses what it cannot plot, naming the field', () => {
    const ok = { label: 'x', times: [0, 1], values: [1, 2] };
    expectTypedError(() => curvesFigure({ curves: [] }), InvalidArgumentError, '`curves`');
    expectTypedError(() => curvesFigure({ curves: [{ ...ok, values: [1] }] }), InvalidArgumentError, 'curves[0].values', '1 values for 2 times');
    expectTypedError(() => curvesFigure({ curves: [ok, ok] }), InvalidArgumentError, 'repeats the label "x"');
    expectTypedError(() => curvesFigure({ curves: [{ ...ok, times: [0, Number.NaN] }] }), NonFiniteError, 'curves[0].times');
    expectTypedError(() => curvesFigure({ curves: [ok], markers: [Number.POSITIVE_INFINITY] }), NonFiniteError, 'markers');
    expectTypedError(() => curvesFigure({ curves: [{ ...ok, values: [0, -1] }], logY: true }), InvalidArgumentError, 'positive value');
    expectTypedError(() => curvesFigure({ curves: [ok], width: 0 }), InvalidArgumentError, '`width`');
    expectTypedError(() => curvesFigure({ curves: [ok], yLabel: 'y' } as never), InvalidArgumentError, 'did you mean `yTitle`');
    expectTypedError(() => curvesFigure({ curves: [{ label: 'x', times: 'abc', values: [1] }] } as never), InvalidArgumentError, 'curves[0].times');
    // logDecades ≥ ~324 made the axis start at 0 and the tick loop run until V8 killed the
    // process: now the axis stops at 1e-323, and more than 600 decades are refused.
    const deep = curvesFigure({ curves: [ok], logY: true, logDecades: 400 }) as unknown as { layer: { encoding: { y: { scale: { domain: number[] } } } }[] };
    expect(deep.layer[0].encoding.y.scale.domain[0]).toBe(10 ** -323);
    expectTypedError(() => curvesFigure({ curves: [ok], logY: true, logDecades: 700 }), InvalidArgumentError, '`logDecades` must be at most 600');
    expectTypedError(() => curvesFigure({ curves: [ok], logY: 'yes' } as never), InvalidArgumentError, '`logY` must be true or false'); // drew a linear axis
  });

  it('a log axis for values near the bottom of the doubles (1e-318): it starts at 1e-323, its ticks are finite', async () => {
    // The axis started at 0 and the tick loop counted up from log10 0 = −∞ until the process died.
    const spec = curvesFigure({ curves: [{ label: 'tiny', times: [0, 1, 2], values: [3e-318, 1e-319, 2e-320] }], logY: true }) as unknown as {
      layer: { encoding: { y: { scale: { domain: number[] }; axis: { values: number[] } } } }[];
    };
    const { scale, axis } = spec.layer[0].encoding.y;
    expect(scale.domain[0]).toBeGreaterThan(0);
    expect(scale.domain[0]).toBeLessThanOrEqual(1e-323);
    expect(axis.values[0]).toBeGreaterThan(0);
    expect(axis.values.length).toBeLessThan(10);
    expect((await renderSvg(spec as never)).startsWith('<svg')).toBe(true);
  });
});
