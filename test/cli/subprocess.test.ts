/**
 * The command-line tool as a real process (`tsx src/cli/main.ts`, as `npm run demo` runs
 * it): exit codes and streams as a shell sees them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_CONFIG, cleanup, parseCsv, tempDir, writeJson } from './helpers.js';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'src', 'cli', 'main.ts');

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeJson(dir, 'run.json', SMALL_CONFIG);
});
afterAll(() => cleanup(dir));

function exactDln(...args: string[]) {
  const r = spawnSync(tsx, [main, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('exact-dln as a process', () => {
  it('trajectory writes CSV to a file and exits 0', () => {
    const r = exactDln('trajectory', '--config', 'run.json', '--out', 't.csv');
    expect(r.code, r.err).toBe(0);
    expect(parseCsv(readFileSync(join(dir, 't.csv'), 'utf8')).rows).toHaveLength(11);
  });

  it('exits 1 for a bad config and 2 for an unknown option, with the message on stderr', () => {
    writeJson(dir, 'bad.json', { ...SMALL_CONFIG, weights: { ...SMALL_CONFIG.weights, lambda: 'one' } });
    const bad = exactDln('trajectory', '--config', 'bad.json');
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toContain('config.weights.lambda must be number');
    const usage = exactDln('sweep', '--bogus');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("unknown option '--bogus'");
  });
});

describe('exact-dln whose reader stops early', () => {
  it('ends quietly with exit code 0 (no EPIPE stack trace) when `| head` closes the pipe', () => {
    // 20 000 time points as JSON is several megabytes, far more than a pipe buffers, so the
    // writer is still writing when `head` exits after the first 100 bytes.
    writeJson(dir, 'long.json', { ...SMALL_CONFIG, times: { from: 0, to: 5, count: 20_000 } });
    const r = spawnSync('bash', ['-c', `"${tsx}" "${main}" trajectory --config long.json | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toContain('Error');
    expect(r.stderr.trim()).toBe('exit=0');
  });

  it('still writes the files of a command whose product is files (demo, --out): `demo | true` leaves the report', () => {
    // `true` reads nothing and exits at once, so the demo's first line to stdout meets a closed
    // pipe; it used to end the program there with exit code 0 and no report.
    const r = spawnSync('bash', ['-c', `"${tsx}" "${main}" demo --out rep --quiet | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr.trim()).toBe('exit=0');
    expect(readFileSync(join(dir, 'rep', 'index.html'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(dir, 'rep', 'summary.csv'), 'utf8').split('\n').length).toBeGreaterThan(5);
  });

  it('a full disk on standard output is one line and exit code 1, not a stack trace', () => {
    const r = spawnSync('bash', ['-c', `"${tsx}" "${main}" trajectory --config run.json > /dev/full`], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^exact-dln: cannot write to standard output: .*ENOSPC/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('Ctrl-C during a long --out run: exit code 130 and no temporary file left (hidden .tmp files of tens of MB were)', async () => {
    const sub = join(dir, 'interrupted');
    mkdirSync(sub);
    writeJson(sub, 'long.json', { ...SMALL_CONFIG, times: { from: 0, to: 5, count: 3_000_000 } });
    // One process, as the installed bin (node dist/cli.js) is: tsx's own CLI runs the program
    // in a child of its own and answers Ctrl-C itself.
    const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, main, 'trajectory', '--config', 'long.json', '--format', 'csv', '--out', 'long.csv'], { cwd: sub, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the temporary file is being written.
    for (let k = 0; k < 600 && !readdirSync(sub).some((f) => f.endsWith('.tmp')); k++) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(sub).some((f) => f.endsWith('.tmp')), 'the run started writing').toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(sub).sort()).toEqual(['long.json']);
    expect(existsSync(join(sub, 'long.csv'))).toBe(false);
  }, 90_000);
});
