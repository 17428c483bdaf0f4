/**
 * Rendering Vega-Lite specifications to SVG in Node, without a browser or a canvas.
 *
 * @module
 */
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { InvalidArgumentError } from '../errors.js';
import { assertObject } from './guards.js';

/**
 * Renders a Vega-Lite specification (with inline data) to an SVG document: the spec is
 * compiled to Vega, parsed, and rendered headlessly (`renderer: 'none'`, then `toSVG`).
 * Text is measured with Vega's built-in estimates, so the output is the same on every
 * machine.
 *
 * @param spec - a Vega-Lite top-level specification whose data are inline `values`.
 * @returns the SVG text (starts with `<svg`).
 * @example
 * ```ts
 * import { renderSvg } from 'exact-dln/report';
 * const svg = await renderSvg({
 *   data: { values: [{ t: 0, loss: 1 }, { t: 1, loss: 0.2 }] },
 *   mark: 'line',
 *   encoding: { x: { field: 't', type: 'quantitative', title: 'time t/τ' }, y: { field: 'loss', type: 'quantitative' } },
 * });
 * console.log(svg.startsWith('<svg')); // true
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  assertObject(spec as unknown, 'spec', 'renderSvg');
  // Loaded on the first call (≈ 0.2 s), not with the module: the command-line tool's other
  // commands and 'exact-dln/report' users who never render do not pay for it.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  let view: View;
  try {
    view = new View(parse(compile(spec).spec), { renderer: 'none' });
  } catch (e) {
    throw new InvalidArgumentError(`invalid argument. renderSvg could not compile \`spec\` as a Vega-Lite specification: ${(e as Error).message}`, 'spec');
  }
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
