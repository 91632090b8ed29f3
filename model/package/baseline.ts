/**
 * Baseline distributions stored in the manifest for drift checks: quantile bins per numeric
 * feature, category frequencies per raw categorical field, and the score histogram.
 * Bin semantics are those of `Histogram` in manifest.ts.
 */
import { CATEGORICAL_FIELDS, CATEGORICAL_FEATURES, UNKNOWN_CATEGORY, type FeatureSpec } from '../features';
import type { BaselineDistributions, Histogram } from './manifest';
import { histogramBin } from './manifest';

/** Quantile edges (deduplicated) of the finite values, `bins - 1` inner edges. */
export function quantileEdges(values: ArrayLike<number>, bins: number): number[] {
  const sorted = Float64Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort();
  const edges: number[] = [];
  if (sorted.length === 0) return edges;
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
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
 * @param X feature rows (width = spec.featureNames.length)
 * @param categories raw categorical values per field, same row order
 * @param scores predicted probabilities of evaluation rows
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
  return { numeric, categorical, score: histogramOf(scores, quantileEdges(scores, bins)), rows };
}
