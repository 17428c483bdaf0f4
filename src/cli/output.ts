/**
 * Writing a command's result: to `--out FILE` atomically, or to standard output; JSON or
 * CSV chosen by `--format` or by the file extension.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ExactDlnError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { UsageError, type CliIo } from './io.js';

/** The output formats of the data commands. */
export type OutputFormat = 'json' | 'csv';

/** `--format` if given, else `csv` for an `--out` ending in `.csv`, else `json`. */
export function chooseFormat(format: OutputFormat | undefined, out: string | undefined): OutputFormat {
  if (format !== undefined) return format;
  return out !== undefined && extname(out).toLowerCase() === '.csv' ? 'csv' : 'json';
}

/** Checks early that the folder of `--out` exists, so that no work is wasted. */
export async function checkOutPath(io: CliIo, out: string | undefined, option = '--out <file>'): Promise<string | undefined> {
  if (out === undefined) return undefined;
  const path = resolve(io.cwd, out);
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) {
    throw new UsageError(`option '${option}': the folder ${dirname(path)} does not exist.`);
  }
  // A folder at the path itself used to fail only at the end, after all the computing, with
  // the rename's raw EISDIR.
  if ((await stat(path).catch(() => undefined))?.isDirectory() === true) {
    throw new UsageError(`option '${option}': ${path} is a folder; give a file name.`);
  }
  return path;
}

/**
 * Checks early that the folder `--out <dir>` can be created or reused: it is a folder, or
 * its nearest existing ancestor is one.
 */
export async function checkOutFolder(io: CliIo, out: string, option = '--out'): Promise<string> {
  const path = resolve(io.cwd, out);
  for (let p = path; ; p = dirname(p)) {
    const info = await stat(p).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory()) throw new UsageError(`option '${option} <dir>': cannot create the folder ${path}: ${p} is not a folder.`);
      return path;
    }
    if (dirname(p) === p) return path;
  }
}

/** Writes `text` to `path` (atomically) or, without a path, to standard output. */
export async function emit(io: CliIo, path: string | undefined, text: string): Promise<void> {
  if (path === undefined) io.out(text);
  else await writeFileAtomic(path, text);
}

/** Formats a number for CSV: the shortest text that reads back to the same double. */
export function csvNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** A CSV document from a header and rows of numbers; refuses non-finite ones ({@link toJson}). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<number>>): string {
  rows.forEach((r, k) => r.forEach((x, j) => assertFiniteOutput(x, `${header[j] ?? `column ${j + 1}`} in row ${k + 1}`)));
  return [header.join(','), ...rows.map((r) => r.map(csvNumber).join(','))].join('\n') + '\n';
}

/**
 * A JSON document (two-space indent, final newline). Every number the commands output is
 * finite when it can be computed; one that is not has overflowed double precision (weights of
 * 1e100 make losses of 1e400), and JSON would have turned it silently into `null`: refused,
 * naming the field.
 */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      function (this: unknown, key: string, x: unknown) {
        if (typeof x === 'number') assertFiniteOutput(x, key === '' ? 'the result' : `\`${key}\``);
        return x;
      },
      2,
    ) + '\n'
  );
}

function assertFiniteOutput(x: number, what: string): void {
  if (!Number.isFinite(x)) {
    throw new ExactDlnError(
      `cannot write ${what} = ${x}: the computation left the range of double precision (weights, λ or task values far from ` +
        'the usual range — e.g. weights of 1e100 make losses of 1e400, weights of 1e-200 products of 0 — or a diverging ' +
        'gradient descent); bring them nearer to 1, or lower the learning rate.',
    );
  }
}
