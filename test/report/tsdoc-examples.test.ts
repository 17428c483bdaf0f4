/**
 * The API reference of 'exact-dln/report': every export has TSDoc with an `@example`, and
 * every example in src/report, src/io and src/cli runs. Imports from 'exact-dln' and
 * 'exact-dln/report' are pointed at the sources, paths under /tmp at a temporary folder,
 * and all examples run in their own scopes in one tsx process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples, hasExample, root, runInTsx, sourceFiles, undocumentedExports } from '../helpers/doc-examples.js';

const folders = ['report', 'io', 'cli'].map((f) => join(root, 'src', f));
const tmp = mkdtempSync(join(tmpdir(), 'exact-dln-report-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TSDoc of exact-dln/report', () => {
  it('every export of src/report/index.ts has TSDoc with an @example', () => {
    const { exports, missing } = undocumentedExports('exact-dln/report', hasExample);
    expect(exports).toBeGreaterThan(30);
    expect(missing, `exports without an @example: ${missing.join(', ')}`).toEqual([]);
  });

  it('every example runs without throwing', () => {
    const examples = folders.flatMap(sourceFiles).flatMap(docExamples);
    expect(examples.length).toBeGreaterThan(30);
    const run = runInTsx(examples, { adapt: (code) => code.replace(/'\/tmp\//g, `'${tmp}/`), dir: tmp, cwd: tmp });
    expect(run.skipped.map((e) => e.file)).toEqual([]);
    expect(run.reported).toBe(examples.length);
    expect(run.failed).toEqual([]);
  });
});
