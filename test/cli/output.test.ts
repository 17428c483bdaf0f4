/**
 * The CLI's streamed output documents: the same text as formatting the whole result at once
 * (toJson / toCsv), written piece by piece so that documents longer than JavaScript's
 * longest string (≈ 512 MB) can be written, with the same refusal of non-finite numbers,
 * and no file left behind when producing the pieces fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvDocument, emit, jsonDocument, toCsv, toJson } from '../../src/cli/output.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { cleanup, entries, tempDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

async function text(pieces: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const piece of pieces) all += piece;
  return all;
}

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('streamed output documents', () => {
  it('jsonDocument is toJson({ ...head, [key]: items }) byte for byte, for lists of any length and any item', async () => {
    const head = { lambda: -0.5, tau: 2, name: 'a "quoted"\nline ✓', skipped: undefined, sigma: [3, 2, 1e-300], nested: { a: [[1, 2], []], b: {} } };
    const items = [
      { t: 0, loss: 1.5, modeStrengths: [0.1, 0.2], w2w1: [[1, -2], [3e-17, 4e300]] },
      { t: 1, loss: 0, modeStrengths: [], note: undefined },
      [1, [2, [3]]],
      'text',
      null,
      undefined, // in a list JSON.stringify writes null
      {},
      [],
    ];
    for (let n = 0; n <= items.length; n++) {
      const list = items.slice(0, n);
      expect(await text(jsonDocument(head, 'points', list))).toBe(toJson({ ...head, points: list }));
      expect(await text(jsonDocument(head, 'points', slowly(list)))).toBe(toJson({ ...head, points: list }));
      expect(await text(jsonDocument({}, 'rows', list))).toBe(toJson({ rows: list }));
    }
  });

  it('csvDocument is toCsv byte for byte, and both refuse a non-finite number naming its column and row', async () => {
    const header = ['t', 'loss', 'mode_1'];
    const rows = [
      [0, 1.25, 0.5],
      [0.5, 1e-300, -0],
      [1, 123456789.123, 5e-324],
    ];
    expect(await text(csvDocument(header, rows))).toBe(toCsv(header, rows));
    expect(await text(csvDocument(header, []))).toBe(toCsv(header, []));
    const bad = [...rows, [2, Number.POSITIVE_INFINITY, 0]];
    expect(() => toCsv(header, bad)).toThrow(/cannot write loss in row 4 = Infinity/);
    await expect(text(csvDocument(header, slowly(bad)))).rejects.toThrow(/cannot write loss in row 4 = Infinity/);
  });

  it('jsonDocument refuses non-finite numbers (JSON would write null) and says where they are', async () => {
    await expect(text(jsonDocument({ lambda: Number.NaN }, 'points', []))).rejects.toThrow(/cannot write `lambda` = NaN/);
    await expect(text(jsonDocument({}, 'points', [{ t: 0, loss: 1 }, { t: 1, loss: Number.POSITIVE_INFINITY }]))).rejects.toThrow(
      /cannot write `loss` in `points\[1\]` = Infinity: the computation left the range of double precision/,
    );
    await expect(text(jsonDocument({}, 'points', [{ modeStrengths: [1, Number.NEGATIVE_INFINITY] }]))).rejects.toThrow(
      /cannot write an entry of a list in `points\[0\]` = -Infinity/,
    );
    await expect(text(jsonDocument({}, 'points', [Number.NaN]))).rejects.toThrow(/cannot write `points\[0\]` = NaN/);
  });

  it('emit writes a long document to standard output in pieces of about 1 MB, and small ones in one piece', async () => {
    const writes: string[] = [];
    const io = { out: (s: string) => void writes.push(s), err: () => {}, cwd: dir };
    const line = 'x'.repeat(999) + '\n';
    async function* long(): AsyncGenerator<string> {
      for (let k = 0; k < 3000; k++) yield line; // 3 MB
    }
    await emit(io, undefined, long());
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBeLessThanOrEqual(4);
    expect(writes.join('')).toBe(line.repeat(3000));
    writes.length = 0;
    await emit(io, undefined, slowly(['a', 'b', 'c\n']));
    expect(writes).toEqual(['abc\n']);
  });

  it('emit waits while standard output is full (a pipe): no write before the last one is taken, and the producer waits too', async () => {
    // A full pipe never made the writer wait: 300 MB of CSV piped to wc took 1.6 GB of memory.
    let pending = false;
    let overlapping = 0;
    let produced = 0;
    let aheadAtWrite = 0;
    const taken: string[] = [];
    const io = {
      out: (text: string) => {
        if (pending) overlapping++;
        pending = true;
        aheadAtWrite = Math.max(aheadAtWrite, produced - (taken.join('').length + text.length));
        taken.push(text);
        return new Promise<void>((resolve) => setTimeout(() => ((pending = false), resolve()), 1));
      },
      err: () => {},
      cwd: dir,
    };
    const line = 'z'.repeat(1023) + '\n';
    async function* pieces(): AsyncGenerator<string> {
      for (let k = 0; k < 5000; k++) {
        produced += line.length;
        yield line; // 5 MB
      }
    }
    await emit(io, undefined, pieces());
    expect(overlapping).toBe(0);
    expect(taken.join('')).toBe(line.repeat(5000));
    expect(aheadAtWrite).toBeLessThanOrEqual(line.length); // nothing produced beyond the piece being written
  });

  it('emit to a file: written piece by piece, and when producing a piece fails (after megabytes were written) no file is left', async () => {
    const path = join(dir, 'doc.txt');
    const line = 'y'.repeat(99) + '\n';
    async function* pieces(fail: boolean): AsyncGenerator<string> {
      for (let k = 0; k < 30_000; k++) yield line; // 3 MB, several writes
      if (fail) throw new Error('the 30 001st piece cannot be computed');
      yield 'end\n';
    }
    const io = { out: () => {}, err: () => {}, cwd: dir };
    await emit(io, path, pieces(false));
    expect(readFileSync(path, 'utf8')).toBe(line.repeat(30_000) + 'end\n');
    const failing = join(dir, 'failing.txt');
    await expect(emit(io, failing, pieces(true))).rejects.toThrow('the 30 001st piece cannot be computed');
    expect(existsSync(failing)).toBe(false);
    expect(entries(dir)).toEqual(['doc.txt']); // no temporary file either
    // An existing file is left as it was.
    await expect(emit(io, path, pieces(true))).rejects.toThrow('cannot be computed');
    expect(readFileSync(path, 'utf8').endsWith('end\n')).toBe(true);
  });

  it('writeFileAtomic takes the text whole or in pieces (an iterable or async iterable of strings)', async () => {
    const path = join(dir, 'pieces.csv');
    await writeFileAtomic(path, ['x,y\n', '1,2\n', 'é,✓\n']);
    expect(readFileSync(path, 'utf8')).toBe('x,y\n1,2\né,✓\n');
    await writeFileAtomic(path, slowly(['a\n', 'b\n']));
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
    await writeFileAtomic(path, 'whole\n');
    expect(readFileSync(path, 'utf8')).toBe('whole\n');
  });
});
