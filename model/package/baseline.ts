/**
 * Baseline distributions stored in the manifest for drift checks: quantile bins per numeric
 * feature, category frequencies per raw categorical field, and the score histogram.
 * Bin semantics are those of `Histogram` in manifest.ts.
 */
import { CATEGORICAL_FIELDS, CATEGORICAL_FEATURES, UNKNOWN_CATEGORY, type FeatureSpec } from '../features';
import type { BaselineDistributions, Histogram } from './manifest';
import { histogramBin } from './manifest';

/**
 * The finite values, sorted ascending. A plain loop: `Float64Array.from(values).filter(...)`
 * costs about 0.4 s per 720,000 values (iterator and callback per element), which made the
 * baseline of a 1M-row training run take over 2 s for eight features.
 */
function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Quantile edges (deduplicated) of the finite values, `bins - 1` inner edges. */
export function quantileEdges(values: ArrayLike<number>, bins: number): number[] {
  const sorted = sortedFinite(values);
  const edges: number[] = [];
  if (sorted.length === 0) return edges;
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/**
 * How far a production score may sit from the trainer's score of the same row. The trainer sums
 * trees in float64 and applies an exact sigmoid; the service's scores come from ONNX Runtime,
 * which sums the trees in float32 and computes `Sigmoid` with MLAS's polynomial approximation.
 * Measured on onnxruntime-node 1.30 (x86-64, Sigmoid on 2M margins in -20..20, and trained
 * packages of 4k-200k rows): the Sigmoid is off by up to 1.7e-7 absolute at every p (so up to
 * 8.6e-5 relative for p in [0.001, 0.01), 100 % below 1e-7, and 0 below p = 1.5e-8), and the
 * float32 tree sum by up to 2e-6 in the margin, i.e. at most p * 2e-6 in the probability. The
 * tolerance is ~6x and ~50x those, to absorb other CPUs' kernels and larger ensembles.
 */
export const SCORE_ABS_TOLERANCE = 1e-6;
/** See SCORE_ABS_TOLERANCE: the float32 margin error, carried to p as p * error. */
export const SCORE_REL_TOLERANCE = 1e-4;

/** The largest plausible |ORT score - trainer score| for a trainer score near `p`. */
export function scoreTolerance(p: number): number {
  return SCORE_ABS_TOLERANCE + SCORE_REL_TOLERANCE * Math.abs(p);
}

/**
 * The edges every score count is taken on: the manifest's score edges, each raised by
 * `scoreTolerance`. The baseline (trainer scores), the service's aggregator and the drift job
 * (ORT scores) all place a score with `histogramBin(scoreBinEdges(edges), p)`, so a score of
 * the same row lands in the same bin on both sides unless it lies within a tolerance of a raised
 * edge, which `scoreEdges` keeps (nearly) free of scores. Manifests written before `scoreEdges`
 * counted their trainer scores on the edges themselves, which sit ON tied scores: raising the
 * edge keeps ORT's copy of such a point mass in the baseline's bin too (only scores within one
 * tolerance above an old edge are counted differently).
 */
export function scoreBinEdges(edges: readonly number[]): number[] {
  return edges.map((e) => e + scoreTolerance(e));
}

/**
 * Quantile edges for the score histogram, placed where ORT's rounding cannot move a row across.
 *
 * `quantileEdges` puts each edge ON a score value, and a tree ensemble gives every row that
 * reaches the same leaves the same score: an edge then sits on a point mass, and the service,
 * which bins ORT's float32 score of the same rows (see `scoreTolerance`), puts about half of
 * those masses on the other side. Identical data then shows score drift. Here each edge is the
 * midpoint of a gap between two adjacent distinct scores, starting at the gap above the
 * quantile value and moving up (at most to the next quantile) until at most 1 % of a bin's rows
 * lie within twice the tolerance of the edge (none on small baselines): a score moved by up to
 * the tolerance, even when binned on an edge widened by it, then stays in its bin, except for
 * those few rows. Dense distinct scores put a few rows near any edge, each moving a count by one
 * at most; what must never sit there is a point mass. When no gap qualifies, the one with the
 * fewest scores that close is used. Scores are counted on these edges raised by one tolerance
 * (`scoreBinEdges`), which stays inside that empty neighbourhood.
 */
export function scoreEdges(scores: ArrayLike<number>, bins: number): number[] {
  const sorted = sortedFinite(scores);
  const n = sorted.length;
  const edges: number[] = [];
  const allowance = Math.floor(n / bins / 100);
  let from = 0; // first gap index the next edge may use (gap j lies between sorted[j] and sorted[j + 1])
  for (let b = 1; b < bins && from < n - 1; b++) {
    const first = Math.max(from, Math.min(n - 1, Math.floor((b * n) / bins)));
    const last = Math.min(n - 2, Math.max(first, Math.floor(((b + 1) * n) / bins) - 1));
    let best = -1;
    let bestEdge = 0;
    let bestAtRisk = Infinity;
    for (let j = first; j <= last && bestAtRisk > allowance; j++) {
      if (!(sorted[j + 1] > sorted[j])) continue;
      const edge = (sorted[j] + sorted[j + 1]) / 2;
      const reach = 2 * scoreTolerance(edge);
      const atRisk = lowerBound(sorted, edge + reach, true) - lowerBound(sorted, edge - reach, false);
      if (atRisk < bestAtRisk) {
        best = j;
        bestEdge = edge;
        bestAtRisk = atRisk;
      }
    }
    if (best < 0) continue;
    edges.push(bestEdge);
    from = best + 1;
  }
  return edges;
}

/** First index whose value is >= x (or > x when `after`), in an ascending array. */
function lowerBound(sorted: Float64Array, x: number, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x || (after && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function histogramOf(values: ArrayLike<number>, edges: number[]): Histogram {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const b = histogramBin(edges, values[i]);
    if (b >= 0) {
      counts[b]++;
      total++;
    }
  }
  return { edges, counts, freqs: counts.map((c) => (total > 0 ? c / total : 0)) };
}

/**
 * Numeric features are binned on edges that sit on feature values, which is safe: `X` is the
 * float32 matrix `writeFeatures` writes, the same numbers the service's aggregator bins, with the
 * same `histogramBin`. Scores are not the service's numbers: see `scoreEdges` and `scoreBinEdges`.
 * @param X feature rows (width = spec.featureNames.length)
 * @param categories raw categorical values per field, same row order
 * @param scores the trainer's predicted probabilities of evaluation rows
 */
export function computeBaseline(
  spec: FeatureSpec,
  X: Float32Array,
  rows: number,
  categories: Record<string, readonly string[]>,
  scores: ArrayLike<number>,
  bins = 20,
): BaselineDistributions {
  const width = spec.featureNames.length;
  const numeric: Record<string, Histogram> = {};
  const col = new Float64Array(rows);
  spec.featureNames.forEach((name, f) => {
    if ((CATEGORICAL_FEATURES as readonly string[]).includes(name)) return;
    for (let i = 0; i < rows; i++) col[i] = X[i * width + f];
    numeric[name] = histogramOf(col, quantileEdges(col, bins));
  });
  const categorical: Record<string, Record<string, number>> = {};
  for (const field of CATEGORICAL_FIELDS) {
    const known = new Set(spec.categorical[field].categories);
    const counts: Record<string, number> = {};
    const values = categories[field] ?? [];
    for (const v of values) {
      const k = known.has(v) ? v : UNKNOWN_CATEGORY;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    categorical[field] = Object.fromEntries(
      Object.entries(counts).map(([k, c]) => [k, c / Math.max(1, values.length)]),
    );
  }
  const edges = scoreEdges(scores, bins);
  const score: Histogram = { ...histogramOf(scores, scoreBinEdges(edges)), edges };
  return { numeric, categorical, score, rows };
}
