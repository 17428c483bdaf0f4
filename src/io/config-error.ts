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
