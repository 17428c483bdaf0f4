/**
 * The API reference is part of the product: every export of the core entry point has a
 * TSDoc comment with an `@example`, and every example runs. Examples are extracted from
 * the sources, their `import … from 'exact-dln'` lines are pointed at src/index.ts, and
 * each runs in its own scope in one tsx process (console output is captured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { docExamples, hasExample, root, runInTsx, sourceFiles, undocumentedExports } from '../helpers/doc-examples.js';

const files = sourceFiles(join(root, 'src')).filter((f) => !/[/\\](cli|report)[/\\]/.test(f));
const examples = files.flatMap(docExamples);
const tmp = mkdtempSync(join(root, 'node_modules', '.tsdoc-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An @example tag, or, for a constant, any TSDoc; re-exports from node_modules (Matrix) are not ours. */
function documented(decl: ts.Declaration): boolean {
  if (decl.getSourceFile().fileName.includes('node_modules')) return true;
  return hasExample(decl) || (ts.isVariableDeclaration(decl) && ts.getJSDocCommentsAndTags(decl.parent.parent).length > 0);
}

describe('TSDoc examples', () => {
  it('every export of the core entry point has TSDoc with an @example', () => {
    const { missing } = undocumentedExports('exact-dln', documented);
    expect(missing, `exports without an @example: ${missing.join(', ')}`).toEqual([]);
  });

  it(`all ${examples.length} examples that import from 'exact-dln' run without throwing`, () => {
    // Examples without such an import are internal helpers'; those importing elsewhere are skipped.
    const run = runInTsx(
      examples.filter((e) => /from 'exact-dln'/.test(e.code)),
      { only: ['exact-dln'], dir: tmp, cwd: root },
    );
    expect(run.ran.length).toBeGreaterThan(50);
    expect(run.failed).toEqual([]);
    expect(run.reported).toBe(run.ran.length);
  });
});
