/**
 * `exact-dln sweep` end to end (in-process): the grid as CSV and JSON, the heatmap SVG,
 * skipped λ, configuration files and errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyRichSweep, randomTask } from '../../src/index.js';
import { assertWellFormedXml } from '../report/xml.js';
import { cleanup, cli, entries, parseCsv, tempDir, writeJson } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const COLUMNS = [
  'lambda',
  'scale',
  'kernel_distance',
  'converged_kernel_distance',
  'initial_loss',
  'loss',
  'delta_w1tw1',
  'delta_w2w2t',
  'converged_delta_w1tw1',
  'converged_delta_w2w2t',
];

describe('exact-dln sweep', () => {
  it('a converged state double precision cannot decide (σ = 1e-160 at λ = 1: growth rates 1e-320 apart): exit 1, the library’s message once', async () => {
    const config = join(dir, 'subnormal-gap.json');
    writeJson(dir, 'subnormal-gap.json', {
      weights: { inputDim: 1, hiddenDim: 1, outputDim: 2, lambda: 1, seed: 2 },
      task: { sigmaYX: [[1e-160], [0]] },
    });
    const r = await cli(['sweep', '--config', config, '--lambdas', '1', '--scales', '0.5', '--format', 'csv'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^exact-dln cannot give the converged state of this network: two of its growth rates/);
    expect(r.err).not.toMatch(/exact-dln: exact-dln/);
  });

  it('default network: CSV with one row per (λ, scale), matching lazyRichSweep', async () => {
    const r = await cli(['sweep', '--lambdas=-10,0,10', '--scales', '0.01,1', '--format', 'csv'], dir);
    expect(r.code, r.err).toBe(0);
    const { header, rows } = parseCsv(r.out);
    expect(header).toEqual(COLUMNS);
    expect(rows.map((row) => [row[0], row[1]])).toEqual([
      [-10, 0.01],
      [-10, 1],
      [0, 0.01],
      [0, 1],
      [10, 0.01],
      [10, 1],
    ]);
    const expected = lazyRichSweep({
      lambdas: [-10, 0, 10],
      scales: [0.01, 1],
      task: randomTask({ inputDim: 6, outputDim: 6, samples: 60, seed: 1 }),
      hiddenDim: 6,
      time: 10,
      seed: 2,
    });
    rows.forEach((row, k) => expect(row[3]).toBe(expected.rows[k].convergedKernelDistance));
    // Equal widths: lazy at |λ| = 10, rich at λ = 0 (small scale).
    expect(rows[0][3]).toBeLessThan(1e-2);
    expect(rows[2][3]).toBeGreaterThan(1e-1);
  });

  it('JSON to --out and a heatmap SVG; the grid comes from the config file', async () => {
    writeJson(dir, 'sweep.json', {
      weights: { inputDim: 3, hiddenDim: 3, outputDim: 6, lambda: 0, seed: 5 },
      task: { random: { samples: 20, seed: 6 } },
      sweep: { lambdas: [-5, 0, 5], scales: [0.1], time: 3 },
    });
    const r = await cli(['sweep', '--config', 'sweep.json', '--out', 'grid.json', '--heatmap', 'grid.svg'], dir);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'grid.json'), 'utf8'));
    expect([json.inputDim, json.hiddenDim, json.outputDim, json.time]).toEqual([3, 3, 6, 3]);
    expect(json.rows.map((row: { lambda: number }) => row.lambda)).toEqual([-5, 0, 5]);
    expect(Object.keys(json.rows[0])).toEqual(expect.arrayContaining(['kernelDistance', 'convergedKernelDistance', 'loss', 'deltaW1tW1', 'deltaW2W2t']));
    // The heatmap is SVG: another extension is refused before any work (it wrote SVG into h.png).
    const png = await cli(['sweep', '--config', 'sweep.json', '--heatmap', 'h.png'], dir);
    expect(png.code).toBe(2);
    expect(png.err).toContain('the heatmap is an SVG image; give a file name ending in .svg');
    const svg = readFileSync(join(dir, 'grid.svg'), 'utf8');
    expect(assertWellFormedXml(svg)).toBe('svg');
    expect(svg).toContain("X-axis titled 'λ'");
    expect(svg).toContain('3×3×6');
    // Options override the config's grid.
    const o = await cli(['sweep', '--config', 'sweep.json', '--lambdas', '1', '--scales', '0.1,0.2', '--time', '2', '--format', 'csv'], dir);
    expect(parseCsv(o.out).rows.map((row) => row.slice(0, 2))).toEqual([
      [1, 0.1],
      [1, 0.2],
    ]);
  });

  it('"matchDeterminantSign": true in the weights: the cells of lazyRichSweep({ matchDeterminantSign: true }), and λ = 0 no longer on a saddle', async () => {
    // 5×5×5, task seed 1 and weights seed 2: a start of the wrong determinant sign.
    const base = { weights: { inputDim: 5, hiddenDim: 5, outputDim: 5, lambda: 0, scale: 0.01, seed: 2 }, task: { random: { samples: 50, seed: 1 } } };
    writeJson(dir, 'saddle.json', base);
    writeJson(dir, 'matched.json', { ...base, weights: { ...base.weights, matchDeterminantSign: true } });
    const args = ['--lambdas', '0', '--scales', '0.01', '--time', '200', '--format', 'csv'];
    const plain = parseCsv((await cli(['sweep', '--config', 'saddle.json', ...args], dir)).out).rows[0];
    const r = await cli(['sweep', '--config', 'matched.json', ...args], dir);
    expect(r.code, r.err).toBe(0);
    const matched = parseCsv(r.out).rows[0];
    const expected = lazyRichSweep({
      lambdas: [0], scales: [0.01], task: randomTask({ inputDim: 5, outputDim: 5, samples: 50, seed: 1 }), hiddenDim: 5, time: 200, seed: 2, matchDeterminantSign: true,
    }).rows[0];
    expect(matched[3]).toBe(expected.convergedKernelDistance);
    // The loss at t = 200: learned (0 to rounding) against the saddle's ½σ_min² ≈ 0.047.
    expect(matched[5]).toBeLessThan(1e-20);
    expect(plain[5]).toBeGreaterThan(0.04);
    // The same field builds the weights of trajectory and simulate.
    const t = await cli(['trajectory', '--config', 'matched.json', '--format', 'csv'], dir);
    expect(t.code, t.err).toBe(0);
  });

  it('skips λ impossible for the widths with a note', async () => {
    writeJson(dir, 'narrow.json', {
      weights: { inputDim: 2, hiddenDim: 3, outputDim: 4, lambda: 0, seed: 1 },
      task: { random: { samples: 10, seed: 1 } },
    });
    const r = await cli(['sweep', '--config', 'narrow.json', '--lambdas=-1,0,1', '--scales', '0.1', '--format', 'csv'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('note: λ = -1 skipped: λ < 0 needs hiddenDim ≤ inputDim (3 > 2)');
    expect(parseCsv(r.out).rows.map((row) => row[0])).toEqual([0, 1]);
    const none = await cli(['sweep', '--config', 'narrow.json', '--lambdas=-1,-2'], dir);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no λ of the grid is possible');
  });

  it('--threads computes the cells on worker threads: the same output, byte for byte', async () => {
    const args = ['sweep', '--lambdas=-4,-1,0,1,4', '--scales', '0.01,0.2,1', '--format', 'json'];
    const serial = await cli(args, dir);
    const parallel = await cli([...args, '--threads', '3'], dir);
    expect(parallel.code, parallel.err).toBe(0);
    expect(serial.code, serial.err).toBe(0);
    expect(parallel.out).toBe(serial.out);
    expect(JSON.parse(parallel.out).rows).toHaveLength(15);
    for (const bad of ['0', '1.5', 'two']) {
      const r = await cli(['sweep', '--threads', bad], dir);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain("option '--threads <n>'");
    }
  });

  it('errors: bad lists and scales exit 2; explicit weights in the config exit 1; nothing left at --out', async () => {
    const list = await cli(['sweep', '--lambdas', '1,,2'], dir);
    expect(list.code).toBe(2);
    expect(list.err).toContain("option '--lambdas <list>' argument '1,,2' is invalid");
    expect((await cli(['sweep', '--scales', '0,1'], dir)).code).toBe(2);
    // Decimal numbers only: 0x10 was read as 16 and 0b11 as 3.
    for (const args of [['--scales', '0x10'], ['--lambdas=0b11'], ['--time', '0x10']]) {
      const hex = await cli(['sweep', ...args], dir);
      expect(hex.code, args.join(' ')).toBe(2);
      expect(hex.err).toMatch(/is not a \(decimal\) number|expected a number/);
    }
    expect((await cli(['sweep', '--time', '-1'], dir)).code).toBe(2);
    writeJson(dir, 'explicit.json', { weights: { w1: [[1]], w2: [[1]] }, task: { sigmaYX: [[1]] } });
    const before = entries(dir);
    const r = await cli(['sweep', '--config', 'explicit.json', '--out', 'x.csv', '--heatmap', 'x.svg'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('config.weights: a sweep generates its own weights');
    expect(entries(dir)).toEqual(before);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    // One file for both --out and --heatmap: the grid was written over the heatmap without a word.
    const same = await cli(['sweep', '--lambdas=0,1', '--scales', '0.1', '--format', 'csv', '--out', 'same.svg', '--heatmap', './sub/../same.svg'], dir);
    expect(same.code).toBe(2);
    expect(same.err).toContain("options '--out' and '--heatmap' name the same file");
    // A heatmap too wide to draw is refused before the sweep (Vega-Lite's compiler overflowed
    // its stack from about 1000 λ on, after all the computing, and the grid was lost with it).
    const lambdas = Array.from({ length: 501 }, (_, k) => k / 100).join(',');
    const wide = await cli(['sweep', `--lambdas=${lambdas}`, '--scales', '0.1', '--out', 'wide.csv', '--heatmap', 'wide.svg'], dir);
    expect(wide.code).toBe(2);
    expect(wide.err).toContain('a heatmap draws at most 500 λ and 500 scales; this grid has 501 × 1');
    expect(entries(dir)).toEqual(before);
  });

  it('the grid is written in pieces, byte for byte the document written at once (JSON and CSV)', async () => {
    const writes: string[] = [];
    const r = await cli(['sweep', '--lambdas=-1,0,1', '--scales', '0.05,0.5', '--format', 'json'], dir, { out: (s) => void writes.push(s) });
    expect(r.code, r.err).toBe(0);
    const text = writes.join('');
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
    expect((JSON.parse(text) as { rows: unknown[] }).rows).toHaveLength(6);
  });
});
