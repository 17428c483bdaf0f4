/**
 * `exact-dln trajectory` end to end (in-process): outputs parse, numbers agree with the
 * library, configs in every form, errors name the field, nothing is left at --out.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exactDynamics, kernelDistanceTrajectory, lambdaBalancedWeights, modeStrengths, randomTask } from '../../src/index.js';
import { toCsv } from '../../src/cli/output.js';
import { configTimes } from '../../src/io/run-config.js';
import { SMALL_CONFIG, cleanup, cli, fakeTerminal, entries, parseCsv, tempDir, writeJson } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeJson(dir, 'run.json', SMALL_CONFIG);
});
afterAll(() => cleanup(dir));

interface TrajectoryJson {
  lambda: number;
  tau: number;
  inputDim: number;
  hiddenDim: number;
  outputDim: number;
  sigma: number[];
  points: Array<{ t: number; loss: number; modeStrengths: number[]; kernelDistance: number; w2w1?: number[][]; w1tw1?: number[][]; w2w2t?: number[][] }>;
}

describe('exact-dln trajectory', () => {
  it('prints JSON to stdout that matches the library', async () => {
    const r = await cli(['trajectory', '--config', 'run.json'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const json = JSON.parse(r.out) as TrajectoryJson;
    expect(json.lambda).toBeCloseTo(1, 10);
    expect([json.inputDim, json.hiddenDim, json.outputDim]).toEqual([3, 3, 3]);
    expect(json.points.map((p) => p.t)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(json.points[0].kernelDistance).toBe(0);
    for (const p of json.points) {
      expect(p.modeStrengths).toHaveLength(3);
      expect(p.w2w1).toBeUndefined();
    }
    // The same trajectory computed with the library.
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 2 });
    const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
    json.points.forEach((p) => expect(p.loss).toBeCloseTo(dyn.at(p.t).loss, 12));
    expect(json.points.at(-1)!.loss).toBeLessThan(json.points[0].loss * 1e-3);
  });

  it('times are t in the unit of τ, as the library’s at(t): with τ = 2 the state at t is τ = 1’s at t/2', async () => {
    writeJson(dir, 'tau2.json', { ...SMALL_CONFIG, tau: 2 });
    const slow = JSON.parse((await cli(['trajectory', '--config', 'tau2.json'], dir)).out) as TrajectoryJson;
    const unit = JSON.parse((await cli(['trajectory', '--config', 'run.json'], dir)).out) as TrajectoryJson;
    expect(slow.tau).toBe(2);
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 2 });
    const fast = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
    slow.points.forEach((p, k) => {
      expect(p.t).toBe(unit.points[k].t);
      expect(p.loss).toBeCloseTo(fast.at(p.t / 2).loss, 12);
    });
    expect(slow.points[2].loss).toBeCloseTo(unit.points[1].loss, 12); // t = 1 at τ = 2 is t = 0.5 at τ = 1
  });

  it('--threads computes the times on worker threads: the same output, byte for byte (JSON with --matrices, CSV)', async () => {
    // A wide network (the compressed path, whose W2W1 depends on the order the getters are read in) and the square one.
    writeJson(dir, 'wide.json', { ...SMALL_CONFIG, weights: { inputDim: 9, hiddenDim: 3, outputDim: 2, lambda: -0.5, scale: 0.3, seed: 4 }, times: { from: 0, to: 8, count: 23 } });
    for (const config of ['wide.json', 'run.json']) {
      for (const extra of [['--format', 'json', '--matrices'], ['--format', 'csv']]) {
        const args = ['trajectory', '--config', config, ...extra];
        const serial = await cli(args, dir);
        const parallel = await cli([...args, '--threads', '3'], dir);
        expect(serial.code, serial.err).toBe(0);
        expect(parallel.code, parallel.err).toBe(0);
        expect(parallel.out, `${config} ${extra.join(' ')}`).toBe(serial.out);
      }
    }
    const wide = JSON.parse((await cli(['trajectory', '--config', 'wide.json', '--matrices', '--threads', '2'], dir)).out) as TrajectoryJson;
    expect(wide.points).toHaveLength(23);
    expect(wide.points[5].w2w1).toHaveLength(2);
    expect(wide.points[5].w2w1![0]).toHaveLength(9);
    for (const bad of ['0', '-2', 'many']) {
      const r = await cli(['trajectory', '--config', 'run.json', '--threads', bad], dir);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain("option '--threads <n>'");
    }
  });

  it('a long grid is computed and written part by part: the same document as the library’s numbers formatted at once, in pieces', async () => {
    // 60 001 times: 59 parts of 1024, ≈ 4 MB of CSV. The whole grid's Snapshots used to be
    // kept (2.4 GB for 20 000 times of a 64³ network), and the document built as one string
    // (beyond ≈ 512 MB: "Invalid string length", e.g. 600 times of a 128³ network with --matrices).
    const times = { from: 0, to: 6, count: 60_001 };
    writeJson(dir, 'long.json', { ...SMALL_CONFIG, times });
    const writes: string[] = [];
    const r = await cli(['trajectory', '--config', 'long.json', '--format', 'csv'], dir, { out: (s) => void writes.push(s) });
    expect(r.code, r.err).toBe(0);
    expect(writes.length).toBeGreaterThanOrEqual(3); // pieces of about 1 MB
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 2 });
    const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
    const grid = configTimes(times);
    const distance = kernelDistanceTrajectory(dyn, grid).distance;
    const rows = grid.map((t, k) => {
      const snap = dyn.at(t);
      return [t, snap.loss, distance[k], ...modeStrengths(snap).strengths];
    });
    expect(writes.join('')).toBe(toCsv(['t', 'loss', 'kernel_distance', 'mode_1', 'mode_2', 'mode_3'], rows));
  });

  it('shows a progress bar on a terminal stream for long grids, never with --quiet, and not in the output', async () => {
    const { stream: tty, drawn } = fakeTerminal();
    writeJson(dir, 'grid.json', { ...SMALL_CONFIG, times: { from: 0, to: 5, count: 3000 } });
    const short = await cli(['trajectory', '--config', 'run.json'], dir, { progress: tty });
    expect(short.code).toBe(0);
    expect(drawn()).toBe(''); // 11 times: done within the second, nothing drawn
    // A long run whatever the speed of this machine: a clock that advances 500 ms per reading.
    let clock = Date.now();
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 500));
    let quiet, long;
    try {
      quiet = await cli(['trajectory', '--config', 'grid.json', '--quiet'], dir, { progress: tty });
      expect(drawn()).toBe(''); // never with --quiet
      long = await cli(['trajectory', '--config', 'grid.json'], dir, { progress: tty });
    } finally {
      now.mockRestore();
    }
    expect(drawn()).toContain('exact trajectory');
    expect(drawn()).toContain('3000/3000');
    expect(long.code).toBe(0);
    expect(long.out).toBe(quiet.out);
    expect(long.err).toBe('');
  });

  it('writes CSV to --out (format from the extension): t, loss, kernel_distance, mode_1..mode_k', async () => {
    const r = await cli(['trajectory', '--config', 'run.json', '--out', 'trajectory.csv'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const { header, rows } = parseCsv(readFileSync(join(dir, 'trajectory.csv'), 'utf8'));
    expect(header).toEqual(['t', 'loss', 'kernel_distance', 'mode_1', 'mode_2', 'mode_3']);
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      expect(row).toHaveLength(6);
      row.forEach((x) => expect(Number.isFinite(x)).toBe(true));
    }
    expect(rows[0][2]).toBe(0);
  });

  it('--format csv to stdout; mode columns are min(Ni, No) for unequal widths', async () => {
    writeJson(dir, 'wide.json', {
      weights: { inputDim: 2, hiddenDim: 2, outputDim: 4, lambda: 2, scale: 0.1, seed: 3 },
      task: { random: { samples: 20, seed: 4 } },
      times: [0, 1, 2],
    });
    const r = await cli(['trajectory', '--config', 'wide.json', '--format', 'csv'], dir);
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.out);
    expect(header).toEqual(['t', 'loss', 'kernel_distance', 'mode_1', 'mode_2']);
    expect(rows.map((row) => row[0])).toEqual([0, 1, 2]);
  });

  it('--matrices adds W2W1, W1ᵀW1 and W2W2ᵀ to every point', async () => {
    const r = await cli(['trajectory', '--config', 'run.json', '--matrices', '--out', 'm.json'], dir);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as TrajectoryJson;
    const last = json.points.at(-1)!;
    expect(last.w2w1).toHaveLength(3);
    expect(last.w1tw1![0]).toHaveLength(3);
    expect(last.w2w2t![2]).toHaveLength(3);
  });

  it('accepts explicit weights with a sigmaYX task, and τ scales time', async () => {
    const config = { weights: { w1: [[0.1, 0]], w2: [[0.1]] }, task: { sigmaYX: [[2, 0]] }, tau: 2, times: [0, 4, 8] };
    writeJson(dir, 'explicit.json', config);
    const r = await cli(['trajectory', '--config', 'explicit.json'], dir);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as TrajectoryJson;
    const dyn = exactDynamics({ w1: [[0.1, 0]], w2: [[0.1]], sigmaYX: [[2, 0]], tau: 2 });
    expect(json.tau).toBe(2);
    expect(json.points[1].loss).toBeCloseTo(dyn.at(4).loss, 12);
    expect(json.points[1].modeStrengths).toHaveLength(1);
  });

  it('reads CSV data relative to the config file, and JSON data with whitening', async () => {
    const sub = join(dir, 'project');
    mkdirSync(join(sub, 'data'), { recursive: true });
    // Σxx = I exactly: x = (±1, ±1), y = x1 + 2·x2.
    writeFileSync(join(sub, 'data', 'samples.csv'), 'x1,x2,"y"\n1,1,3\n1,-1,-1\n-1,1,1\n-1,-1,-3\n');
    writeJson(sub, 'csv.json', {
      weights: { inputDim: 2, hiddenDim: 1, outputDim: 1, lambda: 0, scale: 0.1, seed: 1 },
      task: { data: 'data/samples.csv', inputColumns: ['x1', 'x2'], outputColumns: ['y'] },
      times: [0, 20],
    });
    const r = await cli(['trajectory', '--config', join('project', 'csv.json')], dir);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as TrajectoryJson;
    expect(json.sigma[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(json.points[1].loss).toBeLessThan(1e-10);

    writeFileSync(join(sub, 'data', 'samples.json'), JSON.stringify([{ a: 1, b: 2, y: 1 }, { a: 2, b: 1, y: 0 }, { a: 0, b: 1, y: 1 }, { a: 3, b: 0, y: -1 }]));
    writeJson(sub, 'json.json', {
      weights: { inputDim: 2, hiddenDim: 2, outputDim: 1, lambda: 0, scale: 0.1, seed: 1 },
      task: { data: 'data/samples.json', inputColumns: ['a', 'b'], outputColumns: ['y'], whiten: true },
      times: [0, 1],
    });
    const w = await cli(['trajectory', '--config', join(sub, 'json.json')], dir);
    expect(w.code, w.err).toBe(0);
    expect((JSON.parse(w.out) as TrajectoryJson).points).toHaveLength(2);
  });
});

describe('exact-dln trajectory: errors', () => {
  const bad = async (name: string, config: unknown, extra: string[] = []) => {
    writeJson(dir, name, config);
    return cli(['trajectory', '--config', name, '--out', `${name}.out.json`, ...extra], dir);
  };

  it('a wrongly typed field: exit 1, the message names it, nothing at --out', async () => {
    const before = entries(dir);
    const r = await bad('typed.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, lambda: 'one' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('config.weights.lambda must be number');
    expect(r.err).toContain('typed.json');
    expect(entries(dir)).toEqual([...before, 'typed.json'].sort());
  });

  it('unknown and missing fields, bad times, ragged matrices', async () => {
    expect((await bad('unknown.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, lamda: 1 } })).err).toContain(
      'config.weights has an unknown field "lamda"',
    );
    expect((await bad('missing.json', { weights: SMALL_CONFIG.weights })).err).toContain('config must have required property "task"');
    expect((await bad('times.json', { ...SMALL_CONFIG, times: [0, -1] })).err).toContain('config.times[1] must be >= 0');
    // A grid beyond ten million times (a billion ran out of memory after 24 s) is refused by the schema.
    const huge = await bad('huge.json', { ...SMALL_CONFIG, times: { from: 0, to: 10, count: 1e9 } });
    expect(huge.code).toBe(1);
    expect(huge.err).toContain('config.times.count must be <= 10000000');
    const ragged = await bad('ragged.json', { weights: { w1: [[1, 0]], w2: [[1]] }, task: { sigmaYX: [[1, 2], [3]] } });
    expect(ragged.code).toBe(1);
    expect(ragged.err).toContain('config.task.sigmaYX must be a rectangular matrix');
  });

  it('zero initial weights and overflowing results: a clear refusal, never NaN, null or a message about probes', async () => {
    for (const command of ['trajectory', 'simulate']) {
      writeJson(dir, 'zero.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, lambda: 0, scale: 0 } });
      const zero = await cli([command, '--config', 'zero.json', '--quiet'].slice(0, command === 'simulate' ? 4 : 3), dir);
      expect(zero.code, command).toBe(1);
      expect(zero.out).toBe('');
      expect(zero.err).toContain('zero.json: config.weights: the initial weights are all zero, a fixed point of gradient flow');
    }
    // Product singular values of 1e200 (weights of 1e100): the loss is ≈ 1e400, beyond double
    // precision — JSON turned it into null, CSV into Infinity.
    for (const format of ['json', 'csv']) {
      const huge = await bad(`huge-${format}.json`, { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, lambda: 0, scale: 1e200 } }, ['--format', format]);
      expect(huge.code, format).toBe(1);
      expect(huge.err).toMatch(/cannot write .*loss.* = Infinity: the computation left the range of double precision/);
    }
  });

  it('--out naming a folder is refused before any work (it failed at the end with a raw EISDIR); a config with a byte-order mark is read', async () => {
    mkdirSync(join(dir, 'a-folder'), { recursive: true });
    const r = await cli(['trajectory', '--config', 'run.json', '--out', 'a-folder'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('a-folder is a folder; give a file name');
    // More --threads than the pool allows is a bad option value (exit 2), named as the option.
    const threads = await cli(['trajectory', '--config', 'run.json', '--threads', '1000'], dir);
    expect(threads.code).toBe(2);
    expect(threads.err).toContain("option '--threads <n>': `threads` = 1000 is more than");
    writeFileSync(join(dir, 'bom.json'), '\uFEFF' + JSON.stringify(SMALL_CONFIG));
    const bom = await cli(['trajectory', '--config', 'bom.json'], dir);
    expect(bom.code, bom.err).toBe(0);
    expect((JSON.parse(bom.out) as TrajectoryJson).points).toHaveLength(11);
  });

  it('inconsistent or impossible settings name the field', async () => {
    const impossible = await bad('impossible.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, hiddenDim: 4 } });
    expect(impossible.code).toBe(1);
    expect(impossible.err).toContain('config.weights.lambda');
    const shape = await bad('shape.json', { weights: SMALL_CONFIG.weights, task: { sigmaYX: [[1, 0]] } });
    expect(shape.err).toContain('config.task.sigmaYX');
    expect(shape.err).toContain('3×3');
    const unbalanced = await bad('unbalanced.json', { weights: { w1: [[1, 0], [0, 2]], w2: [[1, 0], [0, 1]] }, task: { sigmaYX: [[1, 0], [0, 1]] } });
    expect(unbalanced.code).toBe(1);
    expect(unbalanced.err).toContain('config.weights: the weights are not λ-balanced');
  });

  it('bad data files: the CSV line and column, non-whitened inputs, missing files and columns', async () => {
    writeFileSync(join(dir, 'broken.csv'), 'x1,x2,y\n1,1,3\n1,-1\n');
    const base = { weights: { inputDim: 2, hiddenDim: 1, outputDim: 1, lambda: 0, seed: 1 } };
    const short = await bad('short.json', { ...base, task: { data: 'broken.csv', inputColumns: ['x1', 'x2'], outputColumns: ['y'] } });
    expect(short.code).toBe(1);
    expect(short.err).toContain('broken.csv line 3: expected 3 comma-separated fields');
    writeFileSync(join(dir, 'nan.csv'), 'x1,x2,y\n1,1,3\n1,-1,abc\n');
    const nan = await bad('nan.json', { ...base, task: { data: 'nan.csv', inputColumns: ['x1', 'x2'], outputColumns: ['y'] } });
    expect(nan.err).toContain('nan.csv line 3: column "y" must be a finite number, got "abc"');
    writeFileSync(join(dir, 'raw.csv'), 'x1,x2,y\n1,2,3\n2,1,1\n0,1,0\n3,3,1\n');
    const raw = await bad('raw.json', { ...base, task: { data: 'raw.csv', inputColumns: ['x1', 'x2'], outputColumns: ['y'] } });
    expect(raw.err).toContain('config.task.whiten');
    const column = await bad('column.json', { ...base, task: { data: 'raw.csv', inputColumns: ['x1', 'x9'], outputColumns: ['y'] } });
    expect(column.err).toContain('config.task.inputColumns[1]: column "x9" is not in raw.csv');
    const missing = await bad('nofile.json', { ...base, task: { data: 'nowhere.csv', inputColumns: ['x1'], outputColumns: ['y'] } });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read');
    expect(existsSync(join(dir, 'nofile.json.out.json'))).toBe(false);
  });

  it('a config that is not JSON, and a missing config file', async () => {
    writeFileSync(join(dir, 'notjson.json'), '{ "weights": ');
    const r = await cli(['trajectory', '--config', 'notjson.json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not valid JSON');
    const m = await cli(['trajectory', '--config', 'absent.json'], dir);
    expect(m.code).toBe(1);
    expect(m.err).toContain('cannot read the config file');
    expect(m.err).toContain('absent.json: it does not exist (ENOENT).'); // the bare code said little
    mkdirSync(join(dir, 'a-config-folder'), { recursive: true });
    expect((await cli(['trajectory', '--config', 'a-config-folder'], dir)).err).toContain('a-config-folder: it is a folder, not a file (EISDIR).');
    // UTF-16 (as some Windows editors save): "Unexpected token '�'" and garbled column names before.
    writeFileSync(join(dir, 'utf16.json'), Buffer.from('\uFEFF' + JSON.stringify(SMALL_CONFIG), 'utf16le'));
    expect((await cli(['trajectory', '--config', 'utf16.json'], dir)).err).toContain('utf16.json is not UTF-8 text (it holds NUL characters: UTF-16, or not text at all); save it as UTF-8.');
    writeFileSync(join(dir, 'u16.csv'), Buffer.from('\uFEFFx,y\n1,2\n', 'utf16le'));
    writeJson(dir, 'u16data.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, inputDim: 1, hiddenDim: 1, outputDim: 1 }, task: { data: 'u16.csv', inputColumns: ['x'], outputColumns: ['y'] } });
    expect((await cli(['trajectory', '--config', 'u16data.json'], dir)).err).toContain('config.task.data:');
    expect((await cli(['trajectory', '--config', 'u16data.json'], dir)).err).toContain('u16.csv is not UTF-8 text');
  });

  it('bad usage exits with 2: missing --config, bad --format, --matrices with CSV, missing --out folder', async () => {
    expect((await cli(['trajectory'], dir)).code).toBe(2);
    const format = await cli(['trajectory', '--config', 'run.json', '--format', 'xml'], dir);
    expect(format.code).toBe(2);
    expect(format.err).toContain("argument 'xml' is invalid");
    expect((await cli(['trajectory', '--config', 'run.json', '--matrices', '--format', 'csv'], dir)).code).toBe(2);
    const folder = await cli(['trajectory', '--config', 'run.json', '--out', 'no/such/folder/t.json'], dir);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain('does not exist');
  });
  it('warns on standard error when the exact flow stops on a saddle (2×2×2, λ = 0, det(W2W1) < 0 < det Σyx); not for the example configs', async () => {
    // W2W1 = diag(0.01, −0.01) on Σyx = diag(1, 0.5): at λ = 0 the sign of det(W2W1) is
    // conserved, so the second mode decays to 0 and the loss to ½·0.5² = 0.125.
    writeJson(dir, 'saddle.json', { weights: { w1: [[0.1, 0], [0, 0.1]], w2: [[0.1, 0], [0, -0.1]] }, task: { sigmaYX: [[1, 0], [0, 0.5]] }, times: [0, 50] });
    const r = await cli(['trajectory', '--config', 'saddle.json'], dir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('warning: from these weights the exact flow stops on a saddle: mode 2 (σ = 0.5) is never learned');
    expect(r.err).toContain('converges to 1.250e-1 instead of its minimum 0');
    expect(JSON.parse(r.out).points[1].loss).toBeCloseTo(0.125, 10);
    const sim = await cli(['simulate', '--config', 'saddle.json', '--quiet'], dir);
    expect(sim.code, sim.err).toBe(0);
    expect(sim.err).toContain('stops on a saddle');
    expect(r.err).toContain('these weights have the other sign than det Σyx');
    const fine = await cli(['trajectory', '--config', 'run.json'], dir);
    expect(fine.err).not.toContain('saddle');
    // A unit parked on an unused input and output direction: no determinant-sign advice.
    const r7 = Math.sqrt(0.7);
    writeJson(dir, 'parked.json', {
      weights: { w1: [[1, 0, 0, 0], [0, 0, 0, 1]], w2: [[r7, 0], [0, 0], [0, r7]] },
      task: { sigmaYX: [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]] },
      times: [0, 50],
    });
    const parked = await cli(['trajectory', '--config', 'parked.json'], dir);
    expect(parked.code, parked.err).toBe(0);
    expect(parked.err).toContain('mode 2 (σ = 1) is never learned');
    expect(parked.err).toContain('gradient descent keeps such exact zeros too');
    expect(parked.err).not.toContain('matchDeterminantSign');
  });
});
