import { Rng } from '../../model/data/rng';
import { rocAuc } from '../../model/eval/metrics';
import {
  featureImportance,
  predictMargin,
  predictProba,
  resolveGbdtParams,
  trainGbdt,
} from '../../model/train/gbdt';
import { predictLogistic, trainLogistic } from '../../model/train/logistic';

function dataset(
  n: number,
  width: number,
  seed: number,
  label: (x: Float32Array, o: number, rng: Rng) => number,
) {
  const rng = new Rng(seed);
  const X = new Float32Array(n * width);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < width; f++) X[i * width + f] = rng.normal();
    y[i] = label(X, i * width, rng);
  }
  return { X, y, rows: n, width };
}

test('learns XOR of two features (which no single split and no linear model can)', () => {
  const xor = (X: Float32Array, o: number): number => (X[o] > 0 !== X[o + 1] > 0 ? 1 : 0);
  const train = dataset(4000, 4, 1, xor);
  const test = dataset(2000, 4, 2, xor);
  const { model } = trainGbdt(train, {
    nTrees: 40,
    maxDepth: 3,
    learningRate: 0.3,
    minSamplesLeaf: 5,
    earlyStoppingRounds: 0,
  });
  const p = predictProba(model, test.X, test.rows);
  let correct = 0;
  for (let i = 0; i < test.rows; i++) correct += (p[i] > 0.5 ? 1 : 0) === test.y[i] ? 1 : 0;
  expect(correct / test.rows).toBeGreaterThan(0.97);
  const lr = trainLogistic(train.X, train.y, train.rows, train.width);
  expect(rocAuc(test.y, predictLogistic(lr, test.X, test.rows))).toBeLessThan(0.6);
  const imp = featureImportance(model);
  expect(imp.gain[0] + imp.gain[1]).toBeGreaterThan(0.9 * imp.gain.reduce((a, b) => a + b, 0));
});

test('learns a threshold rule with the threshold at a float32 data value', () => {
  const rule = (X: Float32Array, o: number): number => (X[o + 2] > 0.3 ? 1 : 0);
  const train = dataset(250, 3, 3, rule); // <= 255 distinct values: every value is a bin edge
  const { model } = trainGbdt(train, {
    nTrees: 1,
    maxDepth: 1,
    learningRate: 1,
    minSamplesLeaf: 1,
    earlyStoppingRounds: 0,
  });
  const root = model.trees[0];
  expect(root.feature[0]).toBe(2);
  const t = root.threshold[0];
  expect(Math.fround(t)).toBe(t); // exactly representable in float32 (as ONNX stores it)
  // The split lies between the largest negative-class value and the smallest positive-class value.
  let maxNeg = -Infinity;
  let minPos = Infinity;
  for (let i = 0; i < train.rows; i++) {
    const v = train.X[i * 3 + 2];
    if (train.y[i] === 1) minPos = Math.min(minPos, v);
    else maxNeg = Math.max(maxNeg, v);
  }
  expect(t).toBeGreaterThanOrEqual(maxNeg);
  expect(t).toBeLessThan(minPos);
});

test('missing values learn a direction: NaN rows behave like the class they belong to', () => {
  const rng = new Rng(4);
  const n = 3000;
  const X = new Float32Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    X[i] = r < 0.2 ? NaN : rng.normal() * 2 + 5;
    y[i] = r < 0.2 || X[i] > 7 ? 1 : 0; // missing means fraud here
  }
  const { model } = trainGbdt(
    { X, y, rows: n, width: 1 },
    { nTrees: 20, maxDepth: 2, learningRate: 0.3, minSamplesLeaf: 20, earlyStoppingRounds: 0 },
  );
  const p = predictProba(model, Float32Array.from([NaN, 5, 9]), 3);
  expect(p[0]).toBeGreaterThan(0.9);
  expect(p[1]).toBeLessThan(0.1);
  expect(p[2]).toBeGreaterThan(0.9);
});

test('training is deterministic for a seed, with row/column subsampling, and the same with 1 or 2 threads', () => {
  const f = (X: Float32Array, o: number, rng: Rng): number =>
    rng.next() < 1 / (1 + Math.exp(-(X[o] + X[o + 1] * X[o + 2]))) ? 1 : 0;
  const data = dataset(40_000, 5, 7, f); // large enough for the worker thread to start
  const params = { nTrees: 10, subsample: 0.7, colsample: 0.6, earlyStoppingRounds: 0, seed: 11 };
  const two = trainGbdt(data, { ...params, threads: 2 });
  const one = trainGbdt(data, { ...params, threads: 1 });
  const c = trainGbdt(data, { ...params, threads: 2, seed: 12 }).model;
  const [a, b] = [two.model, one.model];
  // Every array of every tree, and the training loss curve (summed per half), bit for bit.
  const trees = (m: typeof a): number[][] =>
    m.trees.flatMap((t) => Object.values(t).map((v) => Array.from(v)));
  expect(trees(b)).toEqual(trees(a));
  expect(one.history.train).toEqual(two.history.train);
  expect(Number.isFinite(two.history.train[9])).toBe(true);
  const pa = predictProba(a, data.X, 2000);
  expect(Array.from(predictProba(b, data.X, 2000))).toEqual(Array.from(pa));
  expect(Array.from(predictProba(c, data.X, 2000))).not.toEqual(Array.from(pa));
});

test('early stopping keeps the best validation round', () => {
  const f = (X: Float32Array, o: number, rng: Rng): number =>
    rng.next() < 1 / (1 + Math.exp(-X[o])) ? 1 : 0;
  const train = dataset(3000, 3, 8, f);
  const valid = dataset(1000, 3, 9, f);
  const r = trainGbdt(
    { ...train, valid },
    { nTrees: 300, maxDepth: 4, minSamplesLeaf: 2, earlyStoppingRounds: 10 },
  );
  expect(r.model.trees.length).toBeLessThan(300);
  const best = Math.min(...r.history.valid);
  expect(r.history.valid[r.bestIteration - 1]).toBe(best);
});

test('bad parameters are rejected with every problem named', () => {
  expect(() => resolveGbdtParams({ learningRate: 0, maxDepth: 40, subsample: 2 })).toThrow(
    /learningRate must be in \(0, 1\], got 0; maxDepth must be an integer in 1\.\.16, got 40; subsample must be in \(0, 1\], got 2/,
  );
});

test.each([
  ['early stopping (the best round kept)', 10],
  ['no early stopping (every tree kept)', 0],
])(
  'the validation margins returned are predictMargin on the validation rows, bit for bit: %s',
  (_n, patience) => {
    const f = (X: Float32Array, o: number, rng: Rng): number =>
      rng.next() < 1 / (1 + Math.exp(-(X[o] - X[o + 1]))) ? 1 : 0;
    const train = dataset(3000, 3, 21, f);
    const valid = dataset(1500, 3, 22, f);
    for (let i = 0; i < valid.X.length; i += 7) valid.X[i] = NaN; // missing values take the missing branch
    const r = trainGbdt(
      { ...train, valid },
      { nTrees: 120, maxDepth: 4, minSamplesLeaf: 5, earlyStoppingRounds: patience },
    );
    if (patience > 0) expect(r.model.trees.length).toBeLessThan(120); // it did stop early
    const want = predictMargin(r.model, valid.X, valid.rows);
    expect(r.validMargin).toBeDefined();
    expect(Buffer.from((r.validMargin as Float64Array).buffer).equals(Buffer.from(want.buffer))).toBe(true);
    expect(trainGbdt(train, { nTrees: 3 }).validMargin).toBeUndefined(); // no validation split
  },
);

test('constant features: no split, and the single leaf still corrects the base score from the gradients', () => {
  const rows = 200;
  const X = new Float32Array(rows * 2).fill(1); // nothing to split on
  const y = Uint8Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const r = trainGbdt({ X, y, rows, width: 2 }, { nTrees: 3, earlyStoppingRounds: 0, l2: 0 });
  for (const t of r.model.trees) expect(Array.from(t.feature)).toEqual([-1]);
  // base score = logit(0.25); the gradients sum to ~0 there, so each leaf adds ~0 and stays finite
  const m = predictMargin(r.model, X, 1)[0];
  expect(m).toBeCloseTo(Math.log(0.25 / 0.75), 5);
});
