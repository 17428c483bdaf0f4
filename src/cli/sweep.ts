/**
 * `exact-dln sweep`: the lazy–rich grid over λ and the initial scale (`lazyRichSweep`), as
 * CSV or JSON, and optionally a heatmap SVG.
 *
 * @module
 */
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { lazyRichSweep, type LazyRichSweep, type LazyRichSweepOptions } from '../analysis/lazy-rich-sweep.js';
import { randomTask, type Task } from '../core/task.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { ConfigError } from '../io/config-error.js';
import { parseRunConfig, readConfigJson, resolveTask } from '../io/run-config.js';
import { MAX_HEATMAP_AXIS, sweepHeatmapFigure } from '../report/figures/sweep-heatmap-figure.js';
import { impossibleLambdaReason } from '../report/lazy-rich-study.js';
import { renderSvg } from '../report/render-svg.js';
import { poolForOption, UsageError, parseNumberList, parsePositive, parsePositiveInteger, type CliIo } from './io.js';
import { checkOutPath, chooseFormat, csvDocument, emit, jsonDocument, type OutputFormat } from './output.js';

interface SweepOptions {
  config?: string;
  lambdas?: number[];
  scales?: number[];
  time?: number;
  format?: OutputFormat;
  out?: string;
  heatmap?: string;
  threads?: number;
}

/** The grid and network used without a config file (the demo's equal-width network). */
export const DEFAULT_SWEEP = {
  inputDim: 6,
  hiddenDim: 6,
  outputDim: 6,
  samples: 60,
  taskSeed: 1,
  seed: 2,
  lambdas: [-10, -4, -1, 0, 1, 4, 10],
  scales: [0.01, 0.05, 0.2, 1],
  time: 10,
} as const;

const EXAMPLES = `
The grid: for each λ and initial scale, λ-balanced weights (same seed everywhere) and their exact
trajectory; reports the kernel distance d(K(0), K(t)) at --time and at convergence, the loss at --time
and how far W1ᵀW1 and W2W2ᵀ moved. λ impossible for the widths are skipped with a note on stderr.

Without --config: a ${DEFAULT_SWEEP.inputDim}×${DEFAULT_SWEEP.hiddenDim}×${DEFAULT_SWEEP.outputDim} network on a random whitened task (the demo's).
With --config: the widths and seed come from "weights" (which must be { inputDim, hiddenDim, outputDim,
lambda, seed }; its lambda and scale are replaced by the grid), the task from "task", and the grid
from "sweep": { "lambdas", "scales", "time" } unless given as options.

Output columns (csv) / row fields (json):
  lambda, scale, kernel_distance, converged_kernel_distance, initial_loss, loss,
  delta_w1tw1, delta_w2w2t, converged_delta_w1tw1, converged_delta_w2w2t

Examples:
  $ exact-dln sweep
  $ exact-dln sweep --lambdas=-100,-10,0,10,100 --scales 0.01,1 --format csv
  $ exact-dln sweep --config run.json --out sweep.csv --heatmap sweep.svg
  $ exact-dln sweep --config mnist.json --threads 8    # cells on 8 worker threads, same output
`;

const COLUMNS = [
  ['lambda', 'lambda'],
  ['scale', 'scale'],
  ['kernel_distance', 'kernelDistance'],
  ['converged_kernel_distance', 'convergedKernelDistance'],
  ['initial_loss', 'initialLoss'],
  ['loss', 'loss'],
  ['delta_w1tw1', 'deltaW1tW1'],
  ['delta_w2w2t', 'deltaW2W2t'],
  ['converged_delta_w1tw1', 'convergedDeltaW1tW1'],
  ['converged_delta_w2w2t', 'convergedDeltaW2W2t'],
] as const;

/** Registers `sweep` on the program. */
export function registerSweep(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description('the lazy–rich grid over λ and the initial scale (CSV/JSON, optional heatmap SVG)')
    .option('--config <file>', 'a run configuration (JSON) giving the widths, seed and task')
    .option('--lambdas <list>', 'comma-separated λ values, e.g. --lambdas=-10,0,10', parseNumberList)
    .option('--scales <list>', 'comma-separated initial scales (> 0), e.g. 0.01,0.1,1', parseNumberList)
    .option('--time <t>', 'the time t at which kernel distance and loss are read (> 0; in the unit of τ: t/τ time constants)', parsePositive)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']))
    .option('--out <file>', 'write the grid to this file instead of standard output')
    .option('--heatmap <file.svg>', 'also write a heatmap of the converged kernel distance (SVG)')
    .option('--threads <n>', 'compute the cells on n worker threads (exact-dln/parallel; the same numbers); default 1: in this thread', parsePositiveInteger)
    .addHelpText('after', EXAMPLES)
    .action(async (options: SweepOptions) => {
      if (options.scales?.some((s) => !(s > 0))) throw new UsageError(`option '--scales <list>': every scale must be > 0, got ${options.scales.join(',')}.`);
      const format = chooseFormat(options.format, options.out);
      const out = await checkOutPath(io, options.out);
      if (options.heatmap !== undefined && !/\.svg$/i.test(options.heatmap)) {
        throw new UsageError(`option '--heatmap <file.svg>': the heatmap is an SVG image; give a file name ending in .svg (got ${options.heatmap}).`);
      }
      const heatmap = await checkOutPath(io, options.heatmap, '--heatmap <file.svg>');
      if (out !== undefined && heatmap !== undefined && out === heatmap) {
        // (The grid was written over the heatmap, which was lost without a word.)
        throw new UsageError(`options '--out' and '--heatmap' name the same file ${out}: give each its own.`);
      }

      let task: Task;
      let widths: { inputDim: number; hiddenDim: number; outputDim: number };
      let seed: number;
      let matchDeterminantSign = false;
      let tau = 1;
      let grid: { lambdas?: number[]; scales?: number[]; time?: number } = {};
      if (options.config !== undefined) {
        const path = resolve(io.cwd, options.config);
        const config = parseRunConfig(await readConfigJson(path), path);
        if ('w1' in config.weights) {
          throw new ConfigError(
            `${path}: config.weights: a sweep generates its own weights; give { "inputDim", "hiddenDim", "outputDim", "lambda", "seed" } instead of explicit w1, w2.`,
            'config.weights',
          );
        }
        widths = config.weights;
        seed = config.weights.seed;
        matchDeterminantSign = config.weights.matchDeterminantSign ?? false;
        tau = config.tau ?? 1;
        grid = config.sweep ?? {};
        try {
          task = await resolveTask(config, dirname(path));
        } catch (error) {
          if (error instanceof ConfigError) throw new ConfigError(`${path}: ${error.message}`, error.field);
          throw error;
        }
      } else {
        widths = DEFAULT_SWEEP;
        seed = DEFAULT_SWEEP.seed;
        task = randomTask({ inputDim: widths.inputDim, outputDim: widths.outputDim, samples: DEFAULT_SWEEP.samples, seed: DEFAULT_SWEEP.taskSeed });
      }
      const requested = options.lambdas ?? grid.lambdas ?? [...DEFAULT_SWEEP.lambdas];
      const scales = options.scales ?? grid.scales ?? [...DEFAULT_SWEEP.scales];
      const time = options.time ?? grid.time ?? DEFAULT_SWEEP.time;
      const skipped = requested.flatMap((lambda) => {
        const reason = impossibleLambdaReason(lambda, widths);
        return reason === undefined ? [] : [{ lambda, reason }];
      });
      for (const { lambda, reason } of skipped) io.err(`note: λ = ${lambda} skipped: ${reason}.\n`);
      const lambdas = requested.filter((lambda) => impossibleLambdaReason(lambda, widths) === undefined);
      const label = `${widths.inputDim}×${widths.hiddenDim}×${widths.outputDim}`;
      if (lambdas.length === 0) throw new UsageError(`option '--lambdas <list>': no λ of the grid is possible for the ${label} network.`);

      if (heatmap !== undefined && Math.max(new Set(lambdas).size, new Set(scales).size) > MAX_HEATMAP_AXIS) {
        throw new UsageError(`option '--heatmap <file.svg>': a heatmap draws at most ${MAX_HEATMAP_AXIS} λ and ${MAX_HEATMAP_AXIS} scales; this grid has ${new Set(lambdas).size} × ${new Set(scales).size}.`);
      }
      const sweepOptions = { lambdas, scales, task, hiddenDim: widths.hiddenDim, time, seed, tau, matchDeterminantSign };
      const sweep = await sweepOn(options.threads ?? 1, sweepOptions);
      // The grid first, in pieces (a grid of 1500 × 1500 cells failed as one string with
      // "Invalid string length"), then the heatmap: a heatmap that fails no longer loses the grid.
      await emit(
        io,
        out,
        format === 'csv'
          ? csvDocument(
              COLUMNS.map(([name]) => name),
              sweep.rows.map((row) => COLUMNS.map(([, key]) => row[key])),
            )
          : jsonDocument({ inputDim: sweep.inputDim, hiddenDim: sweep.hiddenDim, outputDim: sweep.outputDim, time, tau, skipped }, 'rows', sweep.rows),
      );
      if (heatmap !== undefined) {
        const svg = await renderSvg(
          sweepHeatmapFigure(
            sweep.rows.map((r) => ({ lambda: r.lambda, scale: r.scale, value: r.convergedKernelDistance })),
            { title: `Lazy–rich sweep, ${label} network` },
          ),
        );
        await writeFileAtomic(heatmap, svg);
      }
    });
}

/** `lazyRichSweep` in this thread, or on a pool of `threads` worker threads (bit-identical rows). */
async function sweepOn(threads: number, options: LazyRichSweepOptions): Promise<LazyRichSweep> {
  if (threads === 1) return lazyRichSweep(options);
  const pool = poolForOption(threads);
  try {
    return await pool.lazyRichSweep(options);
  } finally {
    await pool.close();
  }
}
