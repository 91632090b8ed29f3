/**
 * Properties the reference vectors do not pin down: the radix sort agrees with the built-in sort
 * on awkward values, KS on histograms equals KS on the bin indices, and bad input is named.
 */
import { ks2samp, ks2sampCounts } from '../../../model/drift/ks';
import { ksAndPsi } from '../../../model/drift/ks-psi';
import { sortedCopy } from '../../../model/drift/sort_impl';
import { Rng } from '../../../model/data/rng';
import { resolveDriftThresholds } from '../../../model/drift/thresholds';
import { parseDuration } from '../../../model/drift/duration';

test('the radix sort equals Float64Array.prototype.sort (signs, zeros, infinities, ties, float32 data)', () => {
  const rng = new Rng(5);
  const n = 5000;
  const wide = Float64Array.from({ length: n }, (_, i) =>
    i % 97 === 0
      ? -0
      : i % 89 === 0
        ? Infinity
        : i % 83 === 0
          ? -Infinity
          : (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 6),
  );
  const expected = Float64Array.from(wide, (v) => (v === 0 ? 0 : v)).sort();
  expect(Array.from(sortedCopy(wide))).toEqual(Array.from(expected));
  const f32 = Float32Array.from({ length: n }, () => Math.round((rng.next() - 0.5) * 40) / 4);
  // -0 becomes +0 (it ties with 0, as in numpy).
  expect(Array.from(sortedCopy(f32))).toEqual(
    Array.from(Float64Array.from(f32, (v) => (v === 0 ? 0 : v)).sort()),
  );
  expect(Array.from(wide.slice(0, 3))).toEqual(Array.from(wide.slice(0, 3))); // input untouched
});

test('KS on two histograms is KS on the bin indices', () => {
  const a = [0, 5, 3, 0, 9, 1];
  const b = [2, 1, 0, 0, 4, 8];
  const expand = (counts: number[]): number[] => counts.flatMap((c, i) => new Array<number>(c).fill(i));
  for (const alternative of ['two-sided', 'less', 'greater'] as const) {
    const fromCounts = ks2sampCounts(a, b, { alternative });
    const fromValues = ks2samp(expand(a), expand(b), { alternative });
    expect(fromCounts).toEqual(fromValues);
  }
});

test('ksAndPsi shares one sort between KS and PSI and matches the separate functions', () => {
  const rng = new Rng(9);
  const base = Float32Array.from({ length: 20_000 }, () => rng.normal());
  const cur = Float32Array.from({ length: 15_000 }, () => rng.normal() + 0.05);
  const r = ksAndPsi(base, cur);
  expect(r.ks).toEqual(ks2samp(base, cur));
  expect(r.edges).toHaveLength(9);
  expect(r.psi).toBeGreaterThan(0);
  expect(r.psi).toBeLessThan(0.05);
});

test('bad input is named', () => {
  expect(() => ks2samp([], [1])).toThrow(/the first sample is empty/);
  expect(() => ks2samp([1, NaN], [1])).toThrow(/the first sample has NaN at index 1/);
  expect(() => ks2samp([1], [2], { method: 'fast' as never })).toThrow(
    /method must be one of auto, exact, asymp; got 'fast'/,
  );
  expect(() => ks2sampCounts([1, 2], [1])).toThrow(/bin counts differ in length \(2 vs 1\)/);
  expect(() => ks2sampCounts([1, 0.5], [1, 1])).toThrow(/bin 1 has counts 0.5 and 1/);
  expect(() => resolveDriftThresholds({ pValue: 1.5, minRows: 0 })).toThrow(
    /invalid drift thresholds: pValue must be in \(0, 1\), got 1.5; minRows must be an integer >= 1, got 0/,
  );
  expect(parseDuration('90m')).toBe(5_400_000);
  expect(() => parseDuration('1w', '--window')).toThrow(
    /--window must be a duration like 30m, 1h, 24h or 7d/,
  );
});
