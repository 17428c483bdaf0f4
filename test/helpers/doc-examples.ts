/**
 * Running the TSDoc `@example` blocks of the sources (STYLE.md: "examples are executed by
 * tests"). One home for the machinery the example tests share:
 *
 * - finding the ```ts blocks of a source file's doc comments ({@link docExamples});
 * - the exports of an entry point that lack an `@example` ({@link undocumentedExports});
 * - running many examples in one tsx process, their `import … from 'exact-dln'` (or
 *   'exact-dln/report') pointed at the sources ({@link runInTsx}), or one example in this
 *   process with a captured console ({@link runInProcess});
 * - checking that a `console.log(...)` prints the literal its trailing comment promises
 *   ({@link expectPrintedAsCommented}).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect } from 'vitest';

/** The repository root. */
export const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The entry points an example may import, by package specifier. */
export const entryPoints = {
  'exact-dln': join(root, 'src', 'index.ts'),
  'exact-dln/report': join(root, 'src', 'report', 'index.ts'),
  'exact-dln/parallel': join(root, 'src', 'parallel', 'index.ts'),
} as const;

/** Every .ts file below `dir`, depth first. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** One ```ts block of a doc comment; `file` is relative to the repository root. */
export interface DocExample {
  file: string;
  code: string;
}

/** The ```ts blocks inside the doc comments of `file`, with the leading " * " removed. */
export function docExamples(file: string): DocExample[] {
  const out: DocExample[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    let block: string[] | undefined;
    for (const line of m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''))) {
      if (block === undefined && line.trim() === '```ts') block = [];
      else if (block !== undefined && line.trim() === '```') {
        out.push({ file: relative(root, file), code: `${block.join('\n')}\n` });
        block = undefined;
      } else if (block !== undefined) block.push(line);
    }
  }
  return out;
}

/**
 * Rewrites an example's `import { a, type B } from 'module'` lines into `const { a } = <source>;`
 * (type-only imports are dropped), where `bind(module, names)` gives the source expression.
 * Returns undefined when `bind` refuses a module (returns undefined) or another form of
 * import is left.
 */
function rewriteImports(code: string, bind: (module: string, names: string[]) => string | undefined): string | undefined {
  let refused = false;
  const body = code
    .replace(/^import type [^;]+;\s*$/gm, '')
    .replace(/^import\s+\{([^}]*)\}\s+from\s+'([^']+)';?[ \t]*$/gm, (line, names: string, module: string) => {
      const values = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '' && !n.startsWith('type '));
      const source = bind(module, values);
      if (source === undefined) {
        refused = true;
        return line;
      }
      return values.length ? `const { ${values.join(', ')} } = ${source};` : '';
    });
  return refused || /^import /m.test(body) ? undefined : body;
}

/** Whether a declaration's TSDoc has an `@example` tag (for a variable, its statement's TSDoc). */
export function hasExample(decl: ts.Declaration): boolean {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return ts.getJSDocTags(node).some((t) => t.tagName.text === 'example');
}

/**
 * The number of exports of an entry point, and `name (file)` of each export whose first
 * (alias-resolved) declaration `documented` rejects; exports without a declaration are skipped.
 */
export function undocumentedExports(
  module: keyof typeof entryPoints,
  documented: (decl: ts.Declaration) => boolean,
): { exports: number; missing: string[] } {
  const entry = entryPoints[module];
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    resolveJsonModule: true,
  });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
  const missing: string[] = [];
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const decl = target.declarations?.[0];
    if (decl && !documented(decl)) missing.push(`${sym.name} (${relative(root, decl.getSourceFile().fileName)})`);
  }
  return { exports: exports.length, missing };
}

/** How {@link runInTsx} points an example's imports at the sources. */
export interface TsxOptions {
  /** The modules an example may import; one importing another is skipped. Default: any. */
  only?: string[];
  /** A last rewrite of each example's code. */
  adapt?: (code: string) => string;
  /** Where the program is written. */
  dir: string;
  /** Where tsx runs. */
  cwd: string;
}

/** The outcome of {@link runInTsx}. */
export interface TsxRun {
  /** The examples that ran. */
  ran: DocExample[];
  /** The examples skipped for an import they may not have. */
  skipped: DocExample[];
  /** How many of the examples that ran reported back. */
  reported: number;
  /** `file: first line of the error` for each example that threw. */
  failed: string[];
}

/**
 * Runs examples in one tsx process, each in its own async scope with console.log silenced,
 * after pointing their imports of 'exact-dln' and 'exact-dln/report' at the sources (other
 * modules are imported as they are).
 */
export function runInTsx(examples: DocExample[], options: TsxOptions): TsxRun {
  const { only, adapt = (code: string) => code, dir, cwd } = options;
  const ran: DocExample[] = [];
  const skipped: DocExample[] = [];
  for (const e of examples) {
    const code = rewriteImports(e.code, (module) =>
      only === undefined || only.includes(module)
        ? `await import(${JSON.stringify(entryPoints[module as keyof typeof entryPoints] ?? module)})`
        : undefined,
    );
    if (code === undefined) skipped.push(e);
    else ran.push({ file: e.file, code: adapt(code) });
  }
  const program = [
    'const results = [];',
    'const realLog = console.log;',
    ...ran.map(
      (e, i) =>
        `results.push(await (async () => { console.log = () => {}; try { ${e.code}\n; return { i: ${i}, ok: true }; } ` +
        `catch (err) { return { i: ${i}, ok: false, file: ${JSON.stringify(e.file)}, error: String((err && err.stack) || err) }; } ` +
        `finally { console.log = realLog; } })());`,
    ),
    'realLog(JSON.stringify(results));',
  ].join('\n');
  const file = join(dir, 'examples.mts');
  writeFileSync(file, program);
  const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { encoding: 'utf8', cwd, maxBuffer: 1 << 26 });
  const results = JSON.parse(out.trim().split('\n').at(-1)!) as Array<{ ok: boolean; file?: string; error?: string }>;
  return {
    ran,
    skipped,
    reported: results.length,
    failed: results.filter((r) => !r.ok).map((f) => `${f.file}: ${f.error?.split('\n')[0]}`),
  };
}

/** JSON, except that Infinity, -Infinity and NaN appear as console.log prints them (not as null). */
function show(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `__nonFinite:${v}` : v))?.replace(
    /"__nonFinite:(-?Infinity|NaN)"/g,
    '$1',
  );
}

/**
 * Runs one example in this process, its imports bound to `modules` (module name → its
 * exports, by default `lib` for 'exact-dln'; every imported name must be there), and returns
 * what each console.log printed: its arguments JSON-encoded ({@link show}) and joined,
 * without whitespace.
 */
export async function runInProcess(code: string, lib: Record<string, unknown>, others: Record<string, Record<string, unknown>> = {}): Promise<string[]> {
  const modules: Record<string, Record<string, unknown>> = { 'exact-dln': lib, ...others };
  const bound = rewriteImports(code, (module, names) => {
    if (!(module in modules)) return undefined;
    for (const n of names) expect(modules[module], `example imports ${n}`).toHaveProperty(n);
    return `modules[${JSON.stringify(module)}]`;
  });
  expect(bound, `an example imports only from ${Object.keys(modules).join(', ')}:\n${code}`).toBeDefined();
  const js = ts.transpileModule(bound!, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const printed: string[] = [];
  // (A string argument prints as console.log prints it, without quotes.)
  const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map((a) => (typeof a === 'string' ? a : show(a))).join('').replace(/\s+/g, '')) };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('modules', 'console', js)(modules, fakeConsole);
  return printed;
}

/**
 * The literal a `console.log(...);` line promises in its trailing comment (`// true`,
 * `// [30]`, `// 8 8 8`, `// 'root'`; a trailing "(…)" or ": …" explanation is ignored),
 * without whitespace, or undefined if the comment is prose.
 */
export function expectedOutput(line: string): string | undefined {
  const m = /console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line);
  if (!m) return undefined;
  const text = m[1].replace(/\s*\(.*\)\s*$/, '').replace(/:.*$/, '').trim();
  const squeezed = text.replace(/\s+/g, '').replace(/'/g, '"');
  return /^[[\]0-9.,e+\-truefalsInity"a-z ]+$/i.test(text) ? squeezed : undefined;
}

/**
 * Expects one printed line per console.log of `code`, and each line whose comment is a
 * literal to print exactly that. Only an example that logs in a loop may print another
 * number of lines, and then none of its console.log lines may promise a literal. Returns
 * how many printed values were checked.
 */
export function expectPrintedAsCommented(code: string, printed: string[]): number {
  const promised = code.split('\n').filter((l) => /console\.log\(/.test(l));
  if (printed.length !== promised.length) {
    expect(/\bfor\s*\(|\.forEach\(|\bwhile\s*\(/.test(code), 'an example without loops prints once per console.log').toBe(true);
    expect(promised.filter((l) => expectedOutput(l) !== undefined), 'literal comments of an example that logs in a loop').toEqual([]);
    return 0;
  }
  let checked = 0;
  promised.forEach((line, i) => {
    const want = expectedOutput(line);
    if (want !== undefined) {
      checked++;
      expect(printed[i], line).toBe(want);
    }
  });
  return checked;
}
