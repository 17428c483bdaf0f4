/**
 * Runs every `@example` block of src/applications/ as a user would (STYLE.md: "examples
 * are executed by tests"). `import … from 'exact-dln'` is bound to the public index plus
 * the application modules (whose export lines are added to src/index.ts separately). A
 * `console.log(...)` whose trailing comment is a literal (`// true`, `// [30]`, `// 8 8 8`;
 * a trailing "(…)" or ": …" explanation is ignored) must print exactly that.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import * as index from '../../src/index.js';
import * as applications from './applications-lib.js';

const lib: Record<string, unknown> = { ...index, ...applications };

const files = [
  'task-sequence.ts',
  'forgetting.ts',
  'reversed-task.ts',
  'hierarchical-task.ts',
  'permuted-task.ts',
  'feature-flip.ts',
  'transfer.ts',
  'standard-init.ts',
];

/** The ```ts blocks inside doc comments, with the leading " * " removed. */
function examples(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
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
  const squeezed = text.replace(/\s+/g, '').replace(/'/g, '"');
  return /^[[\]0-9.,e+\-truefalsInity"a-z ]+$/i.test(text) ? squeezed : undefined;
}

let checked = 0;

describe('@example blocks of the application modules run', () => {
  afterAll(() => console.log(`application examples: ${checked} printed values checked against their comments`));
  for (const file of files) {
    const path = fileURLToPath(new URL(`../../src/applications/${file}`, import.meta.url));
    const blocks = examples(readFileSync(path, 'utf8'));
    it(`${file}: has examples`, () => expect(blocks.length).toBeGreaterThan(0));
    blocks.forEach((block, k) => {
      it(`${file} example ${k + 1} runs and prints what its comments say`, async () => {
        const js = ts.transpileModule(bindImports(block), {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        }).outputText;
        const printed: string[] = [];
        const fakeConsole = {
          log: (...args: unknown[]) => printed.push(args.map((a) => JSON.stringify(a)).join('').replace(/\s+/g, '')),
        };
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
          ...args: string[]
        ) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction('lib', 'console', js)(lib, fakeConsole);
        const promised = block.split('\n').filter((l) => /console\.log\(/.test(l));
        expect(printed.length).toBe(promised.length);
        promised.forEach((line, i) => {
          const want = expectedOutput(line);
          if (want !== undefined) {
            checked++;
            expect(printed[i], line).toBe(want);
          }
        });
      });
    });
  }
});
