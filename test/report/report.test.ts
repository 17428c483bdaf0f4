/**
 * The lazy–rich study and report: the numbers behind the figures, the HTML page, the
 * summary text, and all-or-nothing writes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactDlnError, exactDynamics, lambdaBalancedWeights } from '../../src/index.js';
import { writeFileAtomic, writeFolderAtomic } from '../../src/io/atomic-write.js';
import { reportHtml, summaryRows, summaryText } from '../../src/report/lazy-rich-report.js';
import { impossibleLambdaReason, lazyRichStudy, timeToLossFraction, type LazyRichStudy } from '../../src/report/lazy-rich-study.js';
import { cleanup, entries, tempDir } from '../cli/helpers.js';

let study: LazyRichStudy;
let dir: string;
beforeAll(() => {
  dir = tempDir('exact-dln-report-');
  study = lazyRichStudy({
    networks: [
      { inputDim: 3, hiddenDim: 3, outputDim: 3 },
      { inputDim: 3, hiddenDim: 4, outputDim: 4 },
    ],
    lambdas: [-2, 0, 2],
    duration: 3,
    points: 31,
    simulatedPoints: 7,
    learningRate: 0.01,
    sweepScales: [0.1],
  });
});
afterAll(() => cleanup(dir));

describe('lazyRichStudy', () => {
  it('skips λ impossible for the widths, with the reason', () => {
    expect(study.networks[0].runs.map((r) => r.lambda)).toEqual([-2, 0, 2]);
    expect(study.networks[1].runs.map((r) => r.lambda)).toEqual([0, 2]);
    expect(study.networks[1].skipped).toEqual([{ lambda: -2, reason: 'λ < 0 needs hiddenDim ≤ inputDim (4 > 3)' }]);
    expect(impossibleLambdaReason(1, { inputDim: 5, hiddenDim: 3, outputDim: 2 })).toBe('λ > 0 needs hiddenDim ≤ outputDim (3 > 2)');
    expect(impossibleLambdaReason(0, { inputDim: 1, hiddenDim: 3, outputDim: 1 })).toBeUndefined();
  });

  it('records exact curves, the simulation and consistent summaries', () => {
    for (const net of study.networks) {
      for (const run of net.runs) {
        expect(run.times).toHaveLength(31);
        expect(run.modeStrengths[0]).toHaveLength(Math.min(net.inputDim, net.outputDim));
        expect(run.kernelDistance[0]).toBe(0);
        expect(run.simulated.times).toHaveLength(7);
        expect(run.simulated.times.at(-1)).toBeCloseTo(3, 12);
        expect(run.maxDeviation).toBe(Math.max(...run.simulated.deviation));
        expect(run.maxDeviation).toBeLessThan(0.05);
        expect(run.converged.w1tw1).toHaveLength(net.inputDim);
        expect(run.converged.w2w2t).toHaveLength(net.outputDim);
        // loss at timeTo90 is 10 % of the initial loss
        const k = run.times.findIndex((t) => t >= run.timeTo90);
        expect(run.loss[k]).toBeLessThanOrEqual(0.1 * run.loss[0]);
        if (k > 0) expect(run.loss[k - 1]).toBeGreaterThan(0.1 * run.loss[0]);
      }
    }
    expect(study.networks[0].sweep).toHaveLength(3);
  });

  it('matchDeterminantSign: a weight seed whose λ = 0 run stops on a saddle learns the task with it, in the runs and the sweep', () => {
    // 3×3×3, task seed 1, weight seed 5: det W2W1 of the wrong sign, converged loss ½σ_min² ≈ 0.073.
    const options = { networks: [{ inputDim: 3, hiddenDim: 3, outputDim: 3 }], lambdas: [0], weightSeed: 5, duration: 200, points: 3, simulatedPoints: 2, learningRate: 0.5, sweepScales: [0.05] };
    const plain = lazyRichStudy(options).networks[0];
    const matched = lazyRichStudy({ ...options, matchDeterminantSign: true }).networks[0];
    expect(plain.runs[0].loss.at(-1)).toBeGreaterThan(0.07);
    expect(plain.sweep[0].loss).toBeGreaterThan(0.07);
    expect(matched.runs[0].loss.at(-1)).toBeLessThan(1e-20);
    expect(matched.sweep[0].loss).toBeLessThan(1e-20);
    expect(() => lazyRichStudy({ ...options, matchDeterminantSign: 'yes' } as never)).toThrow(/matchDeterminantSign/);
  });

  it('timeToLossFraction bisects the exact loss; Infinity when the loss never gets there', () => {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 1, scale: 0.1, seed: 3 });
    const dyn = exactDynamics({ w1, w2, sigmaYX: [[2, 0], [0, 1]] });
    const t = timeToLossFraction(dyn, 0.25);
    expect(dyn.at(t).loss / dyn.at(0).loss).toBeCloseTo(0.25, 6);
    // A bottleneck (Nh = 1) cannot learn the second mode: loss ≥ ½·1² = 0.5 forever.
    const b = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 1, outputDim: 2, lambda: 0, scale: 0.1, seed: 3 });
    expect(timeToLossFraction(exactDynamics({ ...b, sigmaYX: [[2, 0], [0, 1]] }), 0.01)).toBe(Infinity);
    expect(() => timeToLossFraction(dyn, 1)).toThrow(/fraction/);
  });
});

describe('report text and page', () => {
  it('summaryText: a table per network, notes for skipped λ', () => {
    const text = summaryText(study);
    expect(text).toContain('network 3×3×3 (Ni×Nh×No)');
    expect(text).toContain('network 3×4×4 (Ni×Nh×No)');
    expect(text).toContain('note: λ = -2 skipped for 3×4×4: λ < 0 needs hiddenDim ≤ inputDim (4 > 3).');
    expect(summaryRows(study)).toHaveLength(5);
  });

  it('reportHtml inlines every figure with its caption and a link, and the summary tables', () => {
    const figures = [
      { file: 'a.svg', title: 'A', caption: 'first <one>', spec: {} as never, svg: '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>' },
      { file: 'b.svg', title: 'B', caption: 'second', spec: {} as never, svg: '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>' },
    ];
    const html = reportHtml(study, figures);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<figure id="a">\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>');
    expect(html).toContain('Figure 2: B.');
    expect(html).toContain('first &lt;one&gt;');
    expect(html).toContain('href="b.svg"');
    expect(html.match(/<table>/g)).toHaveLength(2);
    expect(html).toContain('λ = -2 skipped');
  });
});

describe('all-or-nothing writes', () => {
  it('writeFileAtomic replaces the file and leaves no temporary file', async () => {
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(entries(dir)).toEqual(['out.txt']);
    await expect(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x')).rejects.toThrow();
    expect(entries(dir)).toEqual(['out.txt']);
  });

  it('writeFileAtomic writes into devices, follows symbolic links and keeps a replaced file’s permissions', async () => {
    // --out /dev/null (as root) renamed a regular file onto the device, and /dev/null was gone;
    // a named pipe likewise (here, so that a regression cannot break the machine's /dev/null).
    const sub = join(dir, 'links');
    mkdirSync(sub);
    const fifo = join(sub, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const received = new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(fifo, 'utf8').on('data', (c) => (text += String(c))).on('end', () => resolve(text)).on('error', reject);
    });
    await writeFileAtomic(fifo, ['through ', 'the pipe\n']);
    expect(await received).toBe('through the pipe\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
    rmSync(fifo);
    // A symbolic link became a regular file (its target kept the old text).
    writeFileSync(join(sub, 'target.csv'), 'old');
    symlinkSync('target.csv', join(sub, 'link.csv'));
    await writeFileAtomic(join(sub, 'link.csv'), 'new');
    expect(lstatSync(join(sub, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(sub, 'target.csv'), 'utf8')).toBe('new');
    // A private file stays private (it became 0644).
    const secret = join(sub, 'private.csv');
    writeFileSync(secret, 'old', { mode: 0o600 });
    chmodSync(secret, 0o600);
    await writeFileAtomic(secret, 'new');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(readFileSync(secret, 'utf8')).toBe('new');
    expect(entries(sub)).toEqual(['link.csv', 'private.csv', 'target.csv']); // no temporary file left
  });

  it('writeFolderAtomic creates or updates a folder, and on failure leaves nothing behind', async () => {
    const target = join(dir, 'rep');
    await writeFolderAtomic(target, { 'a.txt': '1', 'b.txt': '2' });
    expect(entries(target)).toEqual(['a.txt', 'b.txt']);
    // A new folder has the permissions mkdir gives under the user's umask (it was created
    // 0700, so a report made for others to read was not readable by them).
    mkdirSync(join(dir, 'probe'));
    expect(statSync(target).mode & 0o777).toBe(statSync(join(dir, 'probe')).mode & 0o777);
    rmSync(join(dir, 'probe'), { recursive: true });
    writeFileSync(join(target, 'keep.txt'), 'mine');
    await writeFolderAtomic(target, { 'a.txt': '3' });
    expect(entries(target)).toEqual(['a.txt', 'b.txt', 'keep.txt']);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('3');
    const file = join(dir, 'plain');
    writeFileSync(file, 'not a folder');
    const before = entries(dir);
    await expect(writeFolderAtomic(file, { 'a.txt': '1' })).rejects.toThrow(/not a folder/);
    expect(entries(dir)).toEqual(before);
    await expect(writeFolderAtomic(join(dir, 'x'), { '../evil': '1' })).rejects.toThrow(/invalid file name/);
    mkdirSync(join(dir, 'empty'));
    expect(entries(join(dir, 'empty'))).toEqual([]);
    // A folder in the way of one of the files: nothing is replaced (the files before it in the
    // list used to be new already, the rest stale), and the error is typed.
    mkdirSync(join(target, 'z.txt'));
    const error = await writeFolderAtomic(target, { 'a.txt': '4', 'b.txt': '5', 'z.txt': '6' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExactDlnError);
    expect(String(error)).toContain('a folder of that name is in the way; nothing was written');
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('3');
    expect(readFileSync(join(target, 'b.txt'), 'utf8')).toBe('2');
    expect(entries(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    // A parent that cannot hold new files (a virtual file system): a typed one-line error, not mkdtemp's.
    const virtual = await writeFolderAtomic('/proc/exact-dln-report', { 'a.txt': '1' }).catch((e: unknown) => e);
    expect(virtual).toBeInstanceOf(ExactDlnError);
    expect(String(virtual)).toContain('cannot write the folder /proc/exact-dln-report: its parent /proc cannot hold new files');
    // … also two levels down, where Node's recursive mkdir never returned (the demo hung at full CPU).
    const deeper = await writeFolderAtomic('/proc/exact-dln-missing/report', { 'a.txt': '1' }).catch((e: unknown) => e);
    expect(deeper).toBeInstanceOf(ExactDlnError);
    expect(String(deeper)).toContain('its parent /proc/exact-dln-missing cannot hold new files');
  });
});
