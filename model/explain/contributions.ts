/**
 * Turning SHAP values into what people read: the top-k contributions of one prediction, and the
 * global importance (mean |SHAP| per feature) for the model report.
 */
import { TreeShap } from './tree-shap';

/** Contributions returned per row when the caller does not say. */
export const DEFAULT_TOP_K = 5;

export interface Contribution {
  /** Model feature name, e.g. `amount_to_avg_spend`. */
  readonly feature: string;
  /** The value the model saw (numbers), or the raw category sent (categorical features; null when missing). */
  readonly value: number | string | null;
  /** Log-odds this feature adds to the margin (SHAP value). */
  readonly contribution: number;
}

export interface RowExplanation {
  /** E[margin] over the training data: where every explanation starts (log-odds). */
  readonly bias: number;
  /** The row's raw margin: bias + the contributions of every feature (log-odds). */
  readonly margin: number;
  /** The k largest contributions by absolute value, largest first. */
  readonly top: Contribution[];
  /** Sum of the contributions not in `top`, so bias + top + rest = margin. */
  readonly rest: number;
}

/**
 * Indices of the k largest |phi| in descending order (ties: lower index first). k is small, so
 * an insertion into a k-long list beats sorting all features.
 */
export function topIndices(phi: ArrayLike<number>, width: number, k: number): number[] {
  const top: number[] = [];
  for (let f = 0; f < width; f++) {
    const a = Math.abs(phi[f]);
    let pos = top.length;
    while (pos > 0 && Math.abs(phi[top[pos - 1]]) < a) pos--;
    if (pos < k) {
      top.splice(pos, 0, f);
      if (top.length > k) top.pop();
    }
  }
  return top;
}

/**
 * Builds one row's explanation from its SHAP values. `valueOf(f)` gives the displayed input
 * value of feature f (the caller knows raw categories; see the service and the batch CLI).
 */
export function rowExplanation(
  phi: Float64Array,
  bias: number,
  margin: number,
  featureNames: readonly string[],
  k: number,
  valueOf: (feature: number) => number | string | null,
): RowExplanation {
  const width = featureNames.length;
  const idx = topIndices(phi, width, k);
  let all = 0;
  for (let f = 0; f < width; f++) all += phi[f];
  let shown = 0;
  const top = idx.map((f) => {
    shown += phi[f];
    return { feature: featureNames[f], value: valueOf(f), contribution: phi[f] };
  });
  return { bias, margin, top, rest: all - shown };
}

/** Mean |SHAP| per feature over `rows` rows of X (row-major, the ensemble's width). */
export function meanAbsShap(shap: TreeShap, X: ArrayLike<number>, rows: number): Float64Array {
  const width = shap.ensemble.width;
  const phi = new Float64Array(width);
  const sum = new Float64Array(width);
  for (let i = 0; i < rows; i++) {
    shap.explainRow(X, i, phi);
    for (let f = 0; f < width; f++) sum[f] += Math.abs(phi[f]);
  }
  for (let f = 0; f < width; f++) sum[f] /= Math.max(1, rows);
  return sum;
}
