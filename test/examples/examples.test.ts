/**
 * Every example runs in the test suite. For each examples/*.ts:
 * - if another test file already imports or runs it (mentions `examples/<name>`), it is
 *   covered there;
 * - otherwise, if it exports `main`, it is imported and `main` is called with a log
 *   collector, and its output is checked (specific checks for the examples known here);
 * - otherwise it is run with tsx and must exit 0 and print something.
 * Every configuration file in examples/configs/ runs with `exact-dln trajectory`.
 * The README's quick-start block is an example too: extracted, pointed at the sources and
 * run with tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const tmp = mkdtempSync(join(tmpdir(), 'exact-dln-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'))
  .sort();
const otherTests = testFiles(join(root, 'test'))
  .filter((f) => f !== __filename)
  .map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));
/** The other test files that import or run examples/<name>.ts. */
const coveringTests = (name: string): string[] =>
  otherTests.filter(({ text }) => new RegExp(`examples/${name}(\\.js|\\.ts)?['"\`]`).test(text)).map(({ file }) => file);

/** Checks of the output of the examples this file knows; others just have to print something. */
const checks: Record<string, (output: string, result: unknown) => void> = {
  'run-config': (output, worst) => {
    expect(output).toContain('σ = 3, 2, 1, 0.5');
    expect(output.split('\n').filter((l) => /^\s+\d+\.\d\s/.test(l))).toHaveLength(7);
    expect(worst as number).toBeLessThan(1e-2);
  },
  report: (output, files) => {
    expect(files).toEqual(expect.arrayContaining(['index.html', 'loss.svg', 'mode-strengths.svg', 'kernel-distance.svg', 'final-kernel-distance.svg', 'representations.svg']));
    expect(output).toContain('network 5×5×10');
    expect(output).toMatch(/wrote \d+ files to /);
  },
};

describe('examples/', () => {
  it('has examples, and those with checks here exist', () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const name of Object.keys(checks)) expect(examples).toContain(name);
  });

  const covered = examples.filter((name) => coveringTests(name).length > 0);
  it(`examples run by other tests: ${covered.join(', ') || 'none'}`, () => {
    for (const name of covered) expect(coveringTests(name).length, name).toBeGreaterThan(0);
  });

  for (const name of examples.filter((n) => !covered.includes(n))) {
    const file = join(root, 'examples', `${name}.ts`);
    it(`examples/${name}.ts runs and prints what it should`, async () => {
      const text = readFileSync(file, 'utf8');
      let output = '';
      let result: unknown;
      if (/export (async )?function main\(/.test(text)) {
        const mod = (await import(file)) as { main: (...args: unknown[]) => unknown };
        const log = (line: string): void => {
          output += `${line}\n`;
        };
        // main(log) or main(dir, log) (examples that write files take the folder first).
        result = await (mod.main.length >= 2 || /main\(dir: string/.test(text) ? mod.main(join(tmp, name), log) : mod.main(log));
      } else {
        output = execFileSync(tsx, [file], { cwd: tmp, encoding: 'utf8', timeout: 50_000 });
      }
      expect(output.trim().length).toBeGreaterThan(0);
      checks[name]?.(output, result);
    });
  }
});

describe('examples/configs/', () => {
  const dir = join(root, 'examples', 'configs');
  const configs = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it('has configuration files', () => expect(configs.length).toBeGreaterThanOrEqual(4));
  for (const config of configs) {
    it(`${config} is valid and runs with exact-dln trajectory`, async () => {
      let out = '';
      let err = '';
      const code = await run(['trajectory', '--config', join(dir, config), '--format', 'csv'], {
        out: (s) => void (out += s),
        err: (s) => void (err += s),
        cwd: tmp,
      });
      expect(code, err).toBe(0);
      const lines = out.trim().split('\n');
      expect(lines[0]).toMatch(/^t,loss,kernel_distance,mode_1/);
      expect(lines.length).toBeGreaterThan(2);
    });
  }
});

/** Runs TypeScript code written against the package, with its imports pointed at the sources. */
function runAgainstSources(code: string, name: string): string {
  const program = code
    .replace(/from 'exact-dln\/report';/g, `from ${JSON.stringify(join(root, 'src', 'report', 'index.ts'))};`)
    .replace(/from 'exact-dln\/parallel';/g, `from ${JSON.stringify(join(root, 'src', 'parallel', 'index.ts'))};`)
    .replace(/from 'exact-dln';/g, `from ${JSON.stringify(join(root, 'src', 'index.ts'))};`);
  const cwd = mkdtempSync(join(tmp, `${name}-`));
  const path = join(cwd, `${name}.mts`);
  writeFileSync(path, program);
  return execFileSync(tsx, [path], { cwd, encoding: 'utf8', timeout: 50_000 });
}

describe('code in the guides', () => {
  it('docs/getting-started.md: the trajectory example runs, learns the task (no saddle) and λ = 0 is rich', () => {
    const blocks = [...readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    expect(blocks).toHaveLength(5);
    const lines = runAgainstSources(blocks[0][1], 'getting-started').trim().split('\n');
    // Converged loss 0 (½‖Σyx‖² ≈ 4 to rounding), where the same seed without
    // matchDeterminantSign stops on the saddle ½σ_min² ≈ 0.016.
    expect(Number(lines.at(-2))).toBeLessThan(1e-20);
    // The comment's "≈ 0.3".
    expect(Number(lines.at(-1))).toBeGreaterThan(0.25);
    expect(Number(lines.at(-1))).toBeLessThan(0.35);
  });

  it("docs/getting-started.md: the curves of summaries and kernelDistanceTrajectory are the Snapshots' numbers", () => {
    const blocks = [...readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    // The second block goes on with the first one's network; its claims are printed as true/false.
    const lines = runAgainstSources(blocks[0][1] + blocks[1][1], 'getting-started-curves').trim().split('\n');
    expect(lines.slice(-2)).toEqual(['true', '4 true']);
  });

  it('docs/getting-started.md: a task sequence and a restart from the reached weights give the same final loss', () => {
    const blocks = [...readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    const [forgotten, learned, byHand] = runAgainstSources(blocks[2][1], 'getting-started-sequence').trim().split('\n').map(Number);
    // Task b is mostly learned in 2τ, task a (an unrelated random task) is forgotten.
    expect(learned).toBeGreaterThan(0);
    expect(forgotten).toBeGreaterThan(100 * learned);
    // Two routes to the same exact state (the sequence restarts from the factor): rounding apart.
    expect(Math.abs(byHand - learned)).toBeLessThanOrEqual(1e-10 * learned);
  });

  it("docs/getting-started.md: the pool gives the serial loss curve and Snapshots' matrices bit for bit, with the kernel distance", () => {
    const blocks = [...readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    // The second block goes on with the first one's network.
    const [same, strongest, matrices] = runAgainstSources(blocks[3][1] + blocks[4][1], 'getting-started-parallel').trim().split('\n');
    expect(same).toBe('true');
    expect(matrices).toBe('4 true 0'); // and the kernel distance at t = 0 is 0
    const [mode, rows] = strongest.split(' ').map(Number);
    expect(rows).toBe(64);
    expect(mode).toBeGreaterThan(0); // learned (the task's singular values are ≈ 1)
  });

  it('docs/figures.md: the code writes the five figures', () => {
    const blocks = [...readFileSync(join(root, 'docs', 'figures.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    expect(blocks).toHaveLength(2);
    const out = runAgainstSources(blocks[0][1] + "\nconsole.log((await import('node:fs')).readdirSync('.').filter((f) => f.endsWith('.svg')).sort().join(','));", 'figures');
    expect(out.trim()).toBe('final-kernel-distance.svg,kernel-distance.svg,loss.svg,mode-strengths.svg,representations.svg');
  });

  it('docs/figures.md: your own curves — the forgetting figure, with its two curves and two switch rules', () => {
    const blocks = [...readFileSync(join(root, 'docs', 'figures.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)];
    const out = runAgainstSources(
      blocks[1][1] + "\nconst svg = (await import('node:fs')).readFileSync('forgetting.svg', 'utf8');\nconsole.log(svg.split('aria-roledescription=\"line mark\"').length - 1, svg.split('aria-roledescription=\"rule mark\"').length - 1);",
      'figures-curves',
    );
    expect(out.trim()).toBe('2 2');
  });
});

describe('README.md', () => {
  it('the quick-start code block runs (with the exact-dln import pointed at the sources)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```ts\n([\s\S]*?)```/.exec(section);
    expect(block, 'a ```ts block under "## Quick start"').not.toBeNull();
    const code = block![1];
    expect(code).toMatch(/from 'exact-dln';/);
    const output = runAgainstSources(code, 'readme-quick-start');
    const losses = [...output.matchAll(/^t = (\S+): loss (\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(losses.map(([t]) => t)).toEqual([0, 1, 2, 4, 8]);
    for (let k = 1; k < losses.length; k++) expect(losses[k][1]).toBeLessThanOrEqual(losses[k - 1][1]);
    expect(losses[4][1]).toBeLessThan(1e-2 * losses[0][1]);
    expect(output).toContain('Matrix');
  });
});
