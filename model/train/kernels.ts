/**
 * The hot loops of the GBDT trainer over the packed row store (see gbdt_impl.ts). The main
 * thread and the worker thread (gbdt-worker.ts) import this same module, so both run the very
 * same code. Every kernel works on a row range [start, end) and its result for a row never
 * depends on where the range was cut, which is what keeps 1 and 2 threads bit-identical.
 *
 * Histogram layout: feature f owns slots off3[f] .. off3[f] + 3*nBins[f] - 1; bin b of f is the
 * triple at `off3[f] + 3b`: [sum of gradients, sum of hessians, row count]. Bin 0 = missing.
 */

import { histogramKernel } from './histogram-kernel';

/** Smallest hessian kept: a fully confident row still weighs a little (no division by ~0). */
const MIN_HESSIAN = 1e-16;

/**
 * Bins store rows [start, end) from the float32 matrix X (row-major, `width` columns) and writes
 * each label after its bins. Store row i < half holds input row 2i, and store row half + j input
 * row 2j + 1 (the halves interleave the input: parallel.ts). Feature f's upper edges are
 * `upper[upperOff[f] .. upperOff[f+1])`; a value goes to the first bin b (1-based) with
 * x <= upper edge, NaN to bin 0 (see binning.ts).
 */
export function kBinRows(
  X: Float32Array,
  y: Uint8Array,
  width: number,
  upper: Float64Array,
  upperOff: Int32Array,
  recB: Uint8Array,
  sb: number,
  start: number,
  end: number,
  half: number,
): void {
  for (let i = start; i < end; i++) {
    const row = i < half ? 2 * i : 2 * (i - half) + 1;
    const src = row * width;
    const dst = i * sb;
    for (let f = 0; f < width; f++) {
      const x = X[src + f];
      let bin = 0;
      if (x === x) {
        let lo = upperOff[f];
        let hi = upperOff[f + 1] - 1;
        const base = lo;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (x <= upper[mid]) hi = mid;
          else lo = mid + 1;
        }
        bin = lo - base + 1;
      }
      recB[dst + f] = bin;
    }
    recB[dst + width] = y[row];
  }
}

/** g = p - y and h = p (1 - p) of one row's margin m and label. */
function gradientInto(gh: Float32Array, k: number, m: number, label: number): void {
  const p = 1 / (1 + Math.exp(-m));
  gh[2 * k] = p - label;
  const h = p * (1 - p);
  gh[2 * k + 1] = h > MIN_HESSIAN ? h : MIN_HESSIAN;
}

/** Gradients for rows [start, end); the label is byte `width` of each row. */
export function kGradients(
  recB: Uint8Array,
  sb: number,
  width: number,
  margin: Float64Array,
  gh: Float32Array,
  start: number,
  end: number,
): void {
  for (let k = start; k < end; k++) gradientInto(gh, k, margin[k], recB[k * sb + width]);
}

/** Sum of the log losses of rows [start, end) under their margins (numerically stable). */
export function kLogLossSum(
  recB: Uint8Array,
  sb: number,
  width: number,
  margin: Float64Array,
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const m = margin[k];
    const z = recB[k * sb + width] === 1 ? -m : m;
    sum += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }
  return sum;
}

/** Fields per segment of `kApplyTree`'s table. */
export const SEGMENT_FIELDS = 7;

/**
 * Adds a finished tree's leaf values to the margins of rows [start, end) and computes the next
 * round's gradients in the same pass. The tree arrives as a table of disjoint row segments that
 * cover the range (rows of a leaf are contiguous after partitioning), `SEGMENT_FIELDS` numbers
 * each: [first row, end row, feature, bin, missingLeft, left value, right value]. feature < 0
 * means every row of the segment gets the left value; otherwise the segment is a last-level
 * split whose rows were not moved, and each row picks its side by its bin.
 */
export function kApplyTree(
  recB: Uint8Array,
  sb: number,
  width: number,
  margin: Float64Array,
  gh: Float32Array,
  start: number,
  end: number,
  seg: Float64Array,
  nSeg: number,
): void {
  for (let s = 0; s < nSeg; s++) {
    const o = s * SEGMENT_FIELDS;
    const a = seg[o] > start ? seg[o] : start;
    const b = seg[o + 1] < end ? seg[o + 1] : end;
    if (a >= b) continue;
    const feature = seg[o + 2];
    const lv = seg[o + 5];
    if (feature < 0) {
      for (let k = a; k < b; k++) {
        const m = margin[k] + lv;
        margin[k] = m;
        gradientInto(gh, k, m, recB[k * sb + width]);
      }
    } else {
      const bin = seg[o + 3];
      const missLeft = seg[o + 4] === 1;
      const rv = seg[o + 6];
      for (let k = a; k < b; k++) {
        const row = k * sb;
        const v = recB[row + feature];
        const m = margin[k] + ((v === 0 ? missLeft : v <= bin) ? lv : rv);
        margin[k] = m;
        gradientInto(gh, k, m, recB[row + width]);
      }
    }
  }
}

/**
 * Overwrites `hist` with the sums over the contiguous rows [start, end) for the active features
 * `feats[0 .. nFeats)`: the loop compiled for this layout (histogram-kernel.ts). `width` is
 * implied by the layout and kept for the callers' uniform signature.
 */
export function kHistogram(
  recB: Uint8Array,
  sb: number,
  _width: number,
  gh: Float32Array,
  start: number,
  end: number,
  feats: Int32Array,
  nFeats: number,
  hist: Float64Array,
  off3: Int32Array,
): void {
  histogramKernel(sb, feats, nFeats, off3)(recB, gh, start, end, hist);
}

/**
 * In-place partition of rows [start, end) (Hoare style: a row that belongs right is swapped with
 * one from the end that belongs left, so only misplaced rows move; for a 95/5 split that is ~5 %
 * of the rows). Returns how many rows went left; they are now [start, start + result). A row goes
 * left when its bin <= `bin`, or when the bin is 0 (missing) and `missLeft` is 1. The order
 * inside each side is not preserved, but it is a pure function of the input, so training stays
 * deterministic.
 */
export function kPartition(
  rec: Uint32Array,
  recB: Uint8Array,
  rb: number,
  sb: number,
  margin: Float64Array,
  gh: Float32Array,
  start: number,
  end: number,
  feature: number,
  bin: number,
  missLeft: number,
): number {
  let i = start;
  let j = end;
  for (;;) {
    while (i < j) {
      const b = recB[i * sb + feature];
      if (b === 0 ? missLeft === 1 : b <= bin) i++;
      else break;
    }
    while (i < j) {
      const b = recB[(j - 1) * sb + feature];
      if (b === 0 ? missLeft === 1 : b <= bin) break;
      j--;
    }
    if (i >= j) break;
    const k = j - 1;
    for (let w = 0; w < rb; w++) {
      const t = rec[i * rb + w];
      rec[i * rb + w] = rec[k * rb + w];
      rec[k * rb + w] = t;
    }
    const m = margin[i];
    margin[i] = margin[k];
    margin[k] = m;
    const g = gh[2 * i];
    gh[2 * i] = gh[2 * k];
    gh[2 * k] = g;
    const h = gh[2 * i + 1];
    gh[2 * i + 1] = gh[2 * k + 1];
    gh[2 * k + 1] = h;
    i++;
    j--;
  }
  return i - start;
}
