/**
 * Internal: the first time a scalar summary of an exact trajectory crosses a threshold,
 * found by a coarse scan followed by bisection on the closed form (each evaluation is one
 * `at(t)`, O((Ni+No)·Nh² + Nh³)).
 *
 * @module
 * @internal
 */

/** Number of uniform scan intervals before bisecting. */
const SCAN_INTERVALS = 64;
/** Bisection stops when the bracket is below this fraction of the horizon (or after 80 halvings). */
const RELATIVE_RESOLUTION = 1e-12;

/**
 * The first t ∈ [0, horizon] at which `reached(t)` becomes true, assuming it stays true once
 * reached (true for a loss that only decreases along gradient flow, and for the strength of
 * an aligned mode, which moves monotonically towards σ). Scans `SCAN_INTERVALS` uniform
 * intervals, then bisects the first bracket to a relative resolution of 1e-12·horizon.
 * Returns 0 if reached at t = 0 and `Infinity` if not reached by `horizon`.
 * Cost: ≤ 64 + 80 evaluations of `reached`.
 */
export function firstCrossing(reached: (t: number) => boolean, horizon: number): number {
  if (reached(0)) return 0;
  let lo = 0;
  let hi = Number.NaN;
  for (let k = 1; k <= SCAN_INTERVALS; k++) {
    const t = k === SCAN_INTERVALS ? horizon : (horizon * k) / SCAN_INTERVALS;
    if (reached(t)) {
      hi = t;
      break;
    }
    lo = t;
  }
  if (Number.isNaN(hi)) return Infinity;
  for (let k = 0; k < 80 && hi - lo > RELATIVE_RESOLUTION * horizon; k++) {
    const mid = 0.5 * (lo + hi);
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
