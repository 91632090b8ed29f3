/**
 * Population Stability Index on the baseline's bins: PSI = sum((c - b) * ln(c / b)) over bins,
 * b and c the baseline and current proportions, each floored at 1e-4 so that an empty bin
 * counts as a large (finite) shift. Bins follow the manifest's `Histogram` convention:
 * right-closed (edges[i-1] < x <= edges[i]) with open outer bins.
 * `quantileEdges` builds such edges the way the reference vectors do (numpy type-7 deciles of
 * the baseline, duplicates removed).
 */
import { histogramBin } from '../package/manifest';

/** Proportions below this are raised to it before the logarithm. */
export const PSI_FLOOR = 1e-4;

/** PSI between two histograms over the same bins (counts or proportions). */
export function psiFromCounts(baseline: ArrayLike<number>, current: ArrayLike<number>): number {
  if (baseline.length !== current.length) {
    throw new Error(`psi: bin counts differ in length (${baseline.length} vs ${current.length})`);
  }
  let nb = 0;
  let nc = 0;
  for (let i = 0; i < baseline.length; i += 1) {
    nb += baseline[i];
    nc += current[i];
  }
  if (!(nb > 0) || !(nc > 0))
    throw new Error('psi: the baseline and the current histogram must not be empty');
  let psi = 0;
  for (let i = 0; i < baseline.length; i += 1) {
    const b = Math.max(baseline[i] / nb, PSI_FLOOR);
    const c = Math.max(current[i] / nc, PSI_FLOOR);
    psi += (c - b) * Math.log(c / b);
  }
  return psi;
}

/** numpy.quantile (linear, type 7) of a sorted sample. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // numpy's _lerp: from the nearer end, so that t = 1 gives b exactly.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Inner edges at the baseline's 1/bins ... (bins-1)/bins quantiles (type 7), duplicates removed. */
export function quantileEdges(sorted: ArrayLike<number>, bins = 10): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k += 1) {
    const v = quantileSorted(sorted, k / bins);
    if (edges.length === 0 || v !== edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/** Counts of a sorted sample on `edges` (manifest `Histogram` bins), one pass, no search per value. */
export function binSortedCounts(sorted: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let bin = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    const v = sorted[i];
    if (Number.isNaN(v)) continue;
    while (bin < edges.length && v > edges[bin]) bin += 1;
    counts[bin] += 1;
  }
  return counts;
}

/** Counts of an unsorted sample on `edges`. */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i += 1) {
    const b = histogramBin(edges, values[i]);
    if (b >= 0) counts[b] += 1;
  }
  return counts;
}
