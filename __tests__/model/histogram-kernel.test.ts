import { Rng } from '../../model/data/rng';
import { histogramKernel } from '../../model/train/histogram-kernel';

/** The generic loop the compiled kernel replaces (the reference: same adds, same order). */
function reference(
  recB: Uint8Array,
  sb: number,
  gh: Float32Array,
  start: number,
  end: number,
  feats: Int32Array,
  nFeats: number,
  off3: Int32Array,
  size: number,
): Float64Array {
  const hist = new Float64Array(size);
  for (let k = start; k < end; k++) {
    for (let j = 0; j < nFeats; j++) {
      const p = off3[feats[j]] + recB[k * sb + feats[j]] * 3;
      hist[p] += gh[2 * k];
      hist[p + 1] += gh[2 * k + 1];
      hist[p + 2] += 1;
    }
  }
  return hist;
}

function store(rows: number, sb: number, nBins: number[], seed: number) {
  const rng = new Rng(seed);
  const recB = new Uint8Array(rows * sb);
  for (let k = 0; k < rows; k++)
    for (let f = 0; f < nBins.length; f++) recB[k * sb + f] = rng.int(0, nBins[f] - 1);
  const gh = Float32Array.from({ length: 2 * rows }, (_, i) => (i % 2 ? rng.next() : rng.next() - 0.5));
  const off3 = new Int32Array(nBins.length);
  let size = 0;
  nBins.forEach((b, f) => {
    off3[f] = size;
    size += 3 * b;
  });
  return { recB, gh, off3, size };
}

test.each([
  [
    'every feature, 12-byte rows',
    12,
    [255, 25, 3, 8, 255, 2, 18, 7, 11, 3, 255],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  ],
  ['a column sample, 8-byte rows', 8, [5, 255, 4, 2, 30, 9], [1, 4, 5]],
  ['one feature', 4, [200, 3], [1]],
])('the compiled histogram equals the generic loop bit for bit: %s', (_name, sb, nBins, active) => {
  const rows = 5_000;
  const { recB, gh, off3, size } = store(rows, sb, nBins, sb);
  const feats = Int32Array.from(active);
  const want = reference(recB, sb, gh, 17, rows - 3, feats, feats.length, off3, size);
  const got = new Float64Array(size).fill(NaN); // the kernel clears it first
  histogramKernel(sb, feats, feats.length, off3)(recB, gh, 17, rows - 3, got);
  expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  expect(histogramKernel(sb, feats, feats.length, off3)).toBe(histogramKernel(sb, feats, feats.length, off3)); // cached
});

test('a layout that is not made of small integers is refused, never compiled', () => {
  const off3 = Int32Array.from([0, 765]);
  expect(() => histogramKernel(0, Int32Array.from([0]), 1, off3)).toThrow(/bad row size 0/);
  expect(() => histogramKernel(12, Int32Array.from([12]), 1, Int32Array.from([0]))).toThrow(/bad feature 12/);
  expect(() => histogramKernel(12, Int32Array.from([1]), 1, Int32Array.from([0, -3]))).toThrow(/offset -3/);
});
