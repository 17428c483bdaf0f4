/**
 * Runs every `@example` block of the representation / NTK / mode-strength modules, as a
 * user would (STYLE.md: "examples are executed by tests"). `import … from 'exact-dln'` is
 * bound to the package's public index plus these modules (whose export lines are added to
 * src/index.ts separately). A `console.log(...)` whose trailing comment is a literal
 * (`// true`, `// [2, 1]`, `// 3 4`; a trailing "(…)" or ": …" explanation is ignored) must
 * print exactly that.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import * as index from '../../src/index.js';
import * as kernelDistanceModule from '../../src/analysis/kernel-distance.js';
import * as trajectoryModule from '../../src/analysis/kernel-distance-trajectory.js';
import * as modeStrengthsModule from '../../src/analysis/mode-strengths.js';
import * as ntkModule from '../../src/analysis/ntk.js';
import * as rsmModule from '../../src/analysis/representation-similarity.js';

const lib: Record<string, unknown> = {
  ...index,
  ...kernelDistanceModule,
  ...trajectoryModule,
  ...modeStrengthsModule,
  ...ntkModule,
  ...rsmModule,
};

const files = [
  'representation-similarity.ts',
  'ntk.ts',
  'kernel-distance.ts',
  'kernel-distance-trajectory.ts',
  'mode-strengths.ts',
  'network-representations.ts',
];

/** The ```ts blocks inside doc comments, with the leading " * " removed. */
function examples(source: string): string[] {
  const out: string[] = [];
  const re = /\/\*\*([\s\S]*?)\*\//g;
  for (const m of source.matchAll(re)) {
    const lines = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    let block: string[] | undefined;
    for (const line of lines) {
      if (block === undefined && line.trim() === '```ts') block = [];
      else if (block !== undefined && line.trim() === '```') {
        out.push(block.join('\n'));
        block = undefined;
      } else if (block !== undefined) block.push(line);
    }
  }
  return out;
}

/** Replaces `import { a, type B } from 'exact-dln'` by `const { a } = lib;`, checking the names exist. */
function bindImports(code: string): string {
  return code.replace(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'exact-dln';?/g, (_, typeOnly: string | undefined, names: string) => {
    if (typeOnly) return '';
    const values = names
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type '));
    for (const n of values) expect(lib, `example imports ${n}`).toHaveProperty(n);
    return `const { ${values.join(', ')} } = lib;`;
  });
}

/** The literal a console.log line promises, or undefined if its comment is prose. */
function expectedOutput(line: string): string | undefined {
  const m = /console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line);
  if (!m) return undefined;
  const text = m[1].replace(/\s*\(.*\)\s*$/, '').replace(/:.*$/, '').trim();
  const squeezed = text.replace(/\s+/g, '');
  return /^[[\]0-9.,e+\-truefals]+$/.test(squeezed) ? squeezed : undefined;
}

let checked = 0;

describe('@example blocks of the analysis modules run', () => {
  afterAll(() => console.log(`analysis examples: ${checked} printed values checked against their comments`));
  for (const file of files) {
    const path = fileURLToPath(new URL(`../../src/analysis/${file}`, import.meta.url));
    const blocks = examples(readFileSync(path, 'utf8'));
    it(`${file}: has examples`, () => expect(blocks.length).toBeGreaterThan(0));
    blocks.forEach((block, k) => {
      it(`${file} example ${k + 1} runs and prints what its comments say`, async () => {
        const bound = bindImports(block);
        const js = ts.transpileModule(bound, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        }).outputText;
        const printed: string[] = [];
        const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map((a) => JSON.stringify(a)).join('')) };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
          ...args: string[]
        ) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction('lib', 'console', js)(lib, fakeConsole);
        const promised = block.split('\n').filter((l) => /console\.log\(/.test(l));
        if (promised.length === printed.length) {
          promised.forEach((line, i) => {
            const want = expectedOutput(line);
            if (want !== undefined) {
              checked++;
              expect(printed[i], line).toBe(want);
            }
          });
        }
      });
    });
  }
});
