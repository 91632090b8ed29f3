import { Rng } from '../../model/data/rng';
import { bestF1Threshold, curves, prAuc, rocAuc } from '../../model/eval/metrics';

// Four rows with a tie at 0.8 between a positive and a negative; every value below is worked out
// by hand from the definitions (ties count half in ROC AUC and are one step in the PR curve).
const y = [1, 0, 1, 0];
const p = [0.9, 0.8, 0.8, 0.1];

test('ROC AUC counts a tied positive/negative pair as half', () => {
  expect(rocAuc(y, p)).toBeCloseTo(3.5 / 4, 12);
});

test('average precision steps once per group of tied scores', () => {
  expect(prAuc(y, p)).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
});

test('the F1-maximizing threshold is a score from the data', () => {
  // F1 at >= 0.9: 2/3; at >= 0.8: 4/5; at >= 0.1: 2/3.
  expect(bestF1Threshold(y, p)).toBe(0.8);
  expect(bestF1Threshold([0, 0], [0.3, 0.7])).toBe(0.5);
});

test('ROC and PR curves have one point per tie group', () => {
  const { roc, pr } = curves(y, p);
  expect(roc).toEqual([
    { x: 0, y: 0 },
    { x: 0, y: 0.5 },
    { x: 0.5, y: 1 },
    { x: 1, y: 1 },
  ]);
  expect(pr.map((q) => [q.x, q.y])).toEqual([
    [0.5, 1],
    [1, 2 / 3],
    [1, 0.5],
  ]);
});

test('degenerate labels and NaN scores', () => {
  expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
  expect(prAuc([0, 0], [0.2, 0.4])).toBeNaN();
  expect(() => rocAuc([1, 0], [NaN, 0.1])).toThrow(/score 0 is NaN/);
});

test('on many rows with ties, ROC AUC is the pairwise definition and the curves walk every tie group', () => {
  const rng = new Rng(8);
  const n = 1500;
  const scores = Float64Array.from({ length: n }, () => Math.round(rng.next() * 40) / 40); // 41 values
  const y = Uint8Array.from(scores, (s) => (rng.next() < s * 0.6 ? 1 : 0));
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < n; j++) {
      if (y[j] === 1) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  expect(rocAuc(y, scores)).toBeCloseTo(wins / pairs, 12);
  const distinct = new Set(scores).size;
  const c = curves(y, scores);
  expect(c.roc).toHaveLength(distinct + 1); // (0, 0) and one point per tie group
  expect(c.roc[c.roc.length - 1]).toEqual({ x: 1, y: 1 });
  // Average precision from its definition: precision at each group's cut, weighted by its recall step.
  const positives = y.reduce((s, v) => s + v, 0);
  let ap = 0;
  for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
    let tp = 0;
    let at = 0;
    let here = 0;
    for (let i = 0; i < n; i++) {
      if (scores[i] >= t) {
        at++;
        tp += y[i];
      }
      if (scores[i] === t) here += y[i];
    }
    ap += (here / positives) * (tp / at);
  }
  expect(prAuc(y, scores)).toBeCloseTo(ap, 12);
});
