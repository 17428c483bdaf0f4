/**
 * The API reference of 'exact-dln/parallel': every export has TSDoc with an `@example`, and
 * every example in src/parallel runs (imports of 'exact-dln' and 'exact-dln/parallel'
 * pointed at the sources, in one tsx process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples, hasExample, root, runInTsx, sourceFiles, undocumentedExports } from '../helpers/doc-examples.js';

const tmp = mkdtempSync(join(root, 'node_modules', '.parallel-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TSDoc of exact-dln/parallel', () => {
  it('every export of src/parallel/index.ts has TSDoc with an @example', () => {
    const { exports, missing } = undocumentedExports('exact-dln/parallel', hasExample);
    expect(exports).toBe(5);
    expect(missing, `exports without an @example: ${missing.join(', ')}`).toEqual([]);
  });

  it('every example runs without throwing', () => {
    const examples = sourceFiles(join(root, 'src', 'parallel')).flatMap(docExamples);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const run = runInTsx(examples, { dir: tmp, cwd: root });
    expect(run.skipped.map((e) => e.file)).toEqual([]);
    expect(run.reported).toBe(examples.length);
    expect(run.failed).toEqual([]);
  });
});
