/**
 * `exact-dln trajectory`: the exact trajectory of a configured network, as JSON or CSV.
 *
 * @module
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { kernelDistanceTrajectory } from '../analysis/kernel-distance-trajectory.js';
import { modeStrengths } from '../analysis/mode-strengths.js';
import { loadRunConfig } from '../io/run-config.js';
import { UsageError, type CliIo } from './io.js';
import { checkOutPath, chooseFormat, emit, toCsv, type OutputFormat } from './output.js';

interface TrajectoryOptions {
  config: string;
  format?: OutputFormat;
  out?: string;
  matrices?: boolean;
}

const EXAMPLES = `
Output:
  json: { "lambda", "tau", "inputDim", "hiddenDim", "outputDim", "sigma",
          "points": [ { "t", "loss", "modeStrengths": [..], "kernelDistance" } ] }
        (--matrices adds "w2w1", "w1tw1", "w2w2t" to every point)
  csv:  t,loss,kernel_distance,mode_1,...,mode_k   (one row per time; k = min(Ni, No))
  loss is ½‖Σyx − W2W1‖² (the loss above its minimum); kernelDistance is d(K(0), K(t)).
  The format defaults to csv for --out *.csv, json otherwise.

Examples:
  $ exact-dln trajectory --config run.json
  $ exact-dln trajectory --config run.json --format csv --out trajectory.csv
  $ exact-dln trajectory --config run.json --matrices --out trajectory.json

The config file format is in docs/cli.md and schema/run-config.schema.json.
`;

/** Registers `trajectory` on the program. */
export function registerTrajectory(program: Command, io: CliIo): void {
  program
    .command('trajectory')
    .description('the exact learning trajectory of the network in a config file (JSON or CSV)')
    .requiredOption('--config <file>', 'the run configuration (JSON)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--matrices', 'include W2W1, W1ᵀW1 and W2W2ᵀ at every time (JSON only)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: TrajectoryOptions) => {
      const format = chooseFormat(options.format, options.out);
      if (options.matrices && format === 'csv') throw new UsageError('option --matrices needs JSON output (--format json): CSV has one number per column.');
      const out = await checkOutPath(io, options.out);
      const run = await loadRunConfig(resolve(io.cwd, options.config));
      const { dynamics, times } = run;
      const snaps = dynamics.trajectory(times);
      const distance = kernelDistanceTrajectory(dynamics, times).distance;
      const strengths = snaps.map((snap) => modeStrengths(snap).strengths);
      let text: string;
      if (format === 'csv') {
        const k = Math.min(dynamics.inputDim, dynamics.outputDim);
        const header = ['t', 'loss', 'kernel_distance', ...Array.from({ length: k }, (_, i) => `mode_${i + 1}`)];
        text = toCsv(header, snaps.map((snap, i) => [snap.t, snap.loss, distance[i], ...strengths[i]]));
      } else {
        const points = snaps.map((snap, i) => ({
          t: snap.t,
          loss: snap.loss,
          modeStrengths: strengths[i],
          kernelDistance: distance[i],
          ...(options.matrices ? { w2w1: snap.w2w1.to2DArray(), w1tw1: snap.w1tw1.to2DArray(), w2w2t: snap.w2w2t.to2DArray() } : {}),
        }));
        const result = {
          lambda: dynamics.lambda,
          tau: dynamics.tau,
          inputDim: dynamics.inputDim,
          hiddenDim: dynamics.hiddenDim,
          outputDim: dynamics.outputDim,
          sigma: dynamics.sigma,
          points,
        };
        text = JSON.stringify(result, null, 2) + '\n';
      }
      await emit(io, out, text);
    });
}
