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
 * Stable partition of rows [start, end): rows going left are compacted in place from `start`
 * (returns how many); rows going right are copied, in order, to the scratch arrays from index
 * `start`. The caller moves them back (parallel.ts merges two halves this way). A row goes left
 * when its bin <= `bin`, or when the bin is 0 (missing) and `missLeft` is 1.
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
  sRec: Uint32Array,
  sMar: Float64Array,
  sGh: Float32Array,
): number {
  let l = start;
  let r = start;
  if (rb === 3) {
    // Up to 11 features: copy every row to both destinations without branching; only the
    // counters depend on the comparison (a random split defeats branch prediction).
    for (let k = start; k < end; k++) {
      const b = recB[k * sb + feature];
      const left = b === 0 ? missLeft : b <= bin ? 1 : 0;
      const k3 = k * 3;
      const w0 = rec[k3];
      const w1 = rec[k3 + 1];
      const w2 = rec[k3 + 2];
      const m = margin[k];
      const g = gh[2 * k];
      const h = gh[2 * k + 1];
      const l3 = l * 3;
      rec[l3] = w0;
      rec[l3 + 1] = w1;
      rec[l3 + 2] = w2;
      margin[l] = m;
      gh[2 * l] = g;
      gh[2 * l + 1] = h;
      const r3 = r * 3;
      sRec[r3] = w0;
      sRec[r3 + 1] = w1;
      sRec[r3 + 2] = w2;
      sMar[r] = m;
      sGh[2 * r] = g;
      sGh[2 * r + 1] = h;
      l += left;
      r += 1 - left;
    }
    return l - start;
  }
  for (let k = start; k < end; k++) {
    const b = recB[k * sb + feature];
    const goLeft = b === 0 ? missLeft === 1 : b <= bin;
    if (goLeft) {
      if (l !== k) {
        for (let w = 0; w < rb; w++) rec[l * rb + w] = rec[k * rb + w];
        margin[l] = margin[k];
        gh[2 * l] = gh[2 * k];
        gh[2 * l + 1] = gh[2 * k + 1];
      }
      l++;
    } else {
      for (let w = 0; w < rb; w++) sRec[r * rb + w] = rec[k * rb + w];
      sMar[r] = margin[k];
      sGh[2 * r] = gh[2 * k];
      sGh[2 * r + 1] = gh[2 * k + 1];
      r++;
    }
  }
  return l - start;
}
