/**
 * The three hot loops of the GBDT trainer over the packed row store (see gbdt_impl.ts).
 *
 * These functions are SELF-CONTAINED on purpose (typed arrays and numbers in, no imports, no
 * closures, no inner functions): parallel.ts ships their source text to a worker thread with
 * `Function.prototype.toString`, so main thread and worker run the very same code.
 *
 * Histogram layout: feature f owns slots off3[f] .. off3[f] + 3*nBins[f] - 1; bin b of f is the
 * triple at `off3[f] + 3b`: [sum of gradients, sum of hessians, row count]. Bin 0 = missing.
 */

/** g = p - y and h = p (1 - p) for rows [start, end); the label is byte `width` of each row. */
export function kGradients(
  recB: Uint8Array,
  sb: number,
  width: number,
  margin: Float64Array,
  gh: Float32Array,
  start: number,
  end: number,
): void {
  for (let k = start; k < end; k++) {
    const p = 1 / (1 + Math.exp(-margin[k]));
    gh[2 * k] = p - recB[k * sb + width];
    const h = p * (1 - p);
    gh[2 * k + 1] = h > 1e-16 ? h : 1e-16;
  }
}

/** Overwrites `hist` with the sums over the contiguous rows [start, end) for the active features. */
export function kHistogram(
  recB: Uint8Array,
  sb: number,
  width: number,
  gh: Float32Array,
  start: number,
  end: number,
  feats: Int32Array,
  nFeats: number,
  hist: Float64Array,
  off3: Int32Array,
): void {
  hist.fill(0);
  if (nFeats === width) {
    for (let k = start; k < end; k++) {
      const g = gh[2 * k];
      const h = gh[2 * k + 1];
      const row = k * sb;
      for (let f = 0; f < width; f++) {
        const p = off3[f] + recB[row + f] * 3;
        hist[p] += g;
        hist[p + 1] += h;
        hist[p + 2] += 1;
      }
    }
    return;
  }
  for (let k = start; k < end; k++) {
    const g = gh[2 * k];
    const h = gh[2 * k + 1];
    const row = k * sb;
    for (let j = 0; j < nFeats; j++) {
      const f = feats[j];
      const p = off3[f] + recB[row + f] * 3;
      hist[p] += g;
      hist[p + 1] += h;
      hist[p + 2] += 1;
    }
  }
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
