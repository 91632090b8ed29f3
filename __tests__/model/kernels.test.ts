import { Rng } from '../../model/data/rng';
import { histogramOffsets, makeScratch, packRows } from '../../model/train/gbdt_impl';
import { kHistogram } from '../../model/train/kernels';
import { HalfRunner, sharedF32, sharedF64, sharedI32 } from '../../model/train/parallel';

/** A packed store of random rows: 3 features with bins 0..4 (0 = missing), margin = row id. */
function setup(n: number, threads: number) {
  const rng = new Rng(n);
  const width = 3;
  const bins = new Uint8Array(n * width);
  for (let i = 0; i < bins.length; i++) bins[i] = rng.int(0, 4);
  const y = Uint8Array.from({ length: n }, () => rng.int(0, 1));
  const store = packRows(bins, y, n, width);
  const margin = sharedF64(n);
  const gh = sharedF32(2 * n);
  for (let i = 0; i < n; i++) {
    margin[i] = i;
    gh[2 * i] = rng.next() - 0.5;
    gh[2 * i + 1] = rng.next();
  }
  const nBins = Int32Array.from([5, 5, 5]);
  const { off3, size } = histogramOffsets(nBins);
  const s = makeScratch(store);
  const feats = sharedI32(width);
  feats.set([0, 1, 2]);
  const off = sharedI32(width);
  off.set(off3);
  const runner = new HalfRunner(
    {
      rec: store.rec,
      rb: store.rb,
      width,
      margin,
      gh,
      sRec: s.rec,
      sMar: s.margin,
      sGh: s.gh,
      off3: off,
      feats,
      histSize: size,
    },
    threads,
  );
  return { store, margin, gh, runner, off3, size, bins, width };
}

test.each([1, 2])('partition keeps rows whole and splits them by the rule (%i thread(s))', (threads) => {
  const n = 50_000;
  const { store, margin, gh, runner, bins, width } = setup(n, threads);
  const before = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) before.set(i, [gh[2 * i], gh[2 * i + 1]]);
  try {
    expect(runner.parallel).toBe(threads === 2);
    const mid = runner.partition(1000, n, 1, 2, true); // left: bin <= 2 or missing
    const problems: string[] = [];
    for (let k = 0; k < n && problems.length < 5; k++) {
      const id = margin[k];
      // Bins, label, margin and gradients travelled together.
      for (let f = 0; f < width; f++) {
        if (store.recB[k * store.sb + f] !== bins[id * width + f])
          problems.push(`row ${k}: bin ${f} moved apart`);
      }
      const [g, h] = before.get(id) as [number, number];
      if (gh[2 * k] !== g || gh[2 * k + 1] !== h) problems.push(`row ${k}: gradients moved apart`);
      if (k < 1000 && id !== k) problems.push(`row ${k} outside the range moved`);
      if (k >= 1000 && k < mid !== bins[id * width + 1] <= 2) problems.push(`row ${k} is on the wrong side`);
    }
    expect(problems).toEqual([]);
    expect(new Set(Array.from(margin)).size).toBe(n);
  } finally {
    runner.close();
  }
});

test('the histogram of a range equals the sum of per-row contributions, with or without the worker', () => {
  const n = 40_000;
  const a = setup(n, 1);
  const b = setup(n, 2);
  try {
    const ha = new Float64Array(a.size);
    const hb = new Float64Array(b.size);
    a.runner.histogram(5, n, ha);
    b.runner.histogram(5, n, hb);
    const direct = new Float64Array(a.size);
    kHistogram(a.store.recB, a.store.sb, a.width, a.gh, 5, n, Int32Array.from([0, 1, 2]), 3, direct, a.off3);
    let maxDiff = 0;
    for (let p = 0; p < a.size; p++) maxDiff = Math.max(maxDiff, Math.abs(ha[p] - direct[p]));
    expect(maxDiff).toBeLessThan(1e-9);
    expect(ha[2] + ha[5] + ha[8] + ha[11] + ha[14]).toBe(n - 5); // counts of feature 0 add up
    expect(Array.from(hb)).toEqual(Array.from(ha)); // same data: bit-identical with the worker
  } finally {
    a.runner.close();
    b.runner.close();
  }
});
