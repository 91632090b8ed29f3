/**
 * Typed-array helpers of the histogram GBDT (no objects per row or per bin); the three hottest
 * loops are in kernels.ts. Histogram layout: see kernels.ts. Sizing each feature's slice by its
 * real bin count (hour: 25 bins, not 256) keeps a histogram within L1 cache for typical data.
 */

import { sharedF32, sharedF64, sharedU32, type Span } from './parallel';

/** Slot offsets of each feature's bins; `size` is the histogram length in float64s. */
export function histogramOffsets(nBins: Int32Array): { off3: Int32Array; size: number } {
  const off3 = new Int32Array(nBins.length);
  let size = 0;
  for (let f = 0; f < nBins.length; f++) {
    off3[f] = size;
    size += 3 * nBins[f];
  }
  return { off3, size };
}

/**
 * Training rows live in a packed, physically ordered store: row k's bins are bytes
 * `k*sb .. k*sb+width-1` of `recB` (a byte view of `rec`), its label is byte `k*sb+width`, and
 * `margin[k]`, `gh[2k]`, `gh[2k+1]` belong to the same row. Partitioning a node moves whole rows,
 * so every node is a contiguous range and histogram scans read memory sequentially (scattered
 * row indices cost a cache miss per row on 1M rows). Row identity is not needed: the trainer
 * only ever needs (bins, label, margin) together.
 */
export interface PackedRows {
  rec: Uint32Array;
  recB: Uint8Array;
  /** Words per row. */
  rb: number;
  /** Bytes per row (rb * 4). */
  sb: number;
  width: number;
  rows: number;
}

/** An empty store for `rows` rows on shared memory (filled by kBinRows or packRows). */
export function allocPackedRows(rows: number, width: number): PackedRows {
  const rb = (width + 1 + 3) >> 2;
  const sb = rb * 4;
  const rec = sharedU32(Math.max(1, rows * rb)); // shared with the worker
  return { rec, recB: new Uint8Array(rec.buffer), rb, sb, width, rows };
}

/** Packs row-major bins (rows x width) and labels into a PackedRows store. */
export function packRows(bins: Uint8Array, y: Uint8Array, rows: number, width: number): PackedRows {
  const store = allocPackedRows(rows, width);
  const { recB, sb } = store;
  for (let i = 0; i < rows; i++) {
    const src = i * width;
    const dst = i * sb;
    for (let f = 0; f < width; f++) recB[dst + f] = bins[src + f];
    recB[dst + width] = y[i];
  }
  return store;
}

/** Scratch buffers for row subsampling (one row's worth of each array per training row). */
export interface SampleScratch {
  rec: Uint32Array;
  margin: Float64Array;
  gh: Float32Array;
}

export function makeScratch(s: PackedRows): SampleScratch {
  return { rec: sharedU32(s.rows * s.rb), margin: sharedF64(s.rows), gh: sharedF32(2 * s.rows) };
}

/**
 * Row subsampling: in each half of the store (parallel.ts), moves a random subset of the rows
 * (each kept with probability `fraction`) to the front of that half; returns the in-bag rows as
 * a span. The first half is drawn first, then the second, from the one random stream.
 */
export function packedSample(
  s: PackedRows,
  margin: Float64Array,
  gh: Float32Array,
  fraction: number,
  next: () => number,
  scratch: SampleScratch,
  half: number,
): Span {
  const a1 = sampleToFront(s, margin, gh, fraction, next, scratch, 0, half);
  const b1 = sampleToFront(s, margin, gh, fraction, next, scratch, half, s.rows);
  return { a0: 0, a1, b0: half, b1 };
}

/** packedSample on the rows [start, end); returns the end of the in-bag rows. */
function sampleToFront(
  s: PackedRows,
  margin: Float64Array,
  gh: Float32Array,
  fraction: number,
  next: () => number,
  scratch: SampleScratch,
  start: number,
  end: number,
): number {
  const { rec, rb } = s;
  const sRec = scratch.rec;
  const sMar = scratch.margin;
  const sGh = scratch.gh;
  let l = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    if (next() < fraction) {
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
  rec.set(sRec.subarray(0, r * rb), l * rb);
  margin.set(sMar.subarray(0, r), l);
  gh.set(sGh.subarray(0, 2 * r), 2 * l);
  return l;
}

/** target = parent - child, for the active features only (the sibling's histogram). */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  feats: Int32Array,
  target: Float64Array,
  off3: Int32Array,
  nBins: Int32Array,
): void {
  for (let j = 0; j < feats.length; j++) {
    const off = off3[feats[j]];
    for (let p = off, end = off + 3 * nBins[feats[j]]; p < end; p++) target[p] = parent[p] - child[p];
  }
}

export interface SplitCandidate {
  gain: number;
  feature: number;
  /** Rows with value bin <= bin go left. */
  bin: number;
  /** Where missing (bin 0) rows go. */
  missingLeft: boolean;
  leftG: number;
  leftH: number;
  leftC: number;
}

export interface SplitConstraints {
  l2: number;
  minSamplesLeaf: number;
  minChildWeight: number;
  minGain: number;
}

/**
 * Best split of a node over the active features, or undefined. For every threshold both
 * missing directions are tried when the node has missing rows; when it has none, missing rows
 * at prediction time follow the side with more training rows.
 */
export function findBestSplit(
  hist: Float64Array,
  feats: Int32Array,
  nBins: Int32Array,
  off3: Int32Array,
  G: number,
  H: number,
  C: number,
  c: SplitConstraints,
): SplitCandidate | undefined {
  const l2 = c.l2;
  const parentScore = (G * G) / (H + l2);
  let best: SplitCandidate | undefined;
  let bestGain = c.minGain;
  for (let j = 0; j < feats.length; j++) {
    const f = feats[j];
    const base = off3[f];
    const G0 = hist[base];
    const H0 = hist[base + 1];
    const C0 = hist[base + 2];
    const nb = nBins[f];
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 1; b < nb; b++) {
      const p = base + b * 3;
      gl += hist[p];
      hl += hist[p + 1];
      cl += hist[p + 2];
      // Missing to the right.
      {
        const gr = G - gl;
        const hr = H - hl;
        const cr = C - cl;
        if (
          cl >= c.minSamplesLeaf &&
          cr >= c.minSamplesLeaf &&
          hl >= c.minChildWeight &&
          hr >= c.minChildWeight
        ) {
          const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = {
              gain,
              feature: f,
              bin: b,
              missingLeft: C0 === 0 ? cl > cr : false,
              leftG: gl,
              leftH: hl,
              leftC: cl,
            };
          }
        }
      }
      if (C0 > 0) {
        const gl2 = gl + G0;
        const hl2 = hl + H0;
        const cl2 = cl + C0;
        const gr = G - gl2;
        const hr = H - hl2;
        const cr = C - cl2;
        if (
          cl2 >= c.minSamplesLeaf &&
          cr >= c.minSamplesLeaf &&
          hl2 >= c.minChildWeight &&
          hr >= c.minChildWeight
        ) {
          const gain = (gl2 * gl2) / (hl2 + l2) + (gr * gr) / (hr + l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, feature: f, bin: b, missingLeft: true, leftG: gl2, leftH: hl2, leftC: cl2 };
          }
        }
      }
    }
  }
  return best;
}
