/**
 * exact-dln/report — figures, the HTML report and the command-line tool of exact-dln.
 *
 * Everything here is built on the core (`exact-dln`), which depends on ml-matrix alone;
 * this entry point adds vega / vega-lite (figures rendered to SVG in Node), ajv (the run
 * configuration's JSON Schema) and commander / cli-progress (the `exact-dln` command).
 *
 * - The lazy-to-rich study behind `exact-dln demo`: {@link lazyRichStudy},
 *   {@link buildLazyRichReport}, {@link summaryText}.
 * - Figures as Vega-Lite specifications ({@link lossFigure}, {@link modeStrengthsFigure},
 *   {@link kernelDistanceFigure}, {@link finalKernelDistanceFigure},
 *   {@link representationsFigure}, {@link sweepHeatmapFigure}) and {@link renderSvg}.
 * - Run configuration files: {@link runConfigSchema}, {@link loadRunConfig},
 *   {@link parseRunConfig}, {@link resolveRunConfig}; data files: {@link readDataFile}.
 * - The command-line tool in-process: {@link run}.
 *
 * @packageDocumentation
 * @module exact-dln/report
 */
export { renderSvg } from './render-svg.js';
export { lossFigure } from './figures/loss-figure.js';
export { modeStrengthsFigure } from './figures/mode-strengths-figure.js';
export { kernelDistanceFigure } from './figures/kernel-distance-figure.js';
export { finalKernelDistanceFigure } from './figures/final-kernel-distance-figure.js';
export { representationsFigure } from './figures/representations-figure.js';
export { MAX_HEATMAP_AXIS, sweepHeatmapFigure, type SweepCell } from './figures/sweep-heatmap-figure.js';
export { curvesFigure, type Curve, type CurvesFigureOptions } from './figures/curves-figure.js';
export {
  lazyRichStudy,
  DEFAULT_LAZY_RICH_STUDY,
  timeToLossFraction,
  impossibleLambdaReason,
  type LazyRichStudyOptions,
  type LazyRichStudy,
  type StudyNetwork,
  type StudyRun,
  type NetworkWidths,
} from './lazy-rich-study.js';
export {
  lazyRichFigures,
  summaryRows,
  summaryText,
  reportHtml,
  buildLazyRichReport,
  type ReportFigure,
  type SummaryRow,
} from './lazy-rich-report.js';
export { writeFileAtomic, writeFolderAtomic } from '../io/atomic-write.js';
export { ConfigError } from '../io/config-error.js';
export {
  runConfigSchema,
  parseRunConfig,
  resolveRunConfig,
  loadRunConfig,
  readConfigJson,
  configTimes,
  configWeights,
  resolveTask,
  type RunConfig,
  type ResolvedRun,
  type TaskConfig,
  type ExplicitWeights,
  type GeneratedWeights,
  type MatrixRows,
} from '../io/run-config.js';
export { readDataFile, parseCsvData, parseJsonData, type DataColumns } from '../io/data-file.js';
export { run, EXIT_CODES } from '../cli/main.js';
export { processIo, type CliIo } from '../cli/io.js';
