/**
 * A custom lazy–rich report with exact-dln/report: a smaller study than `exact-dln demo`
 * (one 5×5×10 network, λ from −20 to 20), its summary table, and the figures rendered to
 * SVG in a folder.
 *
 * Run: npx tsx examples/report.ts [output-folder]   (default: a new temporary folder)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLazyRichReport, lazyRichStudy, summaryText, writeFolderAtomic } from '../src/report/index.js';

/** Runs the study, writes the report into `dir` and returns the files written. */
export async function main(dir: string, log: (line: string) => void = console.log): Promise<string[]> {
  const study = lazyRichStudy({
    networks: [{ inputDim: 5, hiddenDim: 5, outputDim: 10 }],
    lambdas: [-20, -5, 0, 5, 20],
    scale: 0.02,
    duration: 6,
    points: 121,
    learningRate: 0.004,
    sweepScales: [0.02, 0.5],
  });
  log(summaryText(study));
  const files = await buildLazyRichReport(study);
  await writeFolderAtomic(dir, files);
  log(`wrote ${Object.keys(files).length} files to ${dir}: ${Object.keys(files).join(', ')}`);
  return Object.keys(files);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'exact-dln-report-')), 'report'));
}
