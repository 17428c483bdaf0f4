/**
 * The run configuration: the shipped JSON Schema, ajv validation with messages that name the
 * field, resolution into weights/task/dynamics, and the data-file readers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/io/config-error.js';
import { parseCsvData, parseJsonData } from '../../src/io/data-file.js';
import { configTimes, configWeights, parseRunConfig, resolveRunConfig, runConfigSchema } from '../../src/io/run-config.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { expectTypedError } from '../helpers/errors.js';

const root = join(__dirname, '..', '..');
const valid = {
  weights: { inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: -1, scale: 0.2, seed: 4 },
  task: { random: { samples: 12, seed: 3, scale: 0.5 } },
};

/** The message of the ConfigError `f` throws. */
const messageOf = (f: () => unknown): string => expectTypedError(f, ConfigError).message;

describe('run configuration schema', () => {
  it('is the shipped schema/run-config.schema.json', () => {
    expect(runConfigSchema).toEqual(JSON.parse(readFileSync(join(root, 'schema', 'run-config.schema.json'), 'utf8')));
    expect(runConfigSchema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts every documented form', () => {
    expect(parseRunConfig(valid)).toBe(valid);
    expect(() => parseRunConfig({ $schema: './schema.json', weights: { w1: [[1, 2]], w2: [[1]] }, task: { sigmaYX: [[1, 0]] }, tau: 0.5, times: [0, 1] })).not.toThrow();
    expect(() => parseRunConfig({ ...valid, task: { data: 'a.csv', inputColumns: ['x'], outputColumns: ['y'], whiten: true } })).not.toThrow();
    expect(() => parseRunConfig({ ...valid, times: { from: 0, to: 2, count: 5 }, sweep: { lambdas: [0], scales: [1], time: 2 } })).not.toThrow();
  });

  it('names the field in every error (ajv instancePath), with the config file as prefix', () => {
    expect(messageOf(() => parseRunConfig({ ...valid, weights: { ...valid.weights, lambda: 'x' } }, 'run.json'))).toBe('run.json: config.weights.lambda must be number');
    expect(messageOf(() => parseRunConfig({ ...valid, weights: { ...valid.weights, hiddenDim: 1.5 } }))).toBe('config.weights.hiddenDim must be integer');
    expect(messageOf(() => parseRunConfig({ ...valid, tau: 0 }))).toBe('config.tau must be > 0');
    // 1e400 in the JSON text (Infinity once parsed) was "must be number".
    expect(messageOf(() => parseRunConfig(JSON.parse(JSON.stringify(valid).replace('"lambda":-1', '"lambda":1e400'))))).toBe(
      'config.weights.lambda must be a finite number: a JSON number beyond ±1.8e308 (such as 1e400) reads as Infinity',
    );
    expect(messageOf(() => parseRunConfig({ ...valid, task: { random: { samples: 10 } } }))).toBe('config.task.random must have required property "seed"');
    expect(messageOf(() => parseRunConfig({ ...valid, task: { data: 'x.txt', inputColumns: ['a'], outputColumns: ['b'] } }))).toContain('config.task.data must match pattern');
    expect(messageOf(() => parseRunConfig({ ...valid, times: { from: 0, to: 1 } }))).toContain('config.times must have required property "count"');
    expect(messageOf(() => parseRunConfig({ ...valid, extra: 1 }))).toBe('config has an unknown field "extra"');
    // A list of times has the limit of { count } (12 million listed times ran, for a 1 GB file).
    expect(messageOf(() => parseRunConfig({ ...valid, times: new Array<number>(10_000_001).fill(1) }))).toBe('config.times must NOT have more than 10000000 items');
    // A misspelt field is named with the nearest field of the same object.
    expect(messageOf(() => parseRunConfig({ ...valid, tua: 2 }))).toBe('config has an unknown field "tua" (did you mean "tau"?)');
    expect(messageOf(() => parseRunConfig({ ...valid, weights: { ...valid.weights, lamda: 1 } }))).toContain('config.weights has an unknown field "lamda" (did you mean "lambda"?)');
    // One time cannot span a range: { from: 0, to: 1, count: 1 } printed t = 0 alone.
    expect(messageOf(() => parseRunConfig({ ...valid, times: { from: 0, to: 1, count: 1 } }))).toBe('config.times.count is 1, but one time cannot span from 0 to 1: give count ≥ 2, or from = to');
    expect(configTimes(parseRunConfig({ ...valid, times: { from: 2, to: 2, count: 1 } }).times)).toEqual([2]);
    expect(messageOf(() => parseRunConfig({ weights: { w1: [[1]], w2: [['a']] }, task: { sigmaYX: [[1]] } }))).toBe('config.weights.w2[0][0] must be number');
    expect(messageOf(() => parseRunConfig({ ...valid, times: { from: 2, to: 1, count: 3 } }))).toContain('config.times.from (2) must not exceed config.times.to (1)');
    expect(messageOf(() => parseRunConfig('weights'))).toBe('config must be object');
    expect(expectTypedError(() => parseRunConfig({ ...valid, weights: { ...valid.weights, seed: 'x' } }), ConfigError).field).toBe('config.weights.seed');
  });

  it('configTimes: lists are kept, ranges are equally spaced with exact end points', () => {
    expect(configTimes([3, 1])).toEqual([3, 1]);
    expect(configTimes({ from: 1, to: 2, count: 5 })).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(configTimes({ from: 0, to: 0.3, count: 4 }).at(-1)).toBe(0.3);
    expect(configTimes(undefined)).toHaveLength(101);
    // A span near the largest double: (to − from)·k overflowed (to = 1e308 gave Infinity).
    const far = configTimes({ from: 0, to: 1e308, count: 4 });
    expect(far.every(Number.isFinite)).toBe(true);
    far.slice(1).forEach((t, k) => expect(Math.abs(t - far[k] - 1e308 / 3)).toBeLessThan(1e293));
  });

  it('resolves weights, task and dynamics', async () => {
    const run = await resolveRunConfig(valid);
    expect([run.w1.rows, run.w1.columns, run.w2.rows]).toEqual([2, 3, 2]);
    expect(run.dynamics.lambda).toBeCloseTo(-1, 12);
    expect(run.task.X?.columns).toBe(12);
    expect(run.times).toHaveLength(101);
    await expect(resolveRunConfig({ ...valid, task: { random: { samples: 2, seed: 1 } } })).rejects.toThrow(/config\.task\.random: .*samples/);
  });

  it('"matchDeterminantSign": true builds the weights of lambdaBalancedWeights({ …, matchDeterminantSign: task.sigmaYX })', async () => {
    const weights = { inputDim: 5, hiddenDim: 5, outputDim: 5, lambda: 0, scale: 0.01, seed: 2 };
    const config = { weights: { ...weights, matchDeterminantSign: true }, task: { random: { samples: 50, seed: 1 } } };
    const run = await resolveRunConfig(config);
    const expected = lambdaBalancedWeights({ ...weights, matchDeterminantSign: run.task.sigmaYX });
    expect(run.w1.to2DArray()).toEqual(expected.w1.to2DArray());
    expect(run.dynamics.converged().loss).toBeLessThan(1e-20);
    // Without the task, configWeights cannot honour it, and says so.
    expectTypedError(() => configWeights(parseRunConfig(config)), ConfigError, 'needs the task');
    expect(messageOf(() => parseRunConfig({ ...config, weights: { ...config.weights, matchDeterminantSign: 'yes' } }))).toBe('config.weights.matchDeterminantSign must be boolean');
  });
});

describe('data files', () => {
  it('CSV: header, quoted fields, CRLF, blank lines, column order', () => {
    const d = parseCsvData('"y","x 1",x2\r\n3,1,2\r\n\r\n"-1",2,"1"\r\n', ['x 1', 'x2'], ['y']);
    expect(d).toEqual({ X: [[1, 2], [2, 1]], Y: [[3, -1]], samples: 2 });
  });

  it('CSV errors name the line and column and say what was expected', () => {
    expect(messageOf(() => parseCsvData('a,b\n1,2\n3\n', ['a'], ['b'], 'd.csv'))).toBe('d.csv line 3: expected 2 comma-separated fields (as in the header), got 1.');
    expect(messageOf(() => parseCsvData('a,b\n1,2\n\n3,x\n', ['a'], ['b'], 'd.csv'))).toBe('d.csv line 4: column "b" must be a finite number, got "x".');
    expect(messageOf(() => parseCsvData('a,b\n1,\n', ['a'], ['b'], 'd.csv'))).toContain('d.csv line 2: column "b" must be a finite number, got ""');
    expect(messageOf(() => parseCsvData('a,b\n', ['a'], ['b'], 'd.csv'))).toContain('no data rows');
    expect(messageOf(() => parseCsvData('', ['a'], ['b'], 'd.csv'))).toContain('d.csv is empty');
    expect(messageOf(() => parseCsvData('a,b\n"1,2\n', ['a'], ['b'], 'd.csv'))).toContain('d.csv line 2: a quoted field is not closed');
    expect(messageOf(() => parseCsvData('a,b\n1,2\n', ['a'], ['c'], 'd.csv'))).toContain('config.task.outputColumns[0]: column "c" is not in d.csv');
    // A requested column that appears twice: the first was taken without a word.
    expect(messageOf(() => parseCsvData('x1,x2,x1,y\n1,2,9,3\n', ['x1', 'x2'], ['y'], 'd.csv'))).toBe(
      'config.task.inputColumns[0]: d.csv has more than one column named "x1" (columns 1 and 3); rename one of them.',
    );
    expect(parseCsvData('x1,x2,x2,y\n1,2,9,3\n', ['x1'], ['y']).X).toEqual([[1]]); // an unused repeat is harmless
    // Decimal numbers only: "0x10" was read as 16 and "0b11" as 3.
    for (const cell of ['0x10', '0b11', '0o7', 'Infinity', '1e', '--1', '1.5.5']) {
      expect(messageOf(() => parseCsvData(`a,b\n1,${cell}\n`, ['a'], ['b'], 'd.csv')), cell).toBe(`d.csv line 2: column "b" must be a finite number, got ${JSON.stringify(cell)}.`);
    }
    expect(parseCsvData('a,b\n+1,-2.5e-3\n.5,7.\n 3 ,1E2\n', ['a'], ['b']).X).toEqual([[1, 0.5, 3]]);
    expect(parseCsvData('a,b\n+1,-2.5e-3\n.5,7.\n 3 ,1E2\n', ['a'], ['b']).Y).toEqual([[-0.0025, 7, 100]]);
  });

  it('JSON: one object per sample; errors name the sample and field', () => {
    expect(parseJsonData('[{"a":1,"b":2},{"a":3,"b":4}]', ['b'], ['a'])).toEqual({ X: [[2, 4]], Y: [[1, 3]], samples: 2 });
    expect(messageOf(() => parseJsonData('[{"a":1}]', ['a'], ['b'], 'd.json'))).toBe('d.json sample [0] field "b" must be a finite number, got nothing (missing).');
    expect(messageOf(() => parseJsonData('[{"a":1,"b":2},{"a":"1","b":2}]', ['a'], ['b'], 'd.json'))).toContain('d.json sample [1] field "a" must be a finite number, got "1"');
    expect(messageOf(() => parseJsonData('{"a":1}', ['a'], ['b'], 'd.json'))).toContain('must be a non-empty array');
    expect(messageOf(() => parseJsonData('[1]', ['a'], ['b'], 'd.json'))).toContain('d.json sample [0] must be an object');
    expect(messageOf(() => parseJsonData('[{', ['a'], ['b'], 'd.json'))).toContain('d.json is not valid JSON');
  });
});
