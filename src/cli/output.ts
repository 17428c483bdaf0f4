/**
 * Writing a command's result: to `--out FILE` atomically, or to standard output; JSON or
 * CSV chosen by `--format` or by the file extension.
 *
 * @module
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
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
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw new UsageError(`option '${option}': ${path} is a folder; give a file name.`);
  }
  // A new or replaced regular file is written next to it first: its folder must take new
  // files (this failed only at the end, with EACCES on a hidden temporary file).
  if (existing === undefined || existing.isFile()) {
    const folder = dirname(await realpath(path).catch(() => path));
    if (await access(folder, constants.W_OK).then(() => false, () => true)) {
      throw new UsageError(`option '${option}': cannot write in the folder ${folder} (permission denied).`);
    }
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

/**
 * A command's output document: one string, or its text in pieces, produced while it is
 * written. A trajectory of millions of rows, or of thousands of 128×128 matrices, is
 * hundreds of megabytes of text — more than the longest string JavaScript can hold (about
 * 512 MB: such runs used to end in "Invalid string length" after all the computing) — and
 * its pieces let the numbers behind them be computed, written and dropped part by part.
 */
export type OutputDocument = string | Iterable<string> | AsyncIterable<string>;

/** Pieces of about this many characters are written at a time (fewer, larger writes). */
const WRITE_PIECE = 1 << 20;

/** `document`'s pieces joined into pieces of about {@link WRITE_PIECE} characters, in order. */
async function* batched(document: OutputDocument): AsyncGenerator<string> {
  if (typeof document === 'string') {
    yield document;
    return;
  }
  let buffer = '';
  for await (const piece of document) {
    buffer += piece;
    if (buffer.length >= WRITE_PIECE) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

/**
 * Writes `document` to `path` (atomically: on any error, also one thrown while its pieces
 * are produced, no file is left) or, without a path, to standard output, piece by piece.
 * On standard output an error while producing the pieces ends the output where it is (and
 * the command fails with the error); the first {@link WRITE_PIECE} characters are held back,
 * so a shorter document is written whole or not at all.
 */
export async function emit(io: CliIo, path: string | undefined, document: OutputDocument): Promise<void> {
  if (path !== undefined) {
    await writeFileAtomic(path, batched(document));
    return;
  }
  for await (const piece of batched(document)) await io.out(piece); // waits while a pipe is full
}

/** `f` of each item of `items`, produced as they are. */
export async function* mapped<T, U>(items: Iterable<T> | AsyncIterable<T>, f: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield f(item);
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
 * The CSV document of {@link toCsv} in pieces, from rows produced as it is written: each row
 * is checked ({@link toCsv}'s refusal) and formatted as it comes, and dropped.
 */
export async function* csvDocument(
  header: readonly string[],
  rows: Iterable<ReadonlyArray<number>> | AsyncIterable<ReadonlyArray<number>>,
): AsyncGenerator<string> {
  yield header.join(',') + '\n';
  let k = 0;
  for await (const r of rows) {
    k++;
    r.forEach((x, j) => assertFiniteOutput(x, `${header[j] ?? `column ${j + 1}`} in row ${k}`));
    yield r.map(csvNumber).join(',') + '\n';
  }
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

/**
 * `toJson({ ...head, [key]: items })` — the same text, byte for byte — in pieces, from items
 * produced as it is written: the fields of `head` first, then the list under `key`, one item
 * at a time (each item checked as {@link toJson} checks, formatted and dropped). `key` must
 * not be a field of `head`.
 */
export async function* jsonDocument(
  head: Readonly<Record<string, unknown>>,
  key: string,
  items: Iterable<unknown> | AsyncIterable<unknown>,
): AsyncGenerator<string> {
  let text = '{\n';
  for (const [field, value] of Object.entries(head)) {
    const json = indented(value, field, '  ');
    if (json !== undefined) text += `  ${JSON.stringify(field)}: ${json},\n`;
  }
  yield text + `  ${JSON.stringify(key)}: [`;
  let k = 0;
  for await (const item of items) {
    yield `${k === 0 ? '\n' : ',\n'}    ${indented(item, `${key}[${k}]`, '    ') ?? 'null'}`;
    k++;
  }
  yield k === 0 ? ']\n}\n' : '\n  ]\n}\n';
}

/**
 * JSON.stringify(value, …, 2) as it reads `indent` deep in a document (its lines after the
 * first indented), with {@link toJson}'s refusal of non-finite numbers naming `where`;
 * undefined where JSON.stringify leaves the value out.
 */
function indented(value: unknown, where: string, indent: string): string | undefined {
  const json = JSON.stringify(
    value,
    function (this: unknown, key: string, x: unknown) {
      if (typeof x === 'number') assertFiniteOutput(x, key === '' ? `\`${where}\`` : /^\d+$/.test(key) ? `an entry of a list in \`${where}\`` : `\`${key}\` in \`${where}\``);
      return x;
    },
    2,
  ) as string | undefined;
  return json?.replace(/\n/g, `\n${indent}`);
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
