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
