/**
 * The path-weight algebra of TreeSHAP (Lundberg et al. 2018, Algorithm 2; shap's tree_shap.h):
 * a path of unique features, each with the fraction of training rows that follow it (`zero`) and
 * whether the explained row follows it (`one`), carries weights `pw[i]` for coalitions of size i.
 * `extendPath` adds a feature, `unwindPath` removes one, `unwoundPathSum` is the weight sum with
 * one feature removed (without changing the path). A path starts at `path` in the four arrays.
 */

/** Adds (zero, one, feature) as element `depth` of the path. */
export function extendPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  path: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  pf[path + depth] = feature;
  pz[path + depth] = zero;
  po[path + depth] = one;
  pw[path + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    pw[path + i + 1] += (one * pw[path + i] * (i + 1)) / (depth + 1);
    pw[path + i] = (zero * pw[path + i] * (depth - i)) / (depth + 1);
  }
}

export function unwindPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  path: number,
  depth: number,
  index: number,
): void {
  const one = po[path + index];
  const zero = pz[path + index];
  let next = pw[path + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[path + i];
      pw[path + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (pw[path + i] * zero * (depth - i)) / (depth + 1);
    } else {
      pw[path + i] = (pw[path + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    pf[path + i] = pf[path + i + 1];
    pz[path + i] = pz[path + i + 1];
    po[path + i] = po[path + i + 1];
  }
}

/** Sum of the path weights if element `index` were unwound (without changing the path). */
export function unwoundPathSum(
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  path: number,
  depth: number,
  index: number,
): number {
  const one = po[path + index];
  const zero = pz[path + index];
  let next = pw[path + depth];
  let total = 0;
  // Inverse of extendPath, summing the recovered weights w[i] = tmp * (depth + 1).
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = pw[path + i] - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += pw[path + i] / (zero * (depth - i));
  }
  return total * (depth + 1);
}
