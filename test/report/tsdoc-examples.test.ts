/**
 * The API reference of 'exact-dln/report': every export has TSDoc with an `@example`, and
 * every example in src/report, src/io and src/cli runs. Imports from 'exact-dln' and
 * 'exact-dln/report' are pointed at the sources, paths under /tmp at a temporary folder,
 * and all examples run in their own scopes in one tsx process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const folders = ['report', 'io', 'cli'].map((f) => join(root, 'src', f));
const modules: Record<string, string> = {
  'exact-dln': join(root, 'src', 'index.ts'),
  'exact-dln/report': join(root, 'src', 'report', 'index.ts'),
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function examplesOf(file: string): { file: string; code: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { file: string; code: string }[] = [];
  for (const comment of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const body = comment
      .split('\n')
      .map((l) => l.replace(/^\s*\/\*\*\s?/, '').replace(/\*\/\s*$/, '').replace(/^\s*\*( |$)/, ''))
      .join('\n');
    const at = body.indexOf('@example');
    if (at < 0) continue;
    const block = /```ts\n([\s\S]*?)```/.exec(body.slice(at));
    if (block) out.push({ file: relative(root, file), code: block[1] });
  }
  return out;
}

/** Turns the example's import lines into dynamic imports inside its scope. */
function scoped(code: string, tmp: string): string {
  return code
    .replace(/^import type [^;]+;\s*$/gm, '')
    .replace(/^import \{([^}]*)\} from '([^']+)';\s*$/gm, (_, names: string, from: string) => {
      const kept = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n && !n.startsWith('type '));
      return kept.length ? `const { ${kept.join(', ')} } = await import(${JSON.stringify(modules[from] ?? from)});` : '';
    })
    .replace(/'\/tmp\//g, `'${tmp}/`);
}

const tmp = mkdtempSync(join(tmpdir(), 'exact-dln-report-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TSDoc of exact-dln/report', () => {
  it('every export of src/report/index.ts has TSDoc with an @example', () => {
    const entry = modules['exact-dln/report'];
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
      if (!decl) continue;
      const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
      const tags = ts.getJSDocTags(node).map((t) => t.tagName.text);
      if (!tags.includes('example')) missing.push(`${sym.name} (${relative(root, decl.getSourceFile().fileName)})`);
    }
    expect(exports.length).toBeGreaterThan(30);
    expect(missing, `exports without an @example: ${missing.join(', ')}`).toEqual([]);
  });

  it('every example runs without throwing', () => {
    const examples = folders.flatMap(sourceFiles).flatMap(examplesOf);
    expect(examples.length).toBeGreaterThan(30);
    const program = [
      'const results = [];',
      'const realLog = console.log;',
      ...examples.map(
        (e, i) =>
          `results.push(await (async () => { console.log = () => {}; try { ${scoped(e.code, tmp)}\n; return { ok: true }; } ` +
          `catch (err) { return { ok: false, file: ${JSON.stringify(e.file)}, error: String((err && err.stack) || err) }; } ` +
          `finally { console.log = realLog; } })());`,
      ),
      'realLog(JSON.stringify(results));',
    ].join('\n');
    const file = join(tmp, 'examples.mts');
    writeFileSync(file, program);
    const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { encoding: 'utf8', cwd: tmp, maxBuffer: 1 << 26 });
    const results = JSON.parse(out.trim().split('\n').at(-1)!) as Array<{ ok: boolean; file?: string; error?: string }>;
    expect(results).toHaveLength(examples.length);
    expect(results.filter((r) => !r.ok).map((f) => `${f.file}: ${f.error?.split('\n')[0]}`)).toEqual([]);
  });
});
