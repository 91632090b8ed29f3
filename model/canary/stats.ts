/** Small statistics for canary analysis: the normal tail, a two-proportion test, quantiles. */
import { quantileSorted } from '../drift/psi';
import { sortedCopy } from '../drift/sort_impl';
import { gammaincc } from '../drift/special';

/** P(Z >= z) for a standard normal Z (via erfc(x) = Q(1/2, x^2)). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const x = Math.abs(z) / Math.SQRT2;
  const half = 0.5 * (x === 0 ? 1 : gammaincc(0.5, x * x));
  return z >= 0 ? half : 1 - half;
}

export interface TwoProportionResult {
  readonly rate1: number;
  readonly rate2: number;
  readonly z: number;
  /** One-sided p-value of H1: rate1 > rate2 (pooled-variance z test). */
  readonly pValue: number;
}

/** Tests whether proportion x1/n1 exceeds x2/n2. */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionResult {
  if (!(n1 > 0 && n2 > 0))
    throw new Error(`twoProportionTest: sample sizes must be > 0, got ${n1} and ${n2}`);
  const rate1 = x1 / n1;
  const rate2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { rate1, rate2, z: 0, pValue: rate1 > rate2 ? 0 : 1 };
  const z = (rate1 - rate2) / se;
  return { rate1, rate2, z, pValue: normalSf(z) };
}

/** The q-quantile (numpy type 7) of unsorted values; NaN when empty. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  return quantileSorted(sortedCopy(values), q);
}
