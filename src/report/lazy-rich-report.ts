/**
 * The lazy–rich report: the figures of a study rendered to SVG, a plain-text summary table
 * and an `index.html` that inlines the figures with captions.
 *
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import { finalKernelDistanceFigure } from './figures/final-kernel-distance-figure.js';
import { kernelDistanceFigure } from './figures/kernel-distance-figure.js';
import { lossFigure } from './figures/loss-figure.js';
import { modeStrengthsFigure } from './figures/mode-strengths-figure.js';
import { representationsFigure } from './figures/representations-figure.js';
import { sweepHeatmapFigure } from './figures/sweep-heatmap-figure.js';
import { assertStudy, type LazyRichStudy } from './lazy-rich-study.js';
import { renderSvg } from './render-svg.js';
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../validation.js';

/**
 * One figure of a report.
 *
 * @example
 * ```ts
 * import type { ReportFigure } from 'exact-dln/report';
 * const names = (figures: ReportFigure[]) => figures.map((f) => f.file);
 * ```
 */
export interface ReportFigure {
  /** The file name in the report folder, e.g. `loss.svg`. */
  file: string;
  /** A short title. */
  title: string;
  /** What the figure shows and how to read it (a few sentences, plain text). */
  caption: string;
  /** The Vega-Lite specification. */
  spec: TopLevelSpec;
}

/**
 * The figures of the lazy–rich report, as Vega-Lite specifications with file names and
 * captions (render each with `renderSvg`):
 * `loss.svg`, `mode-strengths.svg`, `kernel-distance.svg`, `final-kernel-distance.svg`,
 * `representations.svg` and, when the study has a sweep, `sweep-heatmap.svg`.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns the figures, in report order.
 * @example
 * ```ts
 * import { lazyRichFigures, lazyRichStudy } from 'exact-dln/report';
 * const figures = lazyRichFigures(lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41 }));
 * console.log(figures.map((f) => f.file));
 * ```
 */
export function lazyRichFigures(study: LazyRichStudy): ReportFigure[] {
  assertStudy(study, 'lazyRichFigures');
  const s = study.settings;
  const figures: ReportFigure[] = [
    {
      file: 'loss.svg',
      title: 'Loss over time',
      spec: lossFigure(study),
      caption:
        `The loss above its minimum, ½‖Σyx − W2W1‖², against time t/τ (logarithmic axis). Lines: the exact closed-form trajectory, one per λ ` +
        `(blue and dashed for λ < 0, red for λ > 0, grey for λ = 0); dots: the same network trained with full-batch gradient descent ` +
        `(learning rate η = ${s.learningRate}, step k at t = kη), which follows the exact curves. At λ = 0 from a small initial scale ` +
        `(${s.scale}) the loss falls in stages, one plateau per task mode (rich regime); large |λ| learns all modes at once, exponentially fast. ` +
        `With equal widths λ and −λ give the same curve (the dashed line lies on the solid one); with a wide output layer (4×4×8) ` +
        `positive λ slows learning down.`,
    },
    {
      file: 'mode-strengths.svg',
      title: 'Mode strengths over time',
      spec: modeStrengthsFigure(study),
      caption:
        'How much of each task mode the network has learned: a_α(t) = ũ_αᵀ W2W1(t) ṽ_α, the diagonal of the network function in the ' +
        "task's singular basis, against t/τ; dashed lines are the targets σ_α (the singular values of Σyx). Rows are networks, columns λ. " +
        'At λ = 0 the modes are learned one after the other, strongest first (sigmoidal, stage-like learning); as |λ| grows they are learned together.',
    },
    {
      file: 'kernel-distance.svg',
      title: 'Kernel distance from the initialisation',
      spec: kernelDistanceFigure(study),
      caption:
        'How far the Neural Tangent Kernel moves during learning: d(K(0), K(t)) = 1 − ⟨K(0), K(t)⟩/(‖K(0)‖‖K(t)‖) on whitened inputs, ' +
        'against t/τ (logarithmic axis, t = 0 where d = 0 is not drawn). Near 0 the kernel stays put (lazy regime); of order 0.1–1 it ' +
        'changes substantially (rich regime, feature learning). For equal widths the distance falls with |λ| for both signs; for the ' +
        '4×4×8 network only negative λ makes it lazy.',
    },
    {
      file: 'final-kernel-distance.svg',
      title: 'Final kernel distance against λ',
      spec: finalKernelDistanceFigure(study),
      caption:
        `The kernel distance between the initial and the converged NTK, d(K(0), K(∞)), against λ, one line per network, from initial scale ${s.scale}. ` +
        'Equal widths: symmetric in λ and falling with |λ| — both signs are lazy. Unequal widths (No > Ni = Nh): λ < 0 is lazy, but λ > 0 ' +
        'is not, because the wide output layer must rotate its column space onto the task (docs/lazy-rich.md).',
    },
    {
      file: 'representations.svg',
      title: 'Representations at convergence',
      spec: representationsFigure(study),
      caption:
        'Heatmaps of the learned representations at convergence (t → ∞): the input-side W1ᵀW1 (Ni×Ni) and the output-side W2W2ᵀ ' +
        '(No×No), for λ = −10, 0 and 10 (rows), on one symmetric-logarithmic colour scale. λ decides where the learned structure ' +
        'lives: large λ > 0 puts it in W2W2ᵀ (≈ λI + ΣyxΣyxᵀ/λ) and leaves W1ᵀW1 small, large λ < 0 the reverse, λ = 0 splits it evenly.',
    },
  ];
  const cells = study.networks.flatMap((net) =>
    net.sweep.map((r) => ({ network: net.label, lambda: r.lambda, scale: r.scale, value: r.convergedKernelDistance })),
  );
  if (cells.length > 0) {
    figures.push({
      file: 'sweep-heatmap.svg',
      title: 'Lazy–rich sweep over λ and the initial scale',
      spec: sweepHeatmapFigure(cells, { title: 'Lazy–rich sweep over λ and the initial scale' }),
      caption:
        'The kernel distance at convergence d(K(0), K(∞)) over a grid of λ (across) and initial scales (up), per network; colour on a ' +
        'logarithmic scale, dark = lazy. λ matters far more than the initial scale here; `exact-dln sweep` makes this grid for any task.',
    });
  }
  return figures;
}

/**
 * One row of the summary table of a study.
 *
 * @example
 * ```ts
 * import type { SummaryRow } from 'exact-dln/report';
 * const row: SummaryRow = { network: '6×6×6', lambda: 0, finalKernelDistance: 0.46, timeTo90: 1.57, maxDeviation: 0.024 };
 * ```
 */
export interface SummaryRow {
  /** The network label Ni×Nh×No. */
  network: string;
  /** λ. */
  lambda: number;
  /** d(K(0), K(∞)). */
  finalKernelDistance: number;
  /** First time with loss ≤ 0.1·initial loss (exact). */
  timeTo90: number;
  /** Largest ‖P_exact − P_gd‖_F/‖P_exact‖_F over the recorded gradient-descent steps. */
  maxDeviation: number;
}

/**
 * The summary of a study, one row per (network, λ).
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns the rows.
 * @example
 * ```ts
 * import { lazyRichStudy, summaryRows } from 'exact-dln/report';
 * console.log(summaryRows(lazyRichStudy({ lambdas: [0], duration: 4, points: 41 })).length); // 2 (one per network)
 * ```
 */
export function summaryRows(study: LazyRichStudy): SummaryRow[] {
  assertStudy(study, 'summaryRows');
  return study.networks.flatMap((net) =>
    net.runs.map((run) => ({
      network: net.label,
      lambda: run.lambda,
      finalKernelDistance: run.finalKernelDistance,
      timeTo90: run.timeTo90,
      maxDeviation: run.maxDeviation,
    })),
  );
}

const HEADERS = ['λ', 'final kernel distance', 'time to 90 % (t/τ)', 'max deviation from GD'];

function cells(row: SummaryRow): string[] {
  return [
    String(row.lambda),
    row.finalKernelDistance.toExponential(2),
    Number.isFinite(row.timeTo90) ? row.timeTo90.toFixed(3) : 'never',
    row.maxDeviation.toExponential(2),
  ];
}

/**
 * The summary as plain text for a terminal: one table per network with λ, the final kernel
 * distance d(K(0), K(∞)), the time to learn 90 % of the task (loss ≤ 0.1·initial loss, on
 * the exact trajectory) and the largest relative deviation of gradient descent from the
 * exact trajectory, followed by a note for each skipped λ.
 *
 * @param study - the result of `lazyRichStudy`.
 * @returns the text (lines separated by `\n`, ending with a newline).
 * @example
 * ```ts
 * import { lazyRichStudy, summaryText } from 'exact-dln/report';
 * console.log(summaryText(lazyRichStudy({ lambdas: [-1, 0, 1], duration: 4, points: 41 })));
 * ```
 */
export function summaryText(study: LazyRichStudy): string {
  assertStudy(study, 'summaryText');
  const lines: string[] = [];
  for (const net of study.networks) {
    lines.push(`network ${net.label} (Ni×Nh×No), task singular values σ = ${net.sigma.map((s) => s.toFixed(3)).join(', ')}`);
    const rows = summaryRows({ ...study, networks: [net] }).map(cells);
    const widths = HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    lines.push('  ' + HEADERS.map((h, c) => h.padStart(widths[c])).join('   '));
    for (const r of rows) lines.push('  ' + r.map((x, c) => x.padStart(widths[c])).join('   '));
    for (const { lambda, reason } of net.skipped) lines.push(`  note: λ = ${lambda} skipped for ${net.label}: ${reason}.`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * Makes the ids of an SVG document unique within an HTML page: vega numbers its clip paths
 * and gradients from 1 in every SVG, and inline SVGs share one id space, so without a
 * per-figure prefix a later figure would be clipped by an earlier figure's clip path.
 */
function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/\b(xlink:)?href="#([^"]+)"/g, (_, xlink: string | undefined, id: string) => `${xlink ?? ''}href="#${prefix}-${id}"`);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The report page: the study's settings, the summary table and every figure inlined as
 * SVG with its caption. Self-contained (no scripts, no external files); the ids inside each
 * inlined SVG (clip paths, gradients) get a per-figure prefix so that they stay unique.
 *
 * @param study - the result of `lazyRichStudy`.
 * @param figures - the figures with their rendered SVG text.
 * @returns the HTML document.
 * @example
 * ```ts
 * import { lazyRichFigures, lazyRichStudy, renderSvg, reportHtml } from 'exact-dln/report';
 * const study = lazyRichStudy({ lambdas: [0, 4], duration: 4, points: 41 });
 * const figures = await Promise.all(lazyRichFigures(study).map(async (f) => ({ ...f, svg: await renderSvg(f.spec) })));
 * const html = reportHtml(study, figures);
 * ```
 */
export function reportHtml(study: LazyRichStudy, figures: ReadonlyArray<ReportFigure & { svg: string }>): string {
  assertStudy(study, 'reportHtml');
  if (!Array.isArray(figures) || !figures.every((fig) => fig !== null && typeof fig === 'object' && typeof fig.svg === 'string')) {
    throw new InvalidArgumentError(
      `invalid argument. reportHtml expects \`figures\` to be the figures of lazyRichFigures(study), each with its rendered \`svg\` string. Value: ${describe(figures)}.`,
      'figures',
    );
  }
  const s = study.settings;
  const tables = study.networks
    .map((net) => {
      const rows = summaryRows({ ...study, networks: [net] })
        .map((row) => `<tr>${cells(row).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('\n');
      const notes = net.skipped.map(({ lambda, reason }) => `<p class="note">λ = ${lambda} skipped: ${escapeHtml(reason)}.</p>`).join('\n');
      return (
        `<h3>${escapeHtml(net.label)} network</h3>\n<p>Task singular values σ = ${net.sigma.map((x) => x.toFixed(3)).join(', ')}.</p>\n` +
        `<table>\n<thead><tr>${HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>\n${notes}`
      );
    })
    .join('\n');
  const body = figures
    .map(
      (f, k) =>
        `<figure id="${escapeHtml(f.file.replace(/\.svg$/, ''))}">\n${prefixSvgIds(f.svg, `figure${k + 1}`)}\n<figcaption><strong>Figure ${k + 1}: ${escapeHtml(f.title)}.</strong> ` +
        `${escapeHtml(f.caption)} <a href="${escapeHtml(f.file)}">${escapeHtml(f.file)}</a></figcaption>\n</figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>exact-dln: from lazy to rich learning</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25rem 0.75rem; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
figure { margin: 2rem 0; overflow-x: auto; }
figcaption { max-width: 60rem; font-size: 0.95rem; }
.note { color: #8a4b00; }
</style>
</head>
<body>
<h1>From lazy to rich learning: exact dynamics of two-layer linear networks</h1>
<p>Exact learning trajectories y = W2·W1·x from λ-balanced initialisations (W2ᵀW2 − W1W1ᵀ = λI) on random whitened tasks
(${s.samples} samples, task seed ${s.taskSeed}), for λ ∈ {${s.lambdas.join(', ')}} and an initial scale of ${s.scale}
(weight seed ${s.weightSeed}, the same for every λ), next to the same networks trained with full-batch gradient descent
(η = ${s.learningRate}). Times are in units of the time constant τ. Made with <code>exact-dln demo</code>.</p>
<h2>Summary</h2>
<p>Final kernel distance: d(K(0), K(∞)) between the initial and converged Neural Tangent Kernels (small = lazy).
Time to 90 %: the first time the exact loss reaches 10 % of its initial value.
Max deviation from GD: the largest ‖P_exact − P_gd‖/‖P_exact‖ (P = [W1ᵀ; W2][W1ᵀ; W2]ᵀ) over the run.</p>
${tables}
<h2>Figures</h2>
${body}
</body>
</html>
`;
}

/**
 * Renders every figure of a study and assembles the report folder's files: `index.html`
 * (figures inlined), one `.svg` per figure and `summary.csv`.
 *
 * @param study - the result of `lazyRichStudy`.
 * @param onProgress - called after each rendered figure with (rendered, total), for progress bars.
 * @returns file name → content (write them with `writeFolderAtomic`).
 * @example
 * ```ts
 * import { buildLazyRichReport, lazyRichStudy, writeFolderAtomic } from 'exact-dln/report';
 * const files = await buildLazyRichReport(lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41 }));
 * await writeFolderAtomic('/tmp/exact-dln-report', files);
 * ```
 */
export async function buildLazyRichReport(
  study: LazyRichStudy,
  onProgress?: (rendered: number, total: number) => void,
): Promise<Record<string, string>> {
  assertStudy(study, 'buildLazyRichReport');
  if (study.networks.every((n) => n.runs.length === 0)) {
    throw new InvalidArgumentError(
      'invalid argument. The study has no runs (every λ was impossible for every network), so there is nothing to report: ' +
        'lazyRichStudy refuses such settings; this study was made or edited by hand.',
      'study',
    );
  }
  const specs = lazyRichFigures(study);
  const figures = [];
  for (const figure of specs) {
    figures.push({ ...figure, svg: await renderSvg(figure.spec) });
    onProgress?.(figures.length, specs.length);
  }
  const files: Record<string, string> = { 'index.html': reportHtml(study, figures) };
  for (const f of figures) files[f.file] = f.svg;
  const csv = ['network,lambda,final_kernel_distance,time_to_90,max_deviation'];
  for (const r of summaryRows(study)) csv.push(`${r.network},${r.lambda},${r.finalKernelDistance},${r.timeTo90},${r.maxDeviation}`);
  files['summary.csv'] = csv.join('\n') + '\n';
  return files;
}
