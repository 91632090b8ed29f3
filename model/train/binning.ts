/**
 * Quantile binning of float32 feature columns into uint8 bins.
 *
 * Bin 0 is reserved for missing (NaN). Value bins are 1..nBins; bin b holds x with
 * `upper[b-2] < x <= upper[b-1]` and `upper[nBins-1] = +Infinity`. Every finite upper edge is
 * an actual float32 data value, so the tree rule `x <= upper[b-1]` evaluated in float32 (as
 * ONNX Runtime does) selects exactly the rows whose bin is <= b: trainer and runtime agree.
 */

export const MISSING_BIN = 0;
/** Up to 255 value bins + the missing bin fit a uint8. */
export const MAX_BINS = 255;

export interface FeatureBins {
  /** Upper edge of each value bin (float32-exact numbers); the last is +Infinity. */
  upper: Float64Array;
}

export interface BinnedMatrix {
  rows: number;
  width: number;
  /** Row-major: bins[row * width + feature]. Row-major keeps one row's bins in one cache line. */
  bins: Uint8Array;
}

/** Distinct values of a sorted column sample (NaN, which typed-array sort puts last, dropped). */
function distinctOfSorted(sorted: Float32Array, valid: number): Float64Array {
  const out = new Float64Array(valid);
  let n = 0;
  for (let i = 0; i < valid; i++) if (n === 0 || sorted[i] !== out[n - 1]) out[n++] = sorted[i];
  return out.subarray(0, n);
}

/**
 * Learns bin edges per feature from (a deterministic stride sample of) the rows.
 * @param maxBins value bins per feature (2..255). @default 255
 * @param sampleRows rows used to place quantile edges. @default 200000
 */
export function fitBins(
  X: Float32Array,
  rows: number,
  width: number,
  maxBins = MAX_BINS,
  sampleRows = 200_000,
): FeatureBins[] {
  if (maxBins < 2 || maxBins > MAX_BINS) throw new Error(`maxBins must be in 2..${MAX_BINS}, got ${maxBins}`);
  const stride = Math.max(1, Math.floor(rows / sampleRows));
  const nSample = Math.ceil(rows / stride);
  const out: FeatureBins[] = [];
  const col = new Float32Array(nSample);
  for (let f = 0; f < width; f++) {
    for (let s = 0, i = 0; s < nSample; s++, i += stride) col[s] = X[i * width + f];
    const sorted = col.sort(); // in place: the sample is rebuilt for each feature
    let valid = sorted.length;
    while (valid > 0 && Number.isNaN(sorted[valid - 1])) valid--;
    const distinct = distinctOfSorted(sorted, valid);
    let edges: number[];
    if (distinct.length <= maxBins) {
      edges = Array.from(distinct);
    } else {
      // Quantile edges over the sorted sample (with repeats), deduplicated.
      edges = [];
      for (let b = 1; b < maxBins; b++) {
        const v = sorted[Math.min(valid - 1, Math.floor((b * valid) / maxBins))];
        if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
      }
    }
    if (edges.length === 0) edges.push(0);
    edges[edges.length - 1] = Infinity; // values above the sample's range land in the last bin
    out.push({ upper: Float64Array.from(edges) });
  }
  return out;
}

/** Bin of one value: 0 for NaN, else the first b (1-based) with x <= upper[b-1]. */
export function binOf(upper: Float64Array, x: number): number {
  if (x !== x) return MISSING_BIN;
  let lo = 0;
  let hi = upper.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= upper[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** Applies learned edges to a matrix (training, validation or any new rows). */
export function binMatrix(
  X: Float32Array,
  rows: number,
  width: number,
  bins: readonly FeatureBins[],
): BinnedMatrix {
  const out = new Uint8Array(rows * width);
  for (let f = 0; f < width; f++) {
    const upper = bins[f].upper;
    for (let i = 0, o = f; i < rows; i++, o += width) out[o] = binOf(upper, X[o]);
  }
  return { rows, width, bins: out };
}
