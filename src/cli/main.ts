#!/usr/bin/env node
/**
 * The `exact-dln` command-line tool: `run(argv, io)` parses the arguments with commander
 * and runs one command (`demo`, `trajectory`, `sweep`, `simulate`), returning the exit
 * code: 0 on success, 2 on bad usage, 1 on failure. Run directly (`tsx src/cli/main.ts`,
 * or the `exact-dln` bin), it calls `run` on the process's arguments and exits.
 *
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { ExactDlnError } from '../errors.js';
import { removeTemporaries } from '../io/atomic-write.js';
import { registerDemo } from './demo.js';
import { processIo, UsageError, type CliIo } from './io.js';
import { registerSimulate } from './simulate.js';
import { registerSweep } from './sweep.js';
import { registerTrajectory } from './trajectory.js';

/**
 * Exit codes of the command-line tool.
 *
 * @example
 * ```ts
 * import { EXIT_CODES } from 'exact-dln/report';
 * console.log(EXIT_CODES.usage); // 2
 * ```
 */
export const EXIT_CODES = Object.freeze({ success: 0, failure: 1, usage: 2 });

const EXAMPLES = `
Examples:
  $ exact-dln demo                                  # the lazy-to-rich study, report in ./report
  $ exact-dln trajectory --config run.json --format csv
  $ exact-dln sweep --lambdas=-10,0,10 --heatmap sweep.svg
  $ exact-dln simulate --config run.json --learning-rate 0.001

Exit codes: 0 success, 1 failure (bad config or data file, library error), 2 bad usage.
Documentation: docs/cli.md.
`;

/**
 * Runs the command-line tool on `argv` (the arguments after the program name, e.g.
 * `['trajectory', '--config', 'run.json']`) and returns the exit code: 0 on success (and
 * for `--help`/`--version`), 2 on bad usage (unknown command or option, missing required
 * option, bad option value), 1 on failure (bad config or data file, library error). Errors
 * are written to `io.err`; nothing partial is left at `--out` on failure.
 *
 * @param argv - the arguments, without `node` and the script.
 * @param io - where output goes and which folder relative paths resolve against (default:
 *   the process's stdout, stderr and working folder).
 * @returns the exit code.
 * @example
 * ```ts
 * import { run } from 'exact-dln/report';
 * let out = '';
 * const code = await run(['sweep', '--lambdas=-4,0,4', '--scales', '0.05', '--format', 'csv'], {
 *   out: (s) => { out += s; }, err: () => {}, cwd: process.cwd(),
 * });
 * console.log(code, out.split('\n')[0]); // 0 lambda,scale,kernel_distance,…
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command('exact-dln')
    .description('Exact learning dynamics of two-layer linear networks from λ-balanced initialisations.')
    .version(pkg.version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXAMPLES);
  registerDemo(program, io);
  registerTrajectory(program, io);
  registerSweep(program, io);
  registerSimulate(program, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.success;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.success;
      if (error.code === 'commander.help' && error.exitCode === 0) return EXIT_CODES.success;
      return EXIT_CODES.usage;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n(add --help for usage)\n`);
      return EXIT_CODES.usage;
    }
    if (error instanceof ExactDlnError) {
      io.err(`${prefixed(error.message)}\n`);
      return EXIT_CODES.failure;
    }
    const e = error as NodeJS.ErrnoException;
    io.err(`${prefixed(e?.message ?? String(error))}\n`);
    return EXIT_CODES.failure;
  }
}

/** True when this file is the program being run (not imported). */
function isMain(): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * What happens when the program's output streams fail. A reader that stops early
 * (`exact-dln trajectory … | head`) ends the program quietly, as it ends `cat` or `seq`,
 * instead of an unhandled EPIPE error and its stack trace: the exit code is the one set so
 * far (0 unless the command had already failed) — unless the command's product is files
 * (`demo`, or `--out` / `--heatmap` given): those are still written, and only the rest of
 * the terminal output is dropped (`exact-dln demo | head -1` used to exit 0 with no report).
 * Any other write error (a full disk, /dev/full) is one line on stderr and exit code 1.
 * Ctrl-C (SIGINT) or SIGTERM ends the program with 130 or 143 after removing the temporary
 * files of the writes in progress. For the executables only (`run` itself never touches `process`).
 *
 * @param argv - the command line after the program name, to tell whether it writes files.
 */
export function exitQuietlyWhenOutputCloses(argv: readonly string[] = process.argv.slice(2)): void {
  // Ctrl-C or a kill mid-write: the atomic writes' temporary files go too (exit 128 + signal).
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTemporaries();
      process.exit(code);
    });
  }
  const writesFiles = argv[0] === 'demo' || argv.some((a) => /^--(out|heatmap)(=|$)/.test(a));
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        if (writesFiles) return; // later writes to the closed stream fail here too, and are dropped
        process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.success);
      }
      if (stream === process.stdout && process.stderr.writable) {
        process.stderr.write(`exact-dln: cannot write to standard output: ${error.message}\n`);
      }
      process.exit(EXIT_CODES.failure);
    });
  }
}

if (isMain()) {
  exitQuietlyWhenOutputCloses();
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/** `exact-dln: message`, unless the message already starts with the program's name (the library's own "exact-dln cannot …"). */
function prefixed(message: string): string {
  return message.startsWith('exact-dln') ? message : `exact-dln: ${message}`;
}
