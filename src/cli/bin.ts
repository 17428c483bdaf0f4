#!/usr/bin/env node
/**
 * The executable of the `exact-dln` bin (built to dist/cli.js): runs the command-line
 * tool on the process's arguments and sets the exit code.
 *
 * @module
 */
import { exitQuietlyWhenOutputCloses, run } from './main.js';

exitQuietlyWhenOutputCloses();
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
