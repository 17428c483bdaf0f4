/**
 * Usage of the command-line tool: --help texts with examples, --version, and exit code 2
 * for bad usage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('exact-dln --help', () => {
  it('lists the commands, examples and exit codes', async () => {
    const r = await cli(['--help'], dir);
    expect(r.code).toBe(0);
    for (const command of ['demo', 'trajectory', 'sweep', 'simulate']) expect(r.out).toContain(command);
    expect(r.out).toContain('Examples:');
    expect(r.out).toContain('Exit codes: 0 success, 1 failure');
  });

  const expectations: Record<string, string[]> = {
    demo: ['--out <dir>', '--quiet', 'exact-dln demo --out'],
    trajectory: ['--config <file>', '--format <format>', '--out <file>', '--matrices', 'mode_1', 'exact-dln trajectory --config run.json'],
    sweep: ['--lambdas <list>', '--scales <list>', '--time <t>', '--heatmap <file.svg>', 'converged_kernel_distance', 'exact-dln sweep --lambdas='],
    simulate: ['--learning-rate <eta>', '--steps <n>', '--until <t>', '--record-every <k>', '--quiet', 'exact-dln simulate --config run.json'],
  };
  for (const [command, texts] of Object.entries(expectations)) {
    it(`${command} --help documents its options with examples`, async () => {
      const r = await cli([command, '--help'], dir);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: exact-dln ${command}`);
      expect(r.out).toContain('Examples:');
      for (const text of texts) expect(r.out).toContain(text);
    });
  }

  it('help <command> and --version exit 0', async () => {
    const h = await cli(['help', 'sweep'], dir);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Usage: exact-dln sweep');
    const v = await cli(['--version'], dir);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('bad usage exits with 2', () => {
  it.each([
    [[], 'Usage: exact-dln'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['demo', '--colour'], "unknown option '--colour'"],
    [['trajectory'], "required option '--config <file>' not specified"],
    [['trajectory', '--config'], "option '--config <file>' argument missing"],
    [['sweep', '--format', 'yaml'], "argument 'yaml' is invalid"],
    [['simulate', '--config', 'run.json', '--learning-rate', 'fast'], "argument 'fast' is invalid"],
    [['demo', 'extra'], "too many arguments for 'demo'"],
  ])('exact-dln %j', async (argv, message) => {
    const r = await cli(argv as string[], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
