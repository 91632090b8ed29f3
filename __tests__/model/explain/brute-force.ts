/**
 * Shapley values by definition, for tests: enumerate every subset S of the features and apply
 * phi_i = sum_S |S|! (M - |S| - 1)! / M! * (v(S + i) - v(S)), with the path-dependent game
 * v(S) = E[f(x) | x_S]: features in S follow x; at a split on any other feature both children
 * are taken, weighted by cover[child] / cover[node]. Exponential in M: small M only.
 */
import type { TreeEnsemble } from '../../../model/explain';

function conditional(e: TreeEnsemble, x: ArrayLike<number>, inS: (f: number) => boolean, n: number): number {
  const f = e.feature[n];
  if (f < 0) return e.value[n];
  if (inS(f)) {
    const v = x[f];
    const left = v <= e.threshold[n] || (Number.isNaN(v) && e.missingLeft[n] === 1);
    return conditional(e, x, inS, left ? e.left[n] : e.right[n]);
  }
  const l = e.left[n];
  const r = e.right[n];
  return (e.cover[l] * conditional(e, x, inS, l) + e.cover[r] * conditional(e, x, inS, r)) / e.cover[n];
}

/** v(S) for the subset given as a bit mask over features. */
export function coalitionValue(e: TreeEnsemble, x: ArrayLike<number>, mask: number): number {
  let sum = e.baseScore;
  for (let t = 0; t + 1 < e.treeStart.length; t++) {
    sum += conditional(e, x, (f) => ((mask >> f) & 1) === 1, e.treeStart[t]);
  }
  return sum;
}

/** Exact Shapley values of one row x (length = width) and the bias v(empty set). */
export function bruteForceShapley(e: TreeEnsemble, x: ArrayLike<number>): { phi: number[]; bias: number } {
  const m = e.width;
  const v = new Float64Array(1 << m);
  for (let mask = 0; mask < 1 << m; mask++) v[mask] = coalitionValue(e, x, mask);
  const fact = [1];
  for (let i = 1; i <= m; i++) fact.push(fact[i - 1] * i);
  const phi = new Array<number>(m).fill(0);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      phi[i] += ((fact[size] * fact[m - size - 1]) / fact[m]) * (v[mask | (1 << i)] - v[mask]);
    }
  }
  return { phi, bias: v[0] };
}
