/**
 * Micro-measurement of alignedMode throughput (not a test): points per second of
 * `values(times)` and of a loop over `at(t)`. Run with `npx tsx bench/aligned-mode.ts`.
 */
import { alignedMode } from '../src/analysis/aligned-mode.js';

const n = 2_000_000;
const times = new Float64Array(n);
for (let i = 0; i < n; i++) times[i] = (i / n) * 20; // spans both exp and expm1 branches

const cases = [
  { name: 'λ = 0.5, a0 = 0.01 (general)', sigma: 2, a0: 0.01, lambda: 0.5 },
  { name: 'λ = 0, a0 = 0.01 (sigmoid)', sigma: 2, a0: 0.01, lambda: 0 },
  { name: 'λ = 0, a0 = −0.5 (saddle)', sigma: 2, a0: -0.5, lambda: 0 },
  { name: 'λ = −50, a0 = −3 (reversal, lazy)', sigma: 2, a0: -3, lambda: -50 },
];

function rate(fn: () => number): number {
  fn(); // warm-up
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return n / best;
}

let sink = 0;
for (const c of cases) {
  const mode = alignedMode(c);
  const viaValues = rate(() => {
    const v = mode.values(times);
    sink += v[n - 1];
    return v.length;
  });
  const viaAt = rate(() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += mode.at(times[i]);
    sink += s;
    return s;
  });
  console.log(`${c.name.padEnd(36)} values(): ${(viaValues / 1e6).toFixed(1)} M points/s   at() loop: ${(viaAt / 1e6).toFixed(1)} M points/s`);
}
if (Number.isNaN(sink)) console.log('unexpected NaN');
