/**
 * The error thrown for a bad configuration or data file.
 *
 * @module
 */
import { ExactDlnError } from '../errors.js';

/**
 * A configuration file or data file is invalid. The message names the file and the field
 * (e.g. `config.weights.lambda must be number`) or the line of a CSV file and what was
 * expected; `field` holds the field path alone (`config.weights.lambda`, or the file and
 * line for data files).
 *
 * @example
 * ```ts
 * import { ConfigError, parseRunConfig } from 'exact-dln/report';
 * try {
 *   parseRunConfig({ weights: { inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 'one', seed: 1 }, task: { random: { samples: 10, seed: 1 } } });
 * } catch (e) {
 *   if (e instanceof ConfigError) console.log(e.message); // config.weights.lambda must be number
 * }
 * ```
 */
export class ConfigError extends ExactDlnError {
  /** The offending field (`config.task.sigmaYX`) or location (`data.csv line 7`). */
  readonly field: string;

  constructor(message: string, field: string) {
    super(message, field);
    this.field = field;
  }
}

/**
 * Why a file could not be read, in words (the bare code, "EISDIR" or "ENOENT", said little):
 * "it does not exist (ENOENT)", "it is a folder, not a file (EISDIR)", …
 *
 * @internal
 */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'it does not exist',
    EISDIR: 'it is a folder, not a file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of its path is not a folder',
  };
  if (code !== undefined && Object.hasOwn(words, code)) return `${words[code]} (${code})`;
  return code ?? (error as Error).message;
}

/**
 * Throws a ConfigError (naming `field`) when `text`, read from `path` as UTF-8, holds NUL
 * characters: the file is UTF-16 (as some Windows editors save it) or binary, which read
 * as garbled column names and "Unexpected token" before.
 *
 * @internal
 */
export function assertTextFile(text: string, path: string, field: string): void {
  if (text.includes('\u0000')) {
    throw new ConfigError(`${field}: ${path} is not UTF-8 text (it holds NUL characters: UTF-16, or not text at all); save it as UTF-8.`, field);
  }
}
