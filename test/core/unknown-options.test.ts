/**
 * A misspelled option must not be ignored: `exactDynamics({ …, tua: 10 })` ran with τ = 1,
 * `kernelDistance(a, b, { input: X })` measured the kernel on whitened probes instead of X,
 * `reversedTask(s, { mode: [1] })` flipped every mode. Every public function that takes an
 * options object refuses keys it does not know, with an InvalidArgumentError that names the
 * key (as its `argument`), suggests the nearest known option and lists them all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alignedMode,
  convergedRepresentations,
  exactDynamics,
  exactDynamicsFromQQt,
  expectedLambda,
  gradientDescentFromTask,
  hierarchicalTask,
  integrateGradientFlow,
  InvalidArgumentError,
  kernelDistance,
  kernelDistanceTrajectory,
  lambdaBalancedWeights,
  lazyRichSweep,
  learningTime,
  modeStrengths,
  ntk,
  randomTask,
  representationSimilarity,
  reversedTask,
  sampleStandardInit,
  setKernelBackend,
  shallowDynamics,
  simulateGradientDescent,
  taskFromData,
  trainSequence,
  transfer,
} from '../../src/index.js';
import { createDynamicsPool } from '../../src/parallel/index.js';
import { curvesFigure, lazyRichStudy, resolveRunConfig, sweepHeatmapFigure } from '../../src/report/index.js';
import { sourceFiles, root } from '../helpers/doc-examples.js';
import { thrown } from '../helpers/errors.js';

type Extra = Record<string, unknown>;

const task = randomTask({ inputDim: 2, outputDim: 2, samples: 8, seed: 1 });
const sigmaYX = task.sigmaYX;
const { w1, w2 } = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.3, seed: 2 });
const dyn = exactDynamics({ w1, w2, sigmaYX });
const snap = dyn.at(1);
const X = task.X!;

/** Each public function with an options object, called with valid options plus `extra`. */
const calls: Record<string, (extra: Extra) => unknown> = {
  exactDynamics: (e) => exactDynamics({ w1, w2, sigmaYX, ...e }),
  exactDynamicsFromQQt: (e) => exactDynamicsFromQQt({ qqt: snap.qqt, inputDim: 2, hiddenDim: 2, sigmaYX, ...e }),
  lambdaBalancedWeights: (e) => lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, seed: 1, ...e }),
  taskFromData: (e) => taskFromData(X, task.Y!, { ...e }),
  randomTask: (e) => randomTask({ inputDim: 2, outputDim: 2, samples: 4, seed: 1, ...e }),
  integrateGradientFlow: (e) => integrateGradientFlow({ w1, w2, sigmaYX, times: [0, 0.1], ...e }),
  simulateGradientDescent: (e) => simulateGradientDescent({ w1, w2, X, Y: task.Y!, learningRate: 0.01, steps: 2, ...e }),
  gradientDescentFromTask: (e) => gradientDescentFromTask({ w1, w2, sigmaYX, learningRate: 0.01, steps: 2, ...e }),
  kernelDistance: (e) => kernelDistance(dyn.at(0), snap, { inputs: X, ...e }),
  kernelDistanceTrajectory: (e) => kernelDistanceTrajectory(dyn, [1], { ...e }),
  ntk: (e) => ntk(snap, X, { ...e }),
  modeStrengths: (e) => modeStrengths(snap, undefined, { basis: dyn.singularVectors, ...e }),
  representationSimilarity: (e) => representationSimilarity(snap, { inputs: X, ...e }),
  alignedMode: (e) => alignedMode({ sigma: 1, a0: 0.1, lambda: 0, ...e }),
  learningTime: (e) => learningTime({ sigma: 1, a0: 0.1, lambda: 0, ...e }),
  shallowDynamics: (e) => shallowDynamics({ w0: snap.w2w1, sigmaYX, rate: 1, ...e }),
  convergedRepresentations: (e) => convergedRepresentations({ sigmaYX, lambda: 0.5, hiddenDim: 2, ...e }),
  lazyRichSweep: (e) => lazyRichSweep({ lambdas: [0], scales: [0.1], task, hiddenDim: 2, time: 1, seed: 1, ...e }),
  trainSequence: (e) => trainSequence({ w1, w2, tasks: [{ sigmaYX, duration: 1 }], ...e }),
  transfer: (e) => transfer({ w1, w2, source: sigmaYX, target: sigmaYX, pretrainTime: 1, time: 1, points: 3, ...e }),
  reversedTask: (e) => reversedTask(sigmaYX, { ...e }),
  hierarchicalTask: (e) => hierarchicalTask({ depth: 1, ...e }),
  expectedLambda: (e) => expectedLambda({ scheme: 'lecun', inputDim: 2, hiddenDim: 2, outputDim: 2, ...e }),
  sampleStandardInit: (e) => sampleStandardInit({ scheme: 'lecun', inputDim: 2, hiddenDim: 2, outputDim: 2, seed: 1, ...e }),
  setKernelBackend: (e) => setKernelBackend('auto', { ...e }),
  lazyRichStudy: (e) => lazyRichStudy({ networks: [{ inputDim: 2, hiddenDim: 2, outputDim: 2 }], lambdas: [0], points: 3, simulatedPoints: 2, sweepScales: [0.1], ...e }),
  sweepHeatmapFigure: (e) => sweepHeatmapFigure([{ lambda: 0, scale: 1, value: 1 }], { ...e }),
  curvesFigure: (e) => curvesFigure({ curves: [{ label: 'loss', times: [0, 1], values: [1, 0.5] }], ...e }),
  // Nested options: a sequence's stages and the kernel probes of a sweep.
  'trainSequence stage': (e) => trainSequence({ w1, w2, tasks: [{ sigmaYX, duration: 1, ...e }] }),
  'lazyRichSweep kernel': (e) => lazyRichSweep({ lambdas: [0], scales: [0.1], task, hiddenDim: 2, time: 1, seed: 1, kernel: { inputs: X, ...e } }),
};

describe('unknown options are refused', () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: valid options run; an unknown key is an InvalidArgumentError naming it`, () => {
      expect(() => call({})).not.toThrow();
      const e = thrown(() => call({ notAnOption: 1 }));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe('notAnOption');
      expect(e.message).toContain('Unknown option `notAnOption`');
      expect(e.message).toMatch(/the options are `/);
      // Keys named like Object's own properties crashed with "SYNONYMS[key]?.find is not a function".
      for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
        const inherited = thrown(() => call(JSON.parse(`{"${key}": 1}`) as Record<string, unknown>));
        expect(inherited, key).toBeInstanceOf(InvalidArgumentError);
        expect(inherited.message).toContain(`Unknown option \`${key}\``);
      }
    });
  }

  it('the cases that ran silently with a default before: a suggestion names the intended option', () => {
    const cases: [() => unknown, string, string][] = [
      [() => exactDynamics({ w1, w2, sigmaYX, tua: 10 } as never), 'tua', 'tau'],
      [() => kernelDistance(dyn.at(0), snap, { input: X } as never), 'input', 'inputs'],
      [() => reversedTask([[3, 0], [0, 1]], { mode: [1] } as never), 'mode', 'modes'],
      [() => lazyRichSweep({ lambdas: [0], scales: [0.1], task, hiddenDim: 2, time: 1, seed: 1, kernels: { inputs: X } } as never), 'kernels', 'kernel'],
      [() => integrateGradientFlow({ w1, w2, sigmaYX, times: [1], maxstep: 1e-3 } as never), 'maxstep', 'maxStep'],
      [() => trainSequence({ w1, w2, tasks: [{ sigmaYX, durration: 1 }] } as never), 'durration', 'duration'],
      // The other function's name for a length of time.
      [() => trainSequence({ w1, w2, tasks: [{ sigmaYX, time: 1 }] } as never), 'time', 'duration'],
      [() => lazyRichSweep({ lambdas: [0], scales: [0.1], task, hiddenDim: 2, duration: 1, seed: 1 } as never), 'duration', 'time'],
    ];
    for (const [call, key, meant] of cases) {
      const e = thrown(call);
      expect(e, key).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe(key);
      expect(e.message).toContain(`(did you mean \`${meant}\`?)`);
    }
    // Far from every option: no suggestion, the list only.
    expect(thrown(() => exactDynamics({ w1, w2, sigmaYX, learningRate: 0.1 } as never)).message).not.toContain('did you mean');
  });

  it('expectedLambda takes the options object of sampleStandardInit, seed included', () => {
    const options = { scheme: 'lecun', inputDim: 4, hiddenDim: 3, outputDim: 2, seed: 1 } as const;
    expect(expectedLambda(options)).toBe(expectedLambda({ scheme: 'lecun', inputDim: 4, hiddenDim: 3, outputDim: 2 }));
  });

  it('createDynamicsPool refuses an unknown option before starting any worker', async () => {
    const e = thrown(() => createDynamicsPool({ thread: 1 } as never));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('(did you mean `threads`?)');
    // The pool's methods check the options as the serial functions do, in the calling thread.
    const pool = createDynamicsPool({ threads: 1 });
    try {
      const error = (await pool.lossCurve({ w1, w2, sigmaYX, tua: 2 } as never, [1]).catch((x: unknown) => x)) as Error;
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain('(did you mean `tau`?)');
    } finally {
      await pool.close();
    }
  });

  it('resolveRunConfig (asynchronous) rejects an unknown option', async () => {
    const config = { weights: { w1: [[0.1]], w2: [[0.1]] }, task: { sigmaYX: [[1]] }, times: [0, 1] };
    await expect(resolveRunConfig(config, { source: 'run.json' })).resolves.toBeDefined();
    const e = (await resolveRunConfig(config, { basedir: '.' } as never).catch((error: unknown) => error)) as InvalidArgumentError;
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('(did you mean `baseDir`?)');
  });

  it('every exported function with an `options` parameter in src/ is in the table above', () => {
    const named = new Set(Object.keys(calls).map((k) => k.split(' ')[0]));
    // Internal functions that receive the options of a public one after it has checked them.
    const internal = new Set(['assertKnownOptions', 'validatedDynamicsInputs', 'sweepPlan', 'probeMatrices', 'probeGeometry', 'assertOptionsObject']);
    const found: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^export (?:async )?function (\w+)(?:<[^>]*>)?\(([^)]*)\)/gm)) {
        if (/\boptions\??:/.test(m[2]) && !internal.has(m[1])) found.push(m[1]);
      }
    }
    expect(found.length).toBeGreaterThan(20);
    const elsewhere = ['createDynamicsPool', 'resolveRunConfig']; // tested on their own above
    expect(found.filter((f) => !named.has(f) && !elsewhere.includes(f))).toEqual([]);
  });
});
