/**
 * Runs every `@example` block of src/analysis/ and src/applications/ as a user would, with
 * `import … from 'exact-dln'` bound to the public index, and checks what it prints: a
 * `console.log(...)` whose trailing comment is a literal (`// true`, `// [2, 1]`, `// 8 8 8`;
 * a trailing "(…)" or ": …" explanation is ignored) must print exactly that. Every module
 * of these folders that src/index.ts re-exports has examples. The same check covers the
 * examples of the rest of src/ that import only from 'exact-dln' and 'exact-dln/report'
 * (the others — files, workers — are run by the TSDoc tests without their output).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as index from '../../src/index.js';
import * as report from '../../src/report/index.js';
import { docExamples, entryPoints, expectPrintedAsCommented, root, runInProcess, sourceFiles } from '../helpers/doc-examples.js';

const lib: Record<string, unknown> = { ...index };
const indexText = readFileSync(entryPoints['exact-dln'], 'utf8');
/** Whether src/index.ts re-exports from this source file. */
const isPublic = (file: string): boolean => indexText.includes(`from './${relative(join(root, 'src'), file).replace(/\.ts$/, '.js')}'`);

for (const folder of ['analysis', 'applications']) {
  let checked = 0;
  describe(`@example blocks of src/${folder} run and print what their comments say`, () => {
    afterAll(() => console.log(`${folder} examples: ${checked} printed values checked against their comments`));
    for (const file of sourceFiles(join(root, 'src', folder))) {
      const name = basename(file);
      const blocks = docExamples(file);
      if (isPublic(file)) it(`${name}: has examples`, () => expect(blocks.length).toBeGreaterThan(0));
      blocks.forEach(({ code }, k) => {
        it(`${name} example ${k + 1} runs and prints what its comments say`, async () => {
          checked += expectPrintedAsCommented(code, await runInProcess(code, lib));
        });
      });
    }
  });
}

describe('@example blocks of the rest of src/ that import only from exact-dln and exact-dln/report print what their comments say', () => {
  let checked = 0;
  const tmp = mkdtempSync(join(tmpdir(), 'exact-dln-example-outputs-'));
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    console.log(`other examples: ${checked} printed values checked against their comments`);
  });
  const allowed = new Set(['exact-dln', 'exact-dln/report']);
  const files = sourceFiles(join(root, 'src')).filter((f) => !/[/\\](analysis|applications)[/\\]/.test(f));
  for (const file of files) {
    docExamples(file).forEach(({ code }, k) => {
      const modules = [...code.matchAll(/^import\s+(?:type\s+)?\{[^}]*\}\s+from\s+'([^']+)'/gm)].map((m) => m[1]);
      if (modules.length === 0 || !modules.every((m) => allowed.has(m))) return;
      it(`${relative(join(root, 'src'), file)} example ${k + 1} prints what its comments say`, async () => {
        const adapted = code.replace(/'\/tmp\//g, `'${tmp}/`);
        checked += expectPrintedAsCommented(adapted, await runInProcess(adapted, lib, { 'exact-dln/report': { ...report } }));
      });
    });
  }
});
