import { Rng } from '../../../model/data/rng';
import { histogramOf, quantileEdges, scoreEdges, scoreTolerance } from '../../../model/package/baseline';
import { histogramBin } from '../../../model/package/manifest';

/** Scores as a tree ensemble gives them: a few hundred distinct values, most of them shared by many rows. */
function tiedScores(rows: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const levels = Float64Array.from({ length: 300 }, () => 1 / (1 + Math.exp(6 - 4 * rng.next() ** 2)));
  return Float64Array.from({ length: rows }, () => levels[Math.floor(rng.next() ** 3 * levels.length)]);
}

/**
 * Rows whose bin changes when the score moves by its full tolerance either way (binned on the
 * edges, or on the edges widened by the tolerance as the drift job does for raw scores).
 */
function rowsThatMove(scores: ArrayLike<number>, edges: number[]): number {
  const widened = edges.map((e) => e + scoreTolerance(e));
  let moved = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const bin = histogramBin(edges, s);
    const shifted = [s - scoreTolerance(s), s + scoreTolerance(s)];
    if (shifted.some((t) => histogramBin(edges, t) !== bin || histogramBin(widened, t) !== bin)) moved += 1;
  }
  return moved;
}

test('score edges never sit on (or within the ORT tolerance of) a tied score', () => {
  const scores = tiedScores(5000, 3);
  // The plain quantile rule puts edges on point masses: the defect this guards against.
  const onValues = quantileEdges(scores, 20);
  expect(onValues.filter((e) => scores.includes(e))).toHaveLength(onValues.length);
  const edges = scoreEdges(scores, 20);
  expect(edges.length).toBeGreaterThan(10);
  for (let k = 1; k < edges.length; k++) expect(edges[k]).toBeGreaterThan(edges[k - 1]);
  expect(rowsThatMove(scores, edges)).toBe(0);
  // Still quantile bins: the ties make them uneven, but none is empty or holds a third of the rows.
  const { counts } = histogramOf(scores, edges);
  expect(Math.min(...counts)).toBeGreaterThan(0);
  expect(Math.max(...counts)).toBeLessThan(scores.length / 3);
});

test('dense distinct scores get one edge per quantile, with at most 1 % of a bin near each edge', () => {
  const rng = new Rng(11);
  const scores = Float64Array.from({ length: 20_000 }, () => 1 / (1 + Math.exp(5 - 3 * rng.next())));
  const edges = scoreEdges(scores, 10);
  expect(edges).toHaveLength(9);
  // Each of these is one row whose count may change by one: noise, not a point mass.
  expect(rowsThatMove(scores, edges)).toBeLessThanOrEqual(9 * 20);
  const { counts } = histogramOf(scores, edges);
  for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(20);
});

test('degenerate inputs: no finite score, one value, non-finite values ignored', () => {
  expect(scoreEdges([], 20)).toEqual([]);
  expect(scoreEdges([NaN, Infinity], 20)).toEqual([]);
  expect(scoreEdges(new Array<number>(100).fill(0.25), 20)).toEqual([]);
  const two = [...new Array<number>(50).fill(0.1), ...new Array<number>(50).fill(0.2), NaN, -Infinity];
  expect(scoreEdges(two, 4)).toEqual([0.15000000000000002]);
});
