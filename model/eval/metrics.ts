/**
 * Binary-classification metrics on typed arrays: ROC AUC (tie-aware), PR AUC (average
 * precision), log loss, Brier score, calibration table, confusion matrix, curves for plots.
 */

/** Scores sorted descending (ties by index). NaN scores are an error: they cannot be ranked. */
function orderByScoreDesc(scores: ArrayLike<number>): Uint32Array {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`score ${i} is NaN; metrics need numeric scores`);
  }
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** ROC AUC = P(score of a random positive > random negative), ties count 1/2. */
export function rocAuc(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = orderByScoreDesc(scores);
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) pos++;
    else neg++;
  }
  if (pos === 0 || neg === 0) return NaN;
  // Walk groups of tied scores from the top; each negative beats the positives seen below it.
  let area = 0;
  let posAbove = 0;
  for (let k = 0; k < order.length; ) {
    let p = 0;
    let q = 0;
    const s = scores[order[k]];
    while (k < order.length && scores[order[k]] === s) {
      if (y[order[k]] === 1) p++;
      else q++;
      k++;
    }
    area += q * (posAbove + p / 2);
    posAbove += p;
  }
  return area / (pos * neg);
}

/** Average precision (area under the precision-recall step curve), ties grouped. */
export function prAuc(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = orderByScoreDesc(scores);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] === 1 ? 1 : 0;
  if (pos === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let k = 0; k < order.length; ) {
    const s = scores[order[k]];
    let p = 0;
    while (k < order.length && scores[order[k]] === s) {
      if (y[order[k]] === 1) p++;
      else fp++;
      k++;
    }
    tp += p;
    if (p > 0) ap += (p / pos) * (tp / (tp + fp));
  }
  return ap;
}

export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
  return s / y.length;
}

export interface CalibrationBin {
  /** Predicted-probability range of the bin. */
  lo: number;
  hi: number;
  rows: number;
  meanPredicted: number;
  observedRate: number;
}

/** Calibration table on equal-count bins of the predicted probability. @param bins @default 10 */
export function calibrationTable(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const order = orderByScoreDesc(p).reverse();
  const out: CalibrationBin[] = [];
  const n = order.length;
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let sp = 0;
    let sy = 0;
    for (let k = start; k < end; k++) {
      sp += p[order[k]];
      sy += y[order[k]];
    }
    out.push({
      lo: p[order[start]],
      hi: p[order[end - 1]],
      rows: end - start,
      meanPredicted: sp / (end - start),
      observedRate: sy / (end - start),
    });
  }
  return out;
}

export interface Confusion {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Confusion matrix for `p >= threshold` meaning "fraud". */
export function confusionAt(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const hit = p[i] >= threshold;
    if (y[i] === 1) {
      if (hit) tp++;
      else fn++;
    } else if (hit) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, tp, fp, tn, fn, precision, recall, f1 };
}

/** Threshold maximizing F1 (a score value from `p`); 0.5 when there are no positives. */
export function bestF1Threshold(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const order = orderByScoreDesc(p);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0) return 0.5;
  let tp = 0;
  let fp = 0;
  let best = -1;
  let bestT = 0.5;
  for (let k = 0; k < order.length; ) {
    const s = p[order[k]];
    while (k < order.length && p[order[k]] === s) {
      if (y[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    const f1 = (2 * tp) / (tp + fp + pos);
    if (f1 > best) {
      best = f1;
      bestT = s;
    }
  }
  return bestT;
}

export interface CurvePoint {
  x: number;
  y: number;
}

/** ROC curve (FPR, TPR) and PR curve (recall, precision), thinned to at most `maxPoints`. */
export function curves(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  maxPoints = 400,
): { roc: CurvePoint[]; pr: CurvePoint[] } {
  const order = orderByScoreDesc(p);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const neg = y.length - pos;
  const roc: CurvePoint[] = [{ x: 0, y: 0 }];
  const pr: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  const step = Math.max(1, Math.floor(order.length / maxPoints));
  let next = step;
  for (let k = 0; k < order.length; ) {
    const s = p[order[k]];
    while (k < order.length && p[order[k]] === s) {
      if (y[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    if (k >= next || k === order.length) {
      roc.push({ x: neg > 0 ? fp / neg : 0, y: pos > 0 ? tp / pos : 0 });
      pr.push({ x: pos > 0 ? tp / pos : 0, y: tp / (tp + fp) });
      next = k + step;
    }
  }
  return { roc, pr };
}

export interface EvaluationSummary {
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
}

export function summarize(y: ArrayLike<number>, p: ArrayLike<number>): EvaluationSummary {
  return { rocAuc: rocAuc(y, p), prAuc: prAuc(y, p), logLoss: logLoss(y, p), brier: brier(y, p) };
}
