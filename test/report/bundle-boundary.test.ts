/**
 * The core entry point ('exact-dln', dist/index.js) must depend on ml-matrix alone at run
 * time: the report and the CLI (vega, vega-lite, ajv, commander, cli-progress) live behind
 * 'exact-dln/report'. Checked twice:
 * - statically, on the TypeScript import graph of src/index.ts (every import that is not
 *   `import type` counts);
 * - on a real build: tsup with the project's own tsup.config.ts (ESM, without declarations)
 *   into a temporary folder, then every module reachable from index.js is scanned for its
 *   imports. The same build must put vega behind report.js and a shebang on cli.js.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import projectConfig from '../../tsup.config.js';

const tsupConfig = projectConfig as Options;

const root = join(__dirname, '..', '..');

/** The package of a bare specifier: `pure-rand/distribution/x` → `pure-rand`, `@a/b/c` → `@a/b`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** Packages reachable from `entry` through relative runtime imports (TS sources). */
function sourceImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const node of source.statements) {
      let specifier: ts.Expression | undefined;
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) specifier = node.moduleSpecifier;
      if (ts.isExportDeclaration(node) && !node.isTypeOnly) specifier = node.moduleSpecifier;
      if (specifier === undefined || !ts.isStringLiteral(specifier)) continue;
      const name = specifier.text;
      if (name.startsWith('.')) visit(resolve(dirname(file), name.replace(/\.js$/, '.ts')));
      else bare.add(packageOf(name));
    }
  };
  visit(entry);
  return bare;
}

/** Packages reachable from a built JavaScript module through its relative imports. */
function builtImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) visit(resolve(dirname(file), fileName));
      else bare.add(packageOf(fileName));
    }
  };
  visit(entry);
  return bare;
}

describe('the core entry point depends on ml-matrix alone', () => {
  it('statically: src/index.ts imports only ml-matrix and pure-rand, which tsup bundles in', () => {
    const bare = sourceImports(join(root, 'src', 'index.ts'));
    expect([...bare].sort()).toEqual(['ml-matrix', 'pure-rand']);
    expect(tsupConfig.noExternal).toContain('pure-rand');
    // The report side really does pull in the heavy dependencies (the check can see them).
    const report = sourceImports(join(root, 'src', 'report', 'index.ts'));
    for (const name of ['vega', 'vega-lite', 'ajv', 'commander', 'cli-progress']) expect(report.has(name), name).toBe(true);
  });

  describe('built with tsup', () => {
    let out: string;
    beforeAll(async () => {
      // Under node_modules, so that the built modules resolve ml-matrix like an installed package.
      out = mkdtempSync(join(root, 'node_modules', '.exact-dln-build-'));
      await build({ ...tsupConfig, format: ['esm'], outDir: out, dts: false, sourcemap: false, clean: false, silent: true, config: false });
    });
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it('dist/index.js and its chunks import only ml-matrix', () => {
      expect([...builtImports(join(out, 'index.js'))]).toEqual(['ml-matrix']);
    });

    it('dist/report.js carries the report dependencies and dist/cli.js is an executable script', () => {
      const report = builtImports(join(out, 'report.js'));
      for (const name of ['ml-matrix', 'vega', 'vega-lite', 'ajv', 'commander']) expect(report.has(name), name).toBe(true);
      expect(readFileSync(join(out, 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    });

    it('dist/parallel.js starts its workers from dist/parallel-worker.js and gives the core\'s curves', () => {
      expect(builtImports(join(out, 'parallel.js')).has('worker_threads')).toBe(true); // tsup drops the node: prefix
      // A plain Node.js process on the build alone (no tsx): the pool must find its worker file
      // next to itself, and its curves must be the serial ones bit for bit.
      const script = [
        `import { exactDynamics, lambdaBalancedWeights, randomTask } from ${JSON.stringify(join(out, 'index.js'))};`,
        `import { createDynamicsPool } from ${JSON.stringify(join(out, 'parallel.js'))};`,
        "const task = randomTask({ inputDim: 20, outputDim: 20, samples: 60, seed: 1 });",
        "const { w1, w2 } = lambdaBalancedWeights({ inputDim: 20, hiddenDim: 20, outputDim: 20, lambda: 0.25, scale: 0.05, seed: 2 });",
        "const times = Array.from({ length: 101 }, (_, k) => k / 5);",
        "const pool = createDynamicsPool({ threads: 2 });",
        "const parallel = await pool.summaries({ w1, w2, sigmaYX: task.sigmaYX }, times);",
        "await pool.close();",
        "const serial = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).summaries(times);",
        "const same = (a, b) => a.length === b.length && a.every((x, k) => Object.is(x, b[k]));",
        "console.log(JSON.stringify([same(parallel.loss, serial.loss), parallel.modeStrengths.every((m, a) => same(m, serial.modeStrengths[a]))]));",
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('[true,true]');
    });
  });
});
