/**
 * Runs the application examples (examples/reversal.ts, transfer.ts, standard-inits.ts,
 * continual-learning.ts) through their exported `main` with a captured log and checks that
 * each reproduces its qualitative result.
 */
import { describe, expect, it } from 'vitest';
import { main as continual } from '../../examples/continual-learning.js';
import { main as reversal } from '../../examples/reversal.js';
import { main as standardInits } from '../../examples/standard-inits.js';
import { main as transfer } from '../../examples/transfer.js';

function capture<T>(run: (log: (line: string) => void) => T): { result: T; lines: string[] } {
  const lines: string[] = [];
  const result = run((line) => lines.push(line));
  return { result, lines };
}

describe('examples/reversal.ts', () => {
  const { result, lines } = capture(reversal);

  it('λ = 0 never reaches 90 % of any reversed mode (saddle); every λ ≠ 0 does', () => {
    const [zero, ...rest] = result.rows;
    expect(zero.lambda).toBe(0);
    expect(zero.timeTo90).toEqual([Infinity, Infinity, Infinity]);
    for (const row of rest) for (const t of row.timeTo90) expect(Number.isFinite(t)).toBe(true);
    expect(lines.some((l) => /^\s+0 \|\s+never/.test(l))).toBe(true);
  });

  it('larger |λ| is faster, and the measured times match learningTime', () => {
    const rows = result.rows.slice(1);
    for (let k = 1; k < rows.length; k++) {
      rows[k].timeTo90.forEach((t, a) => expect(t).toBeLessThan(rows[k - 1].timeTo90[a]));
    }
    for (const row of result.rows) {
      row.strengthsAtSwitch.forEach((a, i) => expect(a).toBeCloseTo(-result.sigma[i], 6));
      row.timeTo90.forEach((t, a) => (Number.isFinite(t) ? expect(t).toBeCloseTo(row.predicted[a], 6) : expect(row.predicted[a]).toBe(Infinity)));
    }
  });
});

describe('examples/transfer.ts', () => {
  const { result, lines } = capture(transfer);
  const row = (target: string, lambda: number) => result.rows.find((r) => r.target === target && r.lambda === lambda)!;

  it('prints a table for both targets and all three λ', () => {
    expect(result.rows.length).toBe(6);
    expect(lines.filter((l) => /^\s+-?\d+ \|/.test(l)).length).toBe(6);
  });

  it('±λ transfer equally fast (only λ² matters), but their representations differ', () => {
    for (const target of ['permuted', 'flipped']) {
      expect(row(target, 5).timeTo90.pretrained).toBeCloseTo(row(target, -5).timeTo90.pretrained, 9);
      expect(row(target, 5).timeTo90.scratch).toBeCloseTo(row(target, -5).timeTo90.scratch, 9);
    }
    expect(Math.abs(row('permuted', 5).similarity.before - row('permuted', -5).similarity.before)).toBeGreaterThan(0.05);
  });

  it('pretraining helps the flipped-feature target at |λ| = 5; at λ = 0 the pretrained network is stuck on a saddle', () => {
    expect(row('flipped', 5).timeTo90.pretrained).toBeLessThan(row('flipped', 5).timeTo90.scratch);
    for (const target of ['permuted', 'flipped']) {
      expect(row(target, 0).timeTo90.pretrained).toBe(Infinity);
      expect(row(target, 0).finalLoss.pretrained).toBeCloseTo(0.25, 4); // still converging onto the saddle at 30τ
    }
    // Flipping a feature keeps ṼS̃Ṽᵀ: a λ = 0 network pretrained on the source already has the target's W1ᵀW1.
    expect(row('flipped', 0).similarity.before).toBeCloseTo(1, 6);
  });
});

describe('examples/standard-inits.ts', () => {
  const { result } = capture(standardInits);

  it('λ̂ approaches expectedLambda as the widths grow, while the relative residual does not vanish', () => {
    for (const scheme of ['lecun', 'he', 'glorot']) {
      const rows = result.rows.filter((r) => r.scheme === scheme);
      expect(rows.length).toBe(4);
      expect(rows[3].error).toBeLessThan(rows[0].error / 10);
      expect(rows[3].residual).toBeGreaterThan(rows[0].residual);
      expect(rows[3].residual).toBeGreaterThan(0.8);
      for (const r of rows.slice(1)) expect(Math.abs(r.residual / r.predictedResidual - 1)).toBeLessThan(0.1);
    }
  });
});

describe('examples/continual-learning.ts', () => {
  const { result } = capture(continual);

  it('forgetting at the switches matches the convergence prediction; the transient depends on λ', () => {
    for (const row of result.rows) {
      row.forgettingAtSwitches.forEach((f, k) => expect(Math.abs(f - row.predicted[k])).toBeLessThan(row.lambda < 1 ? 1e-3 : 1e-8));
    }
    const early = result.rows.map((r) => r.early);
    for (let k = 1; k < early.length; k++) expect(early[k]).toBeGreaterThan(early[k - 1]);
  });
});
