/**
 * Where standard initialisations sit on the lazy–rich spectrum (MATH.md §10): for LeCun,
 * He and Glorot Gaussian weights the expected balance is λ = No·σ2² − Ni·σ1². The example
 * samples networks at growing widths with fixed ratios Ni : Nh : No = 4 : 2 : 3 and prints
 * expectedLambda next to the measured λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh and the relative residual
 * ‖B − λ̂I‖_F/(‖B‖_F + 1) of `balanceOf` (means over a few seeds), with the residual
 * predicted from the entry variances.
 *
 * What to look for: λ̂ converges to the formula (error ≈ 1/width), but the residual does
 * not shrink — it grows towards a constant near 0.9: at fixed ratios the fluctuations of
 * B grow as fast as λI itself, so wide random networks are not approximately λ-balanced as
 * matrices (contrary to MATH.md §10's wording); only the average λ̂ is reliable.
 *
 * Run: npx tsx examples/standard-inits.ts
 */
import { balanceOf } from '../src/index.js';
import { expectedLambda, sampleStandardInit, type StandardInitScheme } from '../src/applications/standard-init.js';

/** The example's settings. */
export const STANDARD_INITS = {
  schemes: ['lecun', 'he', 'glorot'] as StandardInitScheme[],
  ratios: [4, 2, 3],
  scales: [1, 4, 16, 64],
  seeds: [1, 2, 3, 4],
} as const;

/** One row: a scheme at one width. */
export interface StandardInitRow {
  scheme: StandardInitScheme;
  inputDim: number;
  hiddenDim: number;
  outputDim: number;
  expected: number;
  /** Mean λ̂ over the seeds. */
  measured: number;
  /** Mean |λ̂ − λ| over the seeds. */
  error: number;
  /** Mean relative residual of balanceOf. */
  residual: number;
  /** sqrt((Nh² + Nh − 2)v)/(sqrt(Nh·λ² + Nh(Nh + 1)v) + 1), v = No·σ2⁴ + Ni·σ1⁴. */
  predictedResidual: number;
}

/** Runs the example; returns one row per scheme and width. */
export function main(log: (line: string) => void = console.log): { rows: StandardInitRow[] } {
  const s = STANDARD_INITS;
  const rows: StandardInitRow[] = [];
  log(`Standard Gaussian initialisations at widths Ni:Nh:No = ${s.ratios.join(':')} × k (means over ${s.seeds.length} seeds)`);
  log('scheme  |  Ni   Nh   No | expected λ | measured λ̂ | |λ̂ − λ|  | residual (predicted)');
  for (const scheme of s.schemes) {
    for (const k of s.scales) {
      const [ni, nh, no] = s.ratios.map((r) => r * k);
      const dims = { scheme, inputDim: ni, hiddenDim: nh, outputDim: no };
      const expected = expectedLambda(dims);
      let measured = 0;
      let error = 0;
      let residual = 0;
      let sigma1 = 0;
      let sigma2 = 0;
      for (const seed of s.seeds) {
        const w = sampleStandardInit({ ...dims, seed });
        const b = balanceOf(w.w1, w.w2);
        measured += b.lambda / s.seeds.length;
        error += Math.abs(b.lambda - expected) / s.seeds.length;
        residual += b.residual / s.seeds.length;
        ({ sigma1, sigma2 } = w);
      }
      const v = no * sigma2 ** 4 + ni * sigma1 ** 4;
      const predictedResidual = Math.sqrt((nh * nh + nh - 2) * v) / (Math.sqrt(nh * expected ** 2 + nh * (nh + 1) * v) + 1);
      rows.push({ scheme, inputDim: ni, hiddenDim: nh, outputDim: no, expected, measured, error, residual, predictedResidual });
      log(
        `${scheme.padEnd(7)} | ${String(ni).padStart(4)} ${String(nh).padStart(4)} ${String(no).padStart(4)} | ` +
          `${expected.toFixed(4).padStart(10)} | ${measured.toFixed(4).padStart(10)} | ${error.toFixed(4).padStart(8)} | ` +
          `${residual.toFixed(3)} (${predictedResidual.toFixed(3)})`,
      );
    }
  }
  log('λ̂ → λ as the widths grow, but the relative residual does not vanish: wide random networks are not λ-balanced matrices.');
  return { rows };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
