/**
 * The histogram loop, compiled for one store layout and one feature list.
 *
 * Why generate code: the generic loop (for each row, for each active feature f, slot =
 * off3[f] + 3 * bin) spends most of its time on what does not change during training: the inner
 * loop over features, the load of off3[f] and the bounds checks that come with both. Written out
 * with the features unrolled and the slot offsets as constants, the same sums take about half
 * the time (1,000,000 rows x 11 features: 29.9 ms -> 13.7 ms per pass, one thread, on the
 * 2-core bench machine; BENCHMARKS.md has the training time). Equality with the generic loop is
 * tested in __tests__/model/histogram-kernel.test.ts.
 *
 * The generated function adds exactly the same numbers in exactly the same order as the generic
 * loop (row by row, features in list order), so its result is bit-identical to it, and the main
 * thread and the worker thread (which each compile their own copy) agree bit for bit.
 *
 * The source is built only from integers checked here (no text from data or users), and the
 * compiled functions are cached per layout, so a training run compiles one or a few of them.
 */

/**
 * hist := sums over the contiguous store rows [start, end): for row k and active feature f, slot
 * `off3[f] + 3 * bin` gets += g, += h, += 1 (layout: kernels.ts).
 */
export type HistogramKernel = (
  recB: Uint8Array,
  gh: Float32Array,
  start: number,
  end: number,
  hist: Float64Array,
) => void;

/** Compiled kernels by layout; a training run uses one (or one per column sample). */
const cache = new Map<string, HistogramKernel>();
/** Colsample can ask for many feature subsets over a long run; keep the cache bounded. */
const MAX_CACHED = 64;

const isIndex = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0x7fffffff;

/**
 * The kernel for rows of `sb` bytes whose active features are `feats[0 .. nFeats)`, with
 * feature f's histogram slots starting at `off3[f]`.
 */
export function histogramKernel(
  sb: number,
  feats: Int32Array,
  nFeats: number,
  off3: Int32Array,
): HistogramKernel {
  let key = `${sb}`;
  for (let j = 0; j < nFeats; j++) key += `,${feats[j]}:${off3[feats[j]]}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!isIndex(sb) || sb === 0) throw new Error(`histogram kernel: bad row size ${sb}`);
  const lines: string[] = [];
  for (let j = 0; j < nFeats; j++) {
    const f = feats[j];
    const o = off3[f];
    if (!isIndex(f) || f >= sb || !isIndex(o))
      throw new Error(`histogram kernel: bad feature ${f} or offset ${o}`);
    lines.push(`p = ${o} + recB[row + ${f}] * 3; hist[p] += g; hist[p + 1] += h; hist[p + 2] += 1;`);
  }
  const source = [
    'hist.fill(0);',
    'let p = 0;',
    'for (let k = start; k < end; k++) {',
    '  const g = gh[2 * k];',
    '  const h = gh[2 * k + 1];',
    `  const row = k * ${sb};`,
    ...lines.map((l) => `  ${l}`),
    '}',
  ].join('\n');
  // Compiled from the checked integers above only (see the module comment).
  const kernel = new Function('recB', 'gh', 'start', 'end', 'hist', source) as HistogramKernel;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, kernel);
  return kernel;
}
