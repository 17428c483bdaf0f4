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
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Packages reachable from `entry` through relative runtime imports (TS sources): static
 * imports and re-exports that are not type-only, and dynamic `import('…')` calls anywhere.
 */
function sourceImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const follow = (specifier: ts.Expression | undefined): void => {
      if (specifier === undefined || !ts.isStringLiteral(specifier)) return;
      const name = specifier.text;
      if (name.startsWith('.')) visit(resolve(dirname(file), name.replace(/\.js$/, '.ts')));
      else bare.add(packageOf(name));
    };
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) follow(node.arguments[0]);
      ts.forEachChild(node, walk);
    };
    for (const node of source.statements) {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) follow(node.moduleSpecifier);
      else if (ts.isExportDeclaration(node) && !node.isTypeOnly) follow(node.moduleSpecifier);
      else walk(node);
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

/**
 * The first lines of a script on the build in `out`: the core's and the pool's imports, and
 * a random `width`-wide network (`task`, `w1`, `w2`).
 */
function networkScript(out: string, width: number): string[] {
  return [
    `import { exactDynamics, lambdaBalancedWeights, randomTask } from ${JSON.stringify(join(out, 'index.js'))};`,
    `import { createDynamicsPool } from ${JSON.stringify(join(out, 'parallel.js'))};`,
    `const task = randomTask({ inputDim: ${width}, outputDim: ${width}, samples: 60, seed: 1 });`,
    `const { w1, w2 } = lambdaBalancedWeights({ inputDim: ${width}, hiddenDim: ${width}, outputDim: ${width}, lambda: 0.25, scale: 0.05, seed: 2 });`,
  ];
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
        ...networkScript(out, 20),
        "const times = Array.from({ length: 101 }, (_, k) => k / 5);",
        "const pool = createDynamicsPool({ threads: 2 });",
        "const parallel = await pool.summaries({ w1, w2, sigmaYX: task.sigmaYX }, times);",
        "await pool.close();",
        "const serial = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).summaries(times);",
        "const same = (a, b) => a.length === b.length && a.every((x, k) => Object.is(x, b[k]));",
        "console.log(JSON.stringify([same(parallel.loss, serial.loss), parallel.modeStrengths.every((m, a) => same(m, serial.modeStrengths[a]))]));",
      ].join('\n');
      // Also with Node.js options a worker may not be given (V8's and the process's own, as
      // researchers raise heap limits): the workers inherit what Node lets them.
      for (const flags of [[], ['--max-old-space-size=512', '--stack-size=900', '--expose-gc', '--title=exact-dln-test']]) {
        const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
        expect(r.status, `${flags.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.stdout.trim()).toBe('[true,true]');
      }
    });

    it("every dist file package.json exports for import is built (the worker's entry point too)", () => {
      const exportsMap = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
      expect(Object.keys(exportsMap)).toContain('./parallel-worker');
      const targets = JSON.stringify(exportsMap).match(/"\.\/dist\/[^"]+\.js"/g) ?? [];
      expect(targets.length).toBeGreaterThanOrEqual(4);
      for (const target of targets) expect(existsSync(join(out, JSON.parse(target).slice('./dist/'.length))), target).toBe(true);
    });

    it('an application bundled into its own files starts the pool from its bundled worker (workerUrl), and says what to do without it', async () => {
      // The application and the worker's entry point bundled with everything inlined (ml-matrix too),
      // into a folder of their own: nothing of exact-dln's dist is next to them.
      const app = mkdtempSync(join(root, 'node_modules', '.exact-dln-app-'));
      try {
        const source = (withUrl: boolean): string =>
          [
            ...networkScript(out, 12),
            'const times = Array.from({ length: 51 }, (_, k) => k / 5);',
            'let pool;',
            `try { pool = createDynamicsPool({ threads: 2${withUrl ? ", workerUrl: new URL('./worker.js', import.meta.url)" : ''} }); }`,
            'catch (e) { console.log(e.constructor.name + ": " + e.message); process.exit(0); }',
            'const parallel = await pool.lossCurve({ w1, w2, sigmaYX: task.sigmaYX }, times);',
            'await pool.close();',
            'const serial = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).lossCurve(times);',
            'console.log(parallel.every((x, k) => Object.is(x, serial[k])));',
          ].join('\n');
        writeFileSync(join(app, 'with-url.mjs'), source(true));
        writeFileSync(join(app, 'without-url.mjs'), source(false));
        await build({
          entry: { 'with-url': join(app, 'with-url.mjs'), 'without-url': join(app, 'without-url.mjs'), worker: join(out, 'parallel-worker.js') },
          format: ['esm'],
          outDir: join(app, 'bundle'),
          noExternal: [/.*/],
          platform: 'node',
          target: 'node20',
          silent: true,
          config: false,
        });
        const run = (file: string): string => {
          const r = spawnSync(process.execPath, [join(app, 'bundle', file)], { encoding: 'utf8', timeout: 30_000 });
          expect(r.status, r.stderr).toBe(0);
          return r.stdout.trim();
        };
        expect(builtImports(join(app, 'bundle', 'with-url.js')).has('ml-matrix')).toBe(false); // really bundled
        expect(run('with-url.js')).toBe('true');
        const message = run('without-url.js');
        expect(message).toMatch(/^ExactDlnError: exact-dln\/parallel: its worker's code is missing/);
        expect(message).toContain("bundle 'exact-dln/parallel-worker'");
        expect(message).toContain('workerUrl');
      } finally {
        rmSync(app, { recursive: true, force: true });
      }
    });
  });
});
