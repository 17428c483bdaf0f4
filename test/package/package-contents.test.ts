/**
 * What `npm install exact-dln` gives a user: the guides and the example configurations the
 * guides and `exact-dln --help` point to, and run-time dependencies that install on every
 * Node.js version package.json's "engines" promises (vega-lite 6.5.0 asked for Node ≥ 22,
 * and every install on Node 20 warned EBADENGINE; with engine-strict it would fail).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };

/** The lowest Node.js major version a `>=N` range admits (the only form used here). */
function lowestMajor(range: string, name: string): number {
  const m = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range.trim());
  expect(m, `${name}: engines.node "${range}" is of the form >=N`).not.toBeNull();
  return Number(m![1]);
}

describe('the npm package', () => {
  it('ships the guides, the schema and the example configurations they use', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = new Set((JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
    for (const guide of ['README.md', 'LICENSE', 'docs/getting-started.md', 'docs/cli.md', 'docs/model.md', 'docs/lazy-rich.md', 'docs/figures.md', 'docs/MATH.md', 'schema/run-config.schema.json']) {
      expect(files.has(guide), guide).toBe(true);
    }
    // Every examples/configs/… path the shipped guides name is in the package.
    const named = new Set<string>();
    for (const guide of [...files].filter((f) => f.endsWith('.md'))) {
      for (const m of readFileSync(join(root, guide), 'utf8').matchAll(/examples\/configs\/([\w.-]+\.(?:json|csv))/g)) named.add(`examples/configs/${m[1]}`);
    }
    expect(named.size).toBeGreaterThan(2);
    for (const f of named) expect(files.has(f), f).toBe(true);
    // Not the API reference build, the sources or the tests.
    expect([...files].filter((f) => /^(docs\/api|src|test|bench)\//.test(f))).toEqual([]);
  });

  it('every run-time dependency installs on the oldest Node.js that "engines" admits', () => {
    const ours = lowestMajor(pkg.engines.node, 'exact-dln');
    for (const name of Object.keys(pkg.dependencies)) {
      const dep = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { engines?: { node?: string } };
      if (dep.engines?.node === undefined) continue;
      expect(lowestMajor(dep.engines.node, name), `${name} requires node ${dep.engines.node}`).toBeLessThanOrEqual(ours);
    }
  });
});
