/**
 * Logistic-regression baseline on the same feature rows (standardized; missing -> mean),
 * fitted by Newton's method with a small L2 penalty. It is what the GBDT has to beat in the
 * report; it is not exported or served.
 */

export interface LogisticModel {
  kind: 'logistic';
  width: number;
  mean: Float64Array;
  scale: Float64Array;
  /** weights[0] is the intercept, weights[1 + f] the weight of standardized feature f. */
  weights: Float64Array;
}

export interface LogisticOptions {
  /** Newton iterations. @default 25 */
  readonly iterations?: number;
  /** L2 penalty on weights (not the intercept). @default 1e-4 per row */
  readonly l2?: number;
}

function solve(A: Float64Array, b: Float64Array, d: number): Float64Array {
  // Gaussian elimination with partial pivoting on a small dense system (d <= ~30).
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(M[r * d + c]) > Math.abs(M[piv * d + c])) piv = r;
    if (piv !== c) {
      for (let k = 0; k < d; k++) [M[c * d + k], M[piv * d + k]] = [M[piv * d + k], M[c * d + k]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    const diag = M[c * d + c] || 1e-12;
    for (let r = c + 1; r < d; r++) {
      const f = M[r * d + c] / diag;
      if (f === 0) continue;
      for (let k = c; k < d; k++) M[r * d + k] -= f * M[c * d + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = d - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < d; k++) s -= M[r * d + k] * x[k];
    x[r] = s / (M[r * d + r] || 1e-12);
  }
  return x;
}

export function trainLogistic(
  X: Float32Array,
  y: Uint8Array,
  rows: number,
  width: number,
  options: LogisticOptions = {},
): LogisticModel {
  const iterations = options.iterations ?? 25;
  const l2 = (options.l2 ?? 1e-4) * rows;
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  const cnt = new Float64Array(width);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < width; f++) {
      const v = X[i * width + f];
      if (v === v) {
        mean[f] += v;
        cnt[f]++;
      }
    }
  }
  for (let f = 0; f < width; f++) mean[f] = cnt[f] > 0 ? mean[f] / cnt[f] : 0;
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < width; f++) {
      const v = X[i * width + f];
      if (v === v) scale[f] += (v - mean[f]) ** 2;
    }
  }
  for (let f = 0; f < width; f++) {
    const sd = cnt[f] > 1 ? Math.sqrt(scale[f] / cnt[f]) : 0;
    scale[f] = sd > 1e-12 ? 1 / sd : 0;
  }
  const d = width + 1;
  const w = new Float64Array(d);
  const z = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let i = 0; i < rows; i++) {
      z[0] = 1;
      for (let f = 0; f < width; f++) {
        const v = X[i * width + f];
        z[f + 1] = v === v ? (v - mean[f]) * scale[f] : 0;
      }
      let m = 0;
      for (let k = 0; k < d; k++) m += w[k] * z[k];
      const p = 1 / (1 + Math.exp(-m));
      const g = p - y[i];
      const h = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < d; a++) {
        grad[a] += g * z[a];
        const hz = h * z[a];
        for (let b = a; b < d; b++) hess[a * d + b] += hz * z[b];
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) hess[a * d + b] = hess[b * d + a];
      if (a > 0) {
        grad[a] += l2 * w[a];
        hess[a * d + a] += l2;
      }
    }
    const step = solve(hess, grad, d);
    let change = 0;
    for (let k = 0; k < d; k++) {
      w[k] -= step[k];
      change = Math.max(change, Math.abs(step[k]));
    }
    if (change < 1e-8) break;
  }
  return { kind: 'logistic', width, mean, scale, weights: w };
}

export function predictLogistic(model: LogisticModel, X: Float32Array, rows: number): Float64Array {
  const { width, mean, scale, weights } = model;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let m = weights[0];
    for (let f = 0; f < width; f++) {
      const v = X[i * width + f];
      if (v === v) m += weights[f + 1] * (v - mean[f]) * scale[f];
    }
    out[i] = 1 / (1 + Math.exp(-m));
  }
  return out;
}
