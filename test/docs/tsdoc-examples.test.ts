/**
 * The API reference is part of the product: every export of the core entry point has a
 * TSDoc comment with an `@example`, and every example runs. Examples are extracted from
 * the sources, their `import … from 'exact-dln'` lines are pointed at src/index.ts, and
 * each runs in its own scope in one tsx process (console output is captured).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const srcDir = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Example {
  file: string;
  code: string;
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const comment of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const lines = comment.split('\n').map((l) => l.replace(/^\s*\*( |$)/, '').replace(/^\s*\/\*\*\s?/, '').replace(/\*\/\s*$/, ''));
    const body = lines.join('\n');
    const at = body.indexOf('@example');
    if (at < 0) continue;
    const block = /```ts\n([\s\S]*?)```/.exec(body.slice(at));
    if (block) out.push({ file: relative(root, file), code: block[1] });
  }
  return out;
}

/** Rewrites `import { a, type B } from 'exact-dln'` into a dynamic import inside the scope. */
function toScoped(code: string, index: string): string | undefined {
  if (!/from 'exact-dln'/.test(code)) return undefined; // internal helpers' examples
  const body = code
    .replace(/^import type [^;]+;\s*$/gm, '')
    .replace(/^import \{([^}]*)\} from 'exact-dln';\s*$/gm, (_, names: string) => {
      const kept = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n && !n.startsWith('type '));
      return kept.length ? `const { ${kept.join(', ')} } = await import(${JSON.stringify(index)});` : '';
    });
  if (/^import /m.test(body)) return undefined;
  return body;
}

const files = sourceFiles(srcDir).filter((f) => !/[/\\](cli|report)[/\\]/.test(f));
const examples = files.flatMap(examplesOf);
const tmp = mkdtempSync(join(root, 'node_modules', '.tsdoc-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TSDoc examples', () => {
  it('every export of the core entry point has TSDoc with an @example', () => {
    const program = ts.createProgram([join(srcDir, 'index.ts')], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler });
    const checker = program.getTypeChecker();
    const index = program.getSourceFile(join(srcDir, 'index.ts'))!;
    const missing: string[] = [];
    for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      const decl = target.declarations?.[0];
      if (!decl || decl.getSourceFile().fileName.includes('node_modules')) continue; // re-exported Matrix
      const tags = ts.getJSDocTags(decl).map((t) => t.tagName.text);
      const isConst = ts.isVariableDeclaration(decl);
      const hasDoc = ts.getJSDocCommentsAndTags(isConst ? decl.parent.parent : decl).length > 0;
      const hasExample = tags.includes('example') || (isConst && hasDoc);
      if (!hasExample) missing.push(`${sym.name} (${relative(root, decl.getSourceFile().fileName)})`);
    }
    expect(missing, `exports without an @example: ${missing.join(', ')}`).toEqual([]);
  });

  it(`all ${examples.length} examples that import from 'exact-dln' run without throwing`, () => {
    const index = join(srcDir, 'index.ts');
    const runnable = examples.map((e) => ({ ...e, scoped: toScoped(e.code, index) })).filter((e) => e.scoped !== undefined);
    expect(runnable.length).toBeGreaterThan(50);
    const program = [
      'const results = [];',
      'const realLog = console.log;',
      ...runnable.map(
        (e, i) => `results.push(await (async () => { console.log = () => {}; try { ${e.scoped}\n; return { i: ${i}, ok: true }; } catch (err) { return { i: ${i}, ok: false, file: ${JSON.stringify(e.file)}, error: String(err && err.stack || err) }; } finally { console.log = realLog; } })());`,
      ),
      'realLog(JSON.stringify(results));',
    ].join('\n');
    const file = join(tmp, 'examples.mts');
    writeFileSync(file, program);
    const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [file], { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });
    const results = JSON.parse(out.trim().split('\n').at(-1)!) as Array<{ ok: boolean; file?: string; error?: string }>;
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((f) => `${f.file}: ${f.error?.split('\n')[0]}`)).toEqual([]);
    expect(results).toHaveLength(runnable.length);
  });
});
