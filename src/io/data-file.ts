/**
 * Reading training data (one sample per row) from CSV or JSON files into the matrices
 * X (Ni×P) and Y (No×P) that `taskFromData` takes.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { assertTextFile, ConfigError, readFailure } from './config-error.js';
import { InvalidArgumentError } from '../errors.js';
import { describe, isDecimalNumber } from '../validation.js';
import { assertStrings } from '../report/guards.js';

/**
 * Samples read from a data file: inputs and targets with one column per sample.
 *
 * @example
 * ```ts
 * import type { DataColumns } from 'exact-dln/report';
 * const d: DataColumns = { X: [[1, -1]], Y: [[2, -2]], samples: 2 };
 * ```
 */
export interface DataColumns {
  /** Inputs, Ni×P (row i is input column i of the file). */
  X: number[][];
  /** Targets, No×P. */
  Y: number[][];
  /** P, the number of samples (data rows). */
  samples: number;
}

/** One parsed CSV record with the 1-based line it starts on. */
interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text (RFC 4180: comma-separated, fields optionally in double quotes with ""
 * for a literal quote, LF or CRLF line ends) into records. Blank lines are skipped.
 */
function csvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = (): void => {
    if (fields.length > 0 || fieldStarted || field !== '') {
      fields.push(field);
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '"') {
        if (text[k + 1] === '"') {
          field += '"';
          k++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[k + 1] === '\n') k++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (fields.length === 0 && field === '' && !fieldStarted) recordLine = line;
      field += c;
    }
  }
  if (quoted) throw new ConfigError(`${file} line ${recordLine}: a quoted field is not closed (missing ").`, `${file} line ${recordLine}`);
  endRecord();
  return records;
}

function columnIndices(header: string[], wanted: readonly string[], field: string, file: string): number[] {
  return wanted.map((name, k) => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new ConfigError(
        `config.task.${field}[${k}]: column ${JSON.stringify(name)} is not in ${file} (its columns are ${header.map((h) => JSON.stringify(h)).join(', ')}).`,
        `config.task.${field}[${k}]`,
      );
    }
    if (header.indexOf(name, index + 1) >= 0) {
      // (The first of them was taken without a word.)
      throw new ConfigError(
        `config.task.${field}[${k}]: ${file} has more than one column named ${JSON.stringify(name)} (columns ${index + 1} and ${header.indexOf(name, index + 1) + 1}); rename one of them.`,
        `config.task.${field}[${k}]`,
      );
    }
    return index;
  });
}

/**
 * Parses CSV text with a header row into the columns `inputColumns` (→ X) and
 * `outputColumns` (→ Y). Every data row must have as many fields as the header and every
 * selected field must be a finite number; errors name the file, the line and the column.
 *
 * @param text - the CSV text.
 * @param inputColumns - header names of the input columns, in order.
 * @param outputColumns - header names of the target columns, in order.
 * @param file - the file name used in error messages (default `data.csv`).
 * @returns X (Ni×P), Y (No×P) and P.
 * @throws {@link ConfigError} for a missing or repeated column, a short or long row, a
 *   non-numeric value or a file without data rows.
 * @example
 * ```ts
 * import { parseCsvData } from 'exact-dln/report';
 * const d = parseCsvData('x1,x2,y\n1,1,2\n-1,1,0\n', ['x1', 'x2'], ['y']);
 * console.log(d.X, d.Y); // [[1, -1], [1, 1]] [[2, 0]]
 * ```
 */
export function parseCsvData(text: string, inputColumns: readonly string[], outputColumns: readonly string[], file = 'data.csv'): DataColumns {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(`invalid argument. parseCsvData expects \`text\` to be the file's contents as a string. Value: ${describe(text)}.`, 'text');
  }
  assertStrings(inputColumns, 'inputColumns', 'parseCsvData');
  assertStrings(outputColumns, 'outputColumns', 'parseCsvData');
  const records = csvRecords(text.replace(/^\uFEFF/, ''), file);
  if (records.length === 0) throw new ConfigError(`${file} is empty: expected a header row and one row per sample.`, file);
  const header = records[0].fields.map((h) => h.trim());
  const inputs = columnIndices(header, inputColumns, 'inputColumns', file);
  const outputs = columnIndices(header, outputColumns, 'outputColumns', file);
  const rows = records.slice(1);
  if (rows.length === 0) throw new ConfigError(`${file} has a header but no data rows: expected one row per sample.`, file);
  const X: number[][] = inputs.map(() => []);
  const Y: number[][] = outputs.map(() => []);
  for (const { line, fields } of rows) {
    if (fields.length !== header.length) {
      throw new ConfigError(
        `${file} line ${line}: expected ${header.length} comma-separated fields (as in the header), got ${fields.length}.`,
        `${file} line ${line}`,
      );
    }
    const value = (index: number): number => {
      const raw = fields[index].trim();
      // Decimal numbers only: Number() also reads "0x10" as 16, "0b11" as 3 and "1_0" as NaN.
      const x = isDecimalNumber(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(x)) {
        throw new ConfigError(
          `${file} line ${line}: column ${JSON.stringify(header[index])} must be a finite number, got ${JSON.stringify(fields[index])}.`,
          `${file} line ${line}`,
        );
      }
      return x;
    };
    inputs.forEach((index, i) => X[i].push(value(index)));
    outputs.forEach((index, o) => Y[o].push(value(index)));
  }
  return { X, Y, samples: rows.length };
}

/**
 * Parses JSON data: an array with one object per sample, e.g.
 * `[{ "x1": 1, "x2": -1, "y": 0 }, …]`. Errors name the file, the sample's index and the
 * field.
 *
 * @param text - the JSON text.
 * @param inputColumns - the input field names, in order.
 * @param outputColumns - the target field names, in order.
 * @param file - the file name used in error messages (default `data.json`).
 * @returns X (Ni×P), Y (No×P) and P.
 * @throws {@link ConfigError} for invalid JSON, a non-array, a sample that is not an object,
 *   a missing field or a non-numeric value.
 * @example
 * ```ts
 * import { parseJsonData } from 'exact-dln/report';
 * const d = parseJsonData('[{"a": 1, "b": 2}, {"a": -1, "b": -2}]', ['a'], ['b']);
 * console.log(d.samples); // 2
 * ```
 */
export function parseJsonData(text: string, inputColumns: readonly string[], outputColumns: readonly string[], file = 'data.json'): DataColumns {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(`invalid argument. parseJsonData expects \`text\` to be the file's contents as a string. Value: ${describe(text)}.`, 'text');
  }
  assertStrings(inputColumns, 'inputColumns', 'parseJsonData');
  assertStrings(outputColumns, 'outputColumns', 'parseJsonData');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`${file} must be a non-empty array with one object per sample, e.g. [{"x1": 1, "y": 2}, …].`, file);
  }
  const X: number[][] = inputColumns.map(() => []);
  const Y: number[][] = outputColumns.map(() => []);
  value.forEach((sample: unknown, p) => {
    if (sample === null || typeof sample !== 'object' || Array.isArray(sample)) {
      throw new ConfigError(`${file} sample [${p}] must be an object of named numbers, got ${JSON.stringify(sample)}.`, `${file}[${p}]`);
    }
    const get = (name: string): number => {
      const x = (sample as Record<string, unknown>)[name];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new ConfigError(
          `${file} sample [${p}] field ${JSON.stringify(name)} must be a finite number, got ${x === undefined ? 'nothing (missing)' : JSON.stringify(x)}.`,
          `${file}[${p}].${name}`,
        );
      }
      return x;
    };
    inputColumns.forEach((name, i) => X[i].push(get(name)));
    outputColumns.forEach((name, o) => Y[o].push(get(name)));
  });
  return { X, Y, samples: value.length };
}

/**
 * Reads a `.csv` or `.json` data file (one sample per row/object) and extracts the input and
 * target columns.
 *
 * @param path - the file (its extension picks the format).
 * @param inputColumns - the input column names, in order.
 * @param outputColumns - the target column names, in order.
 * @returns X (Ni×P), Y (No×P) and P.
 * @throws {@link ConfigError} if the file cannot be read or is malformed (the message names
 *   the line or sample and the column).
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { readDataFile } from 'exact-dln/report';
 * writeFileSync('/tmp/exact-dln-data.csv', 'x,y\n1,2\n-1,-2\n');
 * const d = await readDataFile('/tmp/exact-dln-data.csv', ['x'], ['y']);
 * console.log(d.X, d.Y); // [[1, -1]] [[2, -2]]
 * ```
 */
export async function readDataFile(path: string, inputColumns: readonly string[], outputColumns: readonly string[]): Promise<DataColumns> {
  const name = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config.task.data: cannot read ${path}: ${readFailure(error)}.`, 'config.task.data');
  }
  assertTextFile(text, path, 'config.task.data');
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return parseCsvData(text, inputColumns, outputColumns, name);
  if (ext === '.json') return parseJsonData(text, inputColumns, outputColumns, name);
  throw new ConfigError(`config.task.data must name a .csv or .json file, got ${JSON.stringify(path)}.`, 'config.task.data');
}
