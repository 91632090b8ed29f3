/**
 * Two-sample Kolmogorov-Smirnov test with the semantics of scipy 1.10 `scipy.stats.ks_2samp`
 * (scipy/stats/_stats_py.py): the same statistic, location and sign, the same 'auto' choice
 * (exact when max(n1, n2) <= 10,000, else asymptotic), the same exact path-counting methods and
 * the same asymptotic distributions (kolmogorov.ts). Checked against reference vectors
 * computed with scipy 1.10 in __tests__/model/drift/ks.test.ts.
 *
 * Three entry points share one p-value function:
 * - `ks2samp(a, b)` on raw samples (sorted here with a radix sort, O(n));
 * - `ks2sampSorted(a, b)` when both are already sorted ascending;
 * - `ks2sampCounts(countsA, countsB)` on two histograms over the same bins: exactly
 *   `ks2samp` of the samples with each value replaced by its bin index (what the drift job has
 *   when the baseline is a model manifest's bins and production is the service's histograms).
 *   Ties make that test conservative (p-values too large), never too eager.
 */
import { kstwoSf } from './kolmogorov';
import { binom, gcd, roundHalfEven } from './special';
import { sortedCopy } from './sort_impl';

export type KsAlternative = 'two-sided' | 'less' | 'greater';
export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsOptions {
  /** @default 'two-sided' */
  readonly alternative?: KsAlternative;
  /** @default 'auto' (exact when max(n1, n2) <= 10000, else asymptotic) */
  readonly method?: KsMethod;
}

export interface KsResult {
  readonly statistic: number;
  readonly pValue: number;
  /** The value (or, for counts, the bin index) where the statistic is attained. */
  readonly statisticLocation: number;
  /** +1 when the first sample's ECDF is above the second's there, -1 below. */
  readonly statisticSign: 1 | -1;
  /** The method actually used ('auto' resolved; 'exact' may fall back to 'asymp'). */
  readonly method: 'exact' | 'asymp';
  readonly n1: number;
  readonly n2: number;
}

/** scipy's MAX_AUTO_N: 'auto' is exact up to this many values in the larger sample. */
export const KS_MAX_AUTO_N = 10_000;
const INT32_MAX = 2147483647;

/** Two-sample KS test on raw samples. Throws on an empty sample or a NaN. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  checkSample(a, 'first');
  checkSample(b, 'second');
  return ks2sampSorted(sortedCopy(a), sortedCopy(b), options);
}

/** Throws when a sample is empty or holds a NaN (scipy would propagate NaN). */
export function checkSample(x: ArrayLike<number>, which: string): void {
  if (x.length === 0) throw new Error(`ks2samp: the ${which} sample is empty`);
  for (let i = 0; i < x.length; i += 1) {
    if (Number.isNaN(x[i])) throw new Error(`ks2samp: the ${which} sample has NaN at index ${i}`);
  }
}

/** Two-sample KS test on samples already sorted ascending (not checked). */
export function ks2sampSorted(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks2samp: data passed to ks2samp must not be empty');
  // Merge walk over distinct values. cdf1(v) = #{a <= v}/n1 as numpy computes it; the extreme
  // differences are located at the first value (in scipy's concatenated [a, b] order) reaching them.
  let i = 0;
  let j = 0;
  let max1 = -Infinity;
  let loc1Max = NaN;
  let min1 = Infinity;
  let loc1Min = NaN;
  let max2 = -Infinity;
  let loc2Max = NaN;
  let min2 = Infinity;
  let loc2Min = NaN;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    const inA = i < n1 && a[i] === v;
    const inB = j < n2 && b[j] === v;
    while (i < n1 && a[i] === v) i += 1;
    while (j < n2 && b[j] === v) j += 1;
    const diff = i / n1 - j / n2;
    if (inA) {
      if (diff > max1) {
        max1 = diff;
        loc1Max = v;
      }
      if (diff < min1) {
        min1 = diff;
        loc1Min = v;
      }
    }
    if (inB) {
      if (diff > max2) {
        max2 = diff;
        loc2Max = v;
      }
      if (diff < min2) {
        min2 = diff;
        loc2Min = v;
      }
    }
  }
  const maxS = Math.max(max1, max2);
  const minDiff = Math.min(min1, min2);
  const locMax = max1 === maxS ? loc1Max : loc2Max;
  const locMin = min1 === minDiff ? loc1Min : loc2Min;
  return finish(n1, n2, maxS, minDiff, locMax, locMin, options);
}

/**
 * KS test of two histograms on the same bins (non-negative integer counts, same length):
 * identical to `ks2samp` on the bin indices. The location is a bin index.
 */
export function ks2sampCounts(
  countsA: ArrayLike<number>,
  countsB: ArrayLike<number>,
  options: KsOptions = {},
): KsResult {
  if (countsA.length !== countsB.length) {
    throw new Error(`ks2sampCounts: bin counts differ in length (${countsA.length} vs ${countsB.length})`);
  }
  let n1 = 0;
  let n2 = 0;
  for (let k = 0; k < countsA.length; k += 1) {
    const x = countsA[k];
    const y = countsB[k];
    if (!Number.isInteger(x) || x < 0 || !Number.isInteger(y) || y < 0) {
      throw new Error(
        `ks2sampCounts: bin ${k} has counts ${x} and ${y}; counts must be non-negative integers`,
      );
    }
    n1 += x;
    n2 += y;
  }
  if (n1 === 0 || n2 === 0) throw new Error('ks2sampCounts: data passed to ks2samp must not be empty');
  let i = 0;
  let j = 0;
  let max1 = -Infinity;
  let loc1Max = NaN;
  let min1 = Infinity;
  let loc1Min = NaN;
  let max2 = -Infinity;
  let loc2Max = NaN;
  let min2 = Infinity;
  let loc2Min = NaN;
  for (let k = 0; k < countsA.length; k += 1) {
    const inA = countsA[k] > 0;
    const inB = countsB[k] > 0;
    if (!inA && !inB) continue;
    i += countsA[k];
    j += countsB[k];
    const diff = i / n1 - j / n2;
    if (inA && diff > max1) [max1, loc1Max] = [diff, k];
    if (inA && diff < min1) [min1, loc1Min] = [diff, k];
    if (inB && diff > max2) [max2, loc2Max] = [diff, k];
    if (inB && diff < min2) [min2, loc2Min] = [diff, k];
  }
  const maxS = Math.max(max1, max2);
  const minDiff = Math.min(min1, min2);
  return finish(
    n1,
    n2,
    maxS,
    minDiff,
    max1 === maxS ? loc1Max : loc2Max,
    min1 === minDiff ? loc1Min : loc2Min,
    options,
  );
}

function finish(
  n1: number,
  n2: number,
  maxS: number,
  minDiff: number,
  locMax: number,
  locMin: number,
  options: KsOptions,
): KsResult {
  const alternative = options.alternative ?? 'two-sided';
  const method = options.method ?? 'auto';
  if (!['two-sided', 'less', 'greater'].includes(alternative)) {
    throw new Error(`ks2samp: alternative must be one of two-sided, less, greater; got '${alternative}'`);
  }
  if (!['auto', 'exact', 'asymp'].includes(method)) {
    throw new Error(`ks2samp: method must be one of auto, exact, asymp; got '${method}'`);
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  const useMin = alternative === 'less' || (alternative === 'two-sided' && minS > maxS);
  const d = useMin ? minS : maxS;
  const { statistic, pValue, method: used } = ksPValue(d, n1, n2, alternative, method);
  return {
    statistic,
    pValue,
    statisticLocation: useMin ? locMin : locMax,
    statisticSign: useMin ? -1 : 1,
    method: used,
    n1,
    n2,
  };
}

/**
 * The p-value of statistic `d` for samples of sizes n1 and n2 (scipy's choice of method).
 * The exact method also snaps `d` to the lattice h / lcm(n1, n2), as scipy does.
 */
export function ksPValue(
  d: number,
  n1: number,
  n2: number,
  alternative: KsAlternative = 'two-sided',
  method: KsMethod = 'auto',
): { statistic: number; pValue: number; method: 'exact' | 'asymp' } {
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: KsMethod = method;
  if (mode === 'auto') mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  else if (mode === 'exact' && n1g >= INT32_MAX / n2g) mode = 'asymp';
  let stat = d;
  if (mode === 'exact') {
    const exact = attemptExact(n1, n2, g, d, alternative);
    stat = exact.d;
    if (exact.ok) return { statistic: stat, pValue: clip01(exact.prob), method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  let prob: number;
  if (alternative === 'two-sided') {
    prob = kstwoSf(stat, roundHalfEven(en));
  } else {
    const z = Math.sqrt(en) * stat;
    // Hodges' approximation, eqn 5.3 (m is the larger sample).
    const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3;
    prob = Math.exp(expt);
  }
  return { statistic: stat, pValue: clip01(prob), method: 'asymp' };
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function attemptExact(
  n1: number,
  n2: number,
  g: number,
  d0: number,
  alternative: KsAlternative,
): { ok: boolean; d: number; prob: number } {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d0 * lcm);
  const d = h / lcm;
  if (h === 0) return { ok: true, d, prob: 1 };
  let prob: number;
  if (alternative === 'two-sided') {
    prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  } else if (n1 === n2) {
    prob = 1;
    for (let j = 0; j < h; j += 1) prob *= (n1 - j) / (n1 + j + 1);
  } else {
    const paths = countPathsOutside(n1, n2, g, h);
    const total = binom(n1 + n2, n1);
    if (!Number.isFinite(paths) || !Number.isFinite(total) || paths > total)
      return { ok: false, d, prob: NaN };
    prob = paths / total;
  }
  if (!(prob >= 0 && prob <= 1)) return { ok: false, d, prob };
  return { ok: true, d, prob };
}

/** scipy `_compute_prob_outside_square`: P(D_{n,n} >= h/n), Horner-like alternating sum. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j += 1) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/** scipy `_compute_outer_prob_inside_method` (Hodges' inside method, computing 1 - p directly). */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let q = minj; q < maxj; q += 1) A[q] = 0;
  for (let i = 1; i <= m; i += 1) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj += 1) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(maxj - minj + (lastlen - curlen), lenA);
      for (let q = maxj - minj; q < end; q += 1) A[q] = 1;
    }
  }
  return A[maxj - minj - 1];
}

/** scipy `_count_paths_outside_method`: lattice paths crossing one diagonal (one-sided tests). */
function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j += 1) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j += 1) {
    let bj = binom(xj[j] + j, j);
    for (let i = 0; i < j; i += 1) bj -= binom(xj[j] - xj[i] + j - i, j - i) * B[i];
    B[j] = bj;
  }
  let paths = 0;
  for (let j = 0; j < lxj; j += 1) paths += B[j] * binom(m - xj[j] + (n - j), n - j);
  return paths;
}
