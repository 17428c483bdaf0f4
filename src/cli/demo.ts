/**
 * `exact-dln demo`: the lazy-to-rich study on the built-in default networks and task,
 * printed as a summary table and written as an HTML report with figures.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFolderAtomic } from '../io/atomic-write.js';
import { DEFAULT_LAZY_RICH_STUDY, lazyRichStudy } from '../report/lazy-rich-study.js';
import { buildLazyRichReport, summaryText } from '../report/lazy-rich-report.js';
import type { CliIo } from './io.js';
import { checkOutFolder } from './output.js';
import { LazyProgress } from './progress.js';

interface DemoOptions {
  out: string;
  quiet?: boolean;
}

const EXAMPLES = `
What it does:
  For a 6×6×6 and a 4×4×8 network on random whitened tasks, and λ ∈ {${DEFAULT_LAZY_RICH_STUDY.lambdas.join(', ')}}
  from initial scale ${DEFAULT_LAZY_RICH_STUDY.scale}: computes the exact learning trajectories, trains the same networks
  with gradient descent (η = ${DEFAULT_LAZY_RICH_STUDY.learningRate}), prints a summary table and writes a report
  folder (index.html and one SVG per figure).

Examples:
  $ exact-dln demo                    # writes ./report/index.html
  $ exact-dln demo --out /tmp/lazy-rich
  $ npm run demo                      # the same, from a clone of the repository
`;

/** Registers `demo` on the program. */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('the lazy-to-rich study on a default task: summary table and an HTML report with figures')
    .option('--out <dir>', 'the report folder (created if missing; files in it are replaced)', 'report')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EXAMPLES)
    .action(async (options: DemoOptions) => {
      const dir = await checkOutFolder(io, options.out);
      const s = DEFAULT_LAZY_RICH_STUDY;
      io.out(
        `exact-dln demo: from lazy to rich learning\n` +
          `networks ${s.networks.map((n) => `${n.inputDim}×${n.hiddenDim}×${n.outputDim}`).join(' and ')} (Ni×Nh×No) on random whitened tasks ` +
          `(${s.samples} samples); λ ∈ {${s.lambdas.join(', ')}}, initial scale ${s.scale};\n` +
          `exact trajectories for t ∈ [0, ${s.duration}]τ, gradient descent with η = ${s.learningRate} for comparison.\n\n`,
      );
      // Progress in percent: the runs are the first half, rendering the figures the second.
      const progress = new LazyProgress(options.quiet ? undefined : io.progress, 100, 'exact-dln demo');
      let study: ReturnType<typeof lazyRichStudy>;
      let files: Awaited<ReturnType<typeof buildLazyRichReport>>;
      try {
        study = lazyRichStudy({ onProgress: (done, total) => progress.update(Math.round((50 * done) / total)) });
        files = await buildLazyRichReport(study, (done, total) => progress.update(50 + Math.round((50 * done) / total)));
      } finally {
        progress.stop(); // also on a failure: the bar is cleared and the cursor shown again
      }
      io.out(summaryText(study));
      io.out(
        'final kernel distance = d(K(0), K(∞)) of the Neural Tangent Kernel (small = lazy); time to 90 %: first t with loss ≤ 0.1·initial loss;\n' +
          'max deviation from GD = max over recorded steps of ‖P_exact − P_gd‖/‖P_exact‖.\n\n',
      );
      await writeFolderAtomic(dir, files);
      const figures = Object.keys(files).filter((f) => f.endsWith('.svg'));
      io.out(`report: ${resolve(dir, 'index.html')} (${figures.length} figures: ${figures.join(', ')})\n`);
    });
}
