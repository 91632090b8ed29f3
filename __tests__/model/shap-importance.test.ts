import { Rng } from '../../model/data/rng';
import { SHAP_LEAF_ROW_BUDGET, SHAP_MIN_ROWS, shapImportance } from '../../model/eval/shap-importance';
import { trainGbdt } from '../../model/train/gbdt';

function data(rows: number) {
  const rng = new Rng(3);
  const width = 3;
  const X = Float32Array.from({ length: rows * width }, () => rng.normal());
  const y = Uint8Array.from({ length: rows }, (_, i) =>
    rng.next() < (X[i * width] > 0.5 ? 0.4 : 0.1) ? 1 : 0,
  );
  return { X, y, rows, width };
}

test('the importance explains up to 1,000 rows, fewer on a model with many leaves, never under the minimum', () => {
  const d = data(6_000);
  const names = ['a', 'b', 'c'];
  const small = trainGbdt(d, { nTrees: 5, maxDepth: 2, earlyStoppingRounds: 0 }).model;
  expect(shapImportance(small, d.X, d.rows, names).rows).toBe(1000);
  expect(shapImportance(small, d.X, 400, names).rows).toBe(400); // all there are
  const large = trainGbdt(d, { nTrees: 200, maxDepth: 6, minSamplesLeaf: 10, earlyStoppingRounds: 0 }).model;
  const leaves = large.trees.reduce((s, t) => s + t.feature.filter((f) => f < 0).length, 0);
  const want = Math.max(SHAP_MIN_ROWS, Math.floor(SHAP_LEAF_ROW_BUDGET / leaves));
  expect(want).toBeLessThan(1000);
  const imp = shapImportance(large, d.X, d.rows, names);
  expect(imp.rows).toBe(want);
  expect(imp.features.map((f) => f.feature)).toEqual(names);
  expect(imp.features[0].meanAbs).toBeGreaterThan(imp.features[1].meanAbs); // feature a carries the signal
});
