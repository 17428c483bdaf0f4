/**
 * Helpers for the CLI tests: run the command-line tool in-process and capture its output,
 * and make temporary folders with configuration files.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `exact-dln ...argv` in-process with `cwd` as the working folder. */
export async function cli(argv: string[], cwd: string, extra: Partial<CliIo> = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    cwd,
    ...extra,
  });
  return { code, out, err };
}

/** A fresh temporary folder; remove it with `cleanup`. */
export function tempDir(prefix = 'exact-dln-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `value` as JSON to `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** The entries of a folder (sorted), to check that nothing was left behind. */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** A small generated-weights configuration (3×3×3, λ = 1) on a random task. */
export const SMALL_CONFIG = {
  weights: { inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 2 },
  task: { random: { samples: 30, seed: 1 } },
  times: { from: 0, to: 5, count: 11 },
};

/** Parses CSV text (no quoting) into a header and rows of numbers. */
export function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

/** A terminal for progress bars (isTTY, 100 columns) that keeps what is drawn on it. */
export function fakeTerminal(): { stream: NodeJS.WritableStream; drawn: () => string } {
  let drawn = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        drawn += String(chunk);
        done();
      },
    }),
    { isTTY: true, columns: 100 },
  );
  return { stream, drawn: () => drawn };
}
