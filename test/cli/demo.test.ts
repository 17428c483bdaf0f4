/**
 * `exact-dln demo` end to end (in-process): the summary table, the report folder with
 * index.html and every figure, the lazy–rich facts in the numbers, and a failing --out.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWellFormedXml } from '../report/xml.js';
import { cleanup, cli, entries, tempDir, type CliResult } from './helpers.js';

const FIGURES = ['loss.svg', 'mode-strengths.svg', 'kernel-distance.svg', 'final-kernel-distance.svg', 'representations.svg', 'sweep-heatmap.svg'];

let dir: string;
let result: CliResult;
beforeAll(async () => {
  dir = tempDir();
  result = await cli(['demo', '--out', 'out/report', '--quiet'], dir);
});
afterAll(() => cleanup(dir));

/** The summary rows of one network: λ → [final kernel distance, time to 90 %, max deviation]. */
function table(network: string): Map<number, number[]> {
  const lines = result.out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`network ${network}`));
  const rows = new Map<number, number[]>();
  for (const line of lines.slice(start + 2)) {
    const cells = line.trim().split(/\s+/).map(Number);
    if (cells.length !== 4 || cells.some(Number.isNaN)) break;
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

describe('exact-dln demo', () => {
  it('exits 0 and prints a summary table per network and the report path', () => {
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('λ   final kernel distance   time to 90 % (t/τ)   max deviation from GD');
    for (const network of ['6×6×6', '4×4×8']) expect([...table(network).keys()]).toEqual([-10, -4, -1, 0, 1, 4, 10]);
    expect(result.out.trim().split('\n').at(-1)).toMatch(new RegExp(`^report: ${join(dir, 'out', 'report', 'index.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
  });

  it('shows the lazy–rich facts: symmetric for equal widths, the sign of λ decides for 4×4×8', () => {
    const equal = table('6×6×6');
    const unequal = table('4×4×8');
    for (const l of [1, 4, 10]) expect(equal.get(l)![0]).toBeCloseTo(equal.get(-l)![0], 2);
    expect(equal.get(0)![0]).toBeGreaterThan(1e-1);
    expect(equal.get(10)![0]).toBeLessThan(1e-2);
    expect(unequal.get(-10)![0]).toBeLessThan(1e-2);
    expect(unequal.get(10)![0]).toBeGreaterThan(5e-2);
    // Gradient descent stays close to the exact trajectory, and λ = 0 learns slowest for equal widths.
    for (const row of [...equal.values(), ...unequal.values()]) expect(row[2]).toBeLessThan(5e-2);
    expect(Math.max(...[...equal.values()].map((r) => r[1]))).toBe(equal.get(0)![1]);
  });

  it('writes index.html inlining every figure, the SVG files and summary.csv', () => {
    const out = join(dir, 'out', 'report');
    expect(entries(out)).toEqual(['index.html', 'summary.csv', ...FIGURES].sort());
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html.match(/<svg[\s>]/g)).toHaveLength(FIGURES.length);
    expect(html.match(/<figcaption>/g)).toHaveLength(FIGURES.length);
    for (const f of FIGURES) {
      expect(html).toContain(`href="${f}"`);
      expect(assertWellFormedXml(readFileSync(join(out, f), 'utf8'))).toBe('svg');
    }
    expect(html).toContain('<table>');
    // Inline SVGs share the page's id space: every id is unique and every reference resolves.
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...html.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ids).toContain(ref);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('network,lambda,final_kernel_distance,time_to_90,max_deviation');
    expect(csv).toHaveLength(1 + 14);
    expect(entries(join(dir, 'out'))).toEqual(['report']); // no temporary folders left
  });

  it('refuses an --out that cannot be created (exit 2) and leaves nothing', async () => {
    writeFileSync(join(dir, 'blocker'), 'a file, not a folder');
    const r = await cli(['demo', '--out', 'blocker/report', '--quiet'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('blocker is not a folder');
    expect(existsSync(join(dir, 'blocker', 'report'))).toBe(false);
    expect(entries(dir)).toEqual(['blocker', 'out']);
  });
});
