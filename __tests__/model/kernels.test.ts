import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../model/data/rng';
import { binMatrix, fitBins } from '../../model/train/binning';
import { histogramOffsets, packRows } from '../../model/train/gbdt_impl';
import { kHistogram, SEGMENT_FIELDS } from '../../model/train/kernels';
import {
  HalfRunner,
  sharedF32,
  sharedF64,
  sharedI32,
  storeHalf,
  type BinningInputs,
  type Span,
} from '../../model/train/parallel';

/** A packed store of random rows: 3 features with bins 0..4 (0 = missing), margin = row id. */
function setup(n: number, threads: number, workerEntry?: string, binning?: BinningInputs) {
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
  const feats = sharedI32(width);
  feats.set([0, 1, 2]);
  const off = sharedI32(width);
  off.set(off3);
  const seg = sharedF64(SEGMENT_FIELDS * 4);
  const runner = new HalfRunner(
    {
      rec: store.rec,
      rb: store.rb,
      width,
      margin,
      gh,
      half: storeHalf(n),
      off3: off,
      feats,
      histSize: size,
      seg,
      binning,
    },
    { threads, workerEntry },
  );
  const half = storeHalf(n);
  const all: Span = { a0: 0, a1: half, b0: half, b1: n };
  return { store, margin, gh, runner, off3, size, bins, width, seg, half, all };
}

test.each([1, 2])('partition keeps rows whole and splits each half by the rule (%i thread(s))', (threads) => {
  const n = 50_000;
  const { store, margin, gh, runner, bins, width, half } = setup(n, threads);
  const before = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) before.set(i, [gh[2 * i], gh[2 * i + 1]]);
  try {
    expect(runner.parallel).toBe(threads === 2);
    // Rows [1000, half) of the first half and [half + 500, n) of the second; left: bin <= 2 or missing.
    const span: Span = { a0: 1000, a1: half, b0: half + 500, b1: n };
    const { left, right } = runner.partition(span, 1, 2, true);
    expect([left.a0, left.b0, right.a1, right.b1]).toEqual([1000, half + 500, half, n]);
    expect([right.a0, right.b0]).toEqual([left.a1, left.b1]);
    const inside = (k: number): boolean => (k >= 1000 && k < half) || k >= half + 500;
    const isLeft = (k: number): boolean => (k >= 1000 && k < left.a1) || (k >= half + 500 && k < left.b1);
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
      if (!inside(k) && id !== k) problems.push(`row ${k} outside the span moved`);
      if (inside(k) && k < half !== id < half) problems.push(`row ${k} crossed between the halves`);
      if (inside(k) && isLeft(k) !== bins[id * width + 1] <= 2)
        problems.push(`row ${k} is on the wrong side`);
    }
    expect(problems).toEqual([]);
    expect(new Set(Array.from(margin)).size).toBe(n);
  } finally {
    runner.close();
  }
});

test('the histogram of a span equals the sum of per-row contributions, with or without the worker', () => {
  const n = 40_000;
  const a = setup(n, 1);
  const b = setup(n, 2);
  try {
    const ha = new Float64Array(a.size);
    const hb = new Float64Array(b.size);
    const span: Span = { a0: 5, a1: a.half, b0: a.half, b1: n };
    a.runner.histogram(span, ha);
    b.runner.histogram(span, hb);
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

describe('a failing worker fails the task at once with its own error', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gbdt-worker-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [
      'throws while loading',
      "throw new Error('boom while loading the worker');",
      /boom while loading the worker/,
    ],
    [
      'throws inside a task',
      "exports.runGbdtWorker = () => { throw new RangeError('kernel fell over'); };",
      /RangeError: kernel fell over/,
    ],
    ['exits', 'exports.runGbdtWorker = () => process.exit(3);', /exited unexpectedly with code 3/],
  ])('worker that %s', (name, source, expected) => {
    const entry = path.join(dir, `${name.replace(/\W/g, '-')}.js`);
    fs.writeFileSync(entry, source);
    const { runner } = setup(40_000, 2, entry);
    const t0 = Date.now();
    try {
      expect(runner.parallel).toBe(true);
      const all: Span = { a0: 0, a1: 20_000, b0: 20_000, b1: 40_000 };
      expect(() => runner.gradients(all)).toThrow(expected);
      expect(() => runner.gradients(all)).toThrow(/GBDT worker thread failed/); // and stays failed
    } finally {
      runner.close();
    }
    expect(Date.now() - t0).toBeLessThan(20_000); // not the 120 s last-resort timeout
  });
});

test('applyTree adds leaf values by segment and computes the next gradients, with or without the worker', () => {
  const n = 40_000;
  const results = [1, 2].map((threads) => {
    const s = setup(n, threads);
    try {
      s.margin.fill(0);
      // Rows [0, 30000) are one leaf (+0.5); rows [30000, n) a last-level split on feature 2:
      // bin <= 2 or missing -> -0.25, else +1.
      s.seg.set([0, 30_000, -1, 0, 0, 0.5, 0, 30_000, n, 2, 2, 1, -0.25, 1]);
      s.runner.applyTree(s.all, 2);
      for (const k of [0, 29_999, 30_000, n - 1]) {
        const b = s.store.recB[k * s.store.sb + 2];
        const want = k < 30_000 ? 0.5 : b <= 2 ? -0.25 : 1;
        expect(s.margin[k]).toBe(want);
        const p = 1 / (1 + Math.exp(-want));
        expect(s.gh[2 * k]).toBeCloseTo(p - s.store.recB[k * s.store.sb + 3], 6);
        expect(s.gh[2 * k + 1]).toBeCloseTo(p * (1 - p), 6);
      }
      return [Array.from(s.margin), Array.from(s.gh)];
    } finally {
      s.runner.close();
    }
  });
  expect(results[1]).toEqual(results[0]);
});

test('binRows writes the same store as binMatrix + packRows of the interleaved rows, with or without the worker', () => {
  const n = 40_000;
  const width = 3;
  const rng = new Rng(4);
  const X = sharedF32(n * width);
  for (let i = 0; i < X.length; i++) X[i] = rng.next() < 0.05 ? NaN : Math.round(rng.normal() * 100) / 10;
  const y = new Uint8Array(new SharedArrayBuffer(n)).map(() => rng.int(0, 1));
  const edges = fitBins(X, n, width, 20);
  // Store row i < half is input row 2i, store row half + j is input row 2j + 1.
  const half = storeHalf(n);
  const order = Array.from({ length: n }, (_, i) => (i < half ? 2 * i : 2 * (i - half) + 1));
  const binned = binMatrix(X, n, width, edges).bins;
  const bins = new Uint8Array(n * width);
  order.forEach((row, i) => bins.set(binned.subarray(row * width, (row + 1) * width), i * width));
  const want = packRows(
    bins,
    Uint8Array.from(order, (row) => y[row]),
    n,
    width,
  );
  const upperOff = sharedI32(width + 1);
  edges.forEach((e, f) => (upperOff[f + 1] = upperOff[f] + e.upper.length));
  const upper = sharedF64(upperOff[width]);
  edges.forEach((e, f) => upper.set(e.upper, upperOff[f]));
  for (const threads of [1, 2]) {
    const s = setup(n, threads, undefined, { X, y, upper, upperOff });
    try {
      s.runner.binRows();
      expect(Buffer.compare(Buffer.from(s.store.recB), Buffer.from(want.recB))).toBe(0);
    } finally {
      s.runner.close();
    }
  }
});
