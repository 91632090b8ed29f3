/**
 * The service's drift aggregates, fed the very rows the manifest's baseline was computed on and
 * scored by the real ONNX model, must reproduce the baseline's counts exactly: otherwise the
 * drift job reports drift on data identical to the training data. Scores are the fragile part:
 * the baseline comes from the trainer's float64 probabilities, the service bins ORT's float32
 * ones (see scoreTolerance in model/package/baseline.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../../../model/data/generate';
import { Rng } from '../../../model/data/rng';
import { compareWithBaseline } from '../../../model/drift/compare';
import { CATEGORICAL_FIELDS, featureMatrix } from '../../../model/features';
import { computeBaseline, histogramOf, quantileEdges } from '../../../model/package/baseline';
import type { ModelManifest } from '../../../model/package/manifest';
import type { Transaction } from '../../../model/schema';
import { trainModelPackage, type TrainModelPackageResult } from '../../../model/train/api';
import { predictProba } from '../../../model/train/gbdt';
import { OrtScorer } from '../../../service/scoring/ort-scorer';
import { DriftAggregator, type DriftWindow } from '../../../service/telemetry/drift-aggregator';

const ROWS = 4000;
const SEED = 7;

let root: string;
let rows: Transaction[];
let trained: TrainModelPackageResult;
let scorer: OrtScorer;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-baseline-test-'));
  rows = generateTransactions({ rows: ROWS, seed: SEED }).rows;
  trained = await trainModelPackage({
    data: rows,
    outRoot: root,
    name: 'drift-baseline',
    version: '1',
    seed: SEED,
  });
  const m = trained.manifest;
  scorer = await OrtScorer.create({
    modelPath: path.join(trained.dir, 'model.onnx'),
    inputName: m.input.name,
    outputName: m.output.name,
    width: m.input.featureNames.length,
  });
});
afterAll(async () => {
  await scorer?.release();
  fs.rmSync(root, { recursive: true, force: true });
});

/**
 * The rows trainModelPackage used for the baseline, by the split of model/train/api.ts
 * (splitAndFeaturize, default fractions): features and categories on the training split,
 * scores on the test split. The first test checks this reproduction against the manifest.
 */
function baselineRows(): { test: Transaction[]; train: Transaction[] } {
  const order = new Uint32Array(ROWS);
  for (let i = 0; i < ROWS; i++) order[i] = i;
  new Rng(SEED ^ 0x5eed).shuffle(order);
  const nTest = Math.round(ROWS * 0.2);
  const nValid = Math.round((ROWS - nTest) * 0.1);
  const pick = (idx: Uint32Array): Transaction[] => Array.from(idx, (i) => rows[i]);
  return { test: pick(order.subarray(0, nTest)), train: pick(order.subarray(nTest + nValid)) };
}

/** What the service records for these rows: features as the score route writes them, ORT scores. */
async function serviceWindow(manifest: ModelManifest, inputs: readonly Transaction[]): Promise<DriftWindow> {
  const X = featureMatrix(inputs, manifest.featureSpec);
  const scores = await scorer.scoreRows(X, inputs.length);
  const aggregator = new DriftAggregator(manifest);
  aggregator.record(X, inputs, scores);
  return aggregator.take();
}

test('the reproduced baseline rows are the ones trainModelPackage used', () => {
  const { manifest } = trained;
  const { test, train } = baselineRows();
  expect([test.length, train.length]).toEqual([manifest.metrics.rows.test, manifest.metrics.rows.train]);
  // The trainer's own counts of a continuous feature on the training split: any other rows differ.
  const width = manifest.input.featureNames.length;
  const column = manifest.input.featureNames.indexOf('amount');
  const X = featureMatrix(train, manifest.featureSpec);
  const amount = Float64Array.from(train, (_, i) => X[i * width + column]);
  const expected = manifest.baseline.numeric.amount;
  expect(histogramOf(amount, expected.edges).counts).toEqual(expected.counts);
});

test("the service's score counts on the baseline rows equal the manifest's, and show no drift", async () => {
  const { manifest } = trained;
  const window = await serviceWindow(manifest, baselineRows().test);
  expect(window.score.edges).toEqual(manifest.baseline.score.edges);
  expect(window.score.counts).toEqual(manifest.baseline.score.counts);
  const report = compareWithBaseline(manifest, {
    source: 'the baseline rows, scored by the service',
    rows: window.rows,
    numeric: {},
    categorical: {},
    score: { counts: window.score.counts },
  });
  expect(report.features).toHaveLength(1);
  expect(report.features[0]).toMatchObject({ feature: 'pred_proba', drifted: false, psi: 0, statistic: 0 });
});

test("the service's feature and category counts on the baseline rows equal the manifest's", async () => {
  const { manifest } = trained;
  const { train } = baselineRows();
  const window = await serviceWindow(manifest, train);
  const numericNames = Object.keys(manifest.baseline.numeric);
  expect(numericNames.length).toBeGreaterThan(5);
  for (const name of numericNames) {
    expect({ name, counts: window.numeric[name].counts }).toEqual({
      name,
      counts: manifest.baseline.numeric[name].counts,
    });
  }
  for (const field of CATEGORICAL_FIELDS) {
    const expected = Object.fromEntries(
      Object.entries(manifest.baseline.categorical[field]).map(([k, f]) => [
        k,
        Math.round(f * manifest.baseline.rows),
      ]),
    );
    expect({ field, counts: window.categorical[field] }).toEqual({ field, counts: expected });
  }
});

test('scores tied by the trees (the same row seen many times) stay in their baseline bin', async () => {
  // A GBDT gives every row reaching the same leaves the same score, so real baselines hold point
  // masses, and quantile edges land on them. Repeating rows makes such masses from this data.
  const { manifest, model } = trained;
  const repeated = baselineRows().test.flatMap((r, i) => new Array<Transaction>(1 + (i % 7)).fill(r));
  const X = featureMatrix(repeated, manifest.featureSpec);
  const categories = Object.fromEntries(CATEGORICAL_FIELDS.map((f) => [f, repeated.map((r) => r[f])]));
  // As trainModelPackage computes it: the trainer's float64 probabilities.
  const baseline = computeBaseline(
    manifest.featureSpec,
    X,
    repeated.length,
    categories,
    predictProba(model, X, repeated.length),
  );
  const withTies: ModelManifest = { ...manifest, baseline };
  const window = await serviceWindow(withTies, repeated);
  expect(window.score.counts.reduce((a, b) => a + b, 0)).toBe(repeated.length);
  expect(window.score.counts).toEqual(baseline.score.counts);
  const report = compareWithBaseline(withTies, {
    source: 'the repeated rows, scored by the service',
    rows: window.rows,
    numeric: window.numeric,
    categorical: window.categorical,
    score: { counts: window.score.counts },
  });
  expect(report.driftedFeatures).toEqual([]);
  expect(Math.max(...report.features.map((f) => f.psi))).toBe(0);
});

test('a manifest written before score edges avoided ties still counts the same rows in the same bins', async () => {
  // Until scoreEdges, the score edges were quantile values: ON a point mass. Such packages stay
  // deployed until retrained, so the aggregator and the drift job raise the edges by the tolerance.
  const { manifest, model } = trained;
  const repeated = baselineRows().test.flatMap((r, i) => new Array<Transaction>(1 + (i % 7)).fill(r));
  const X = featureMatrix(repeated, manifest.featureSpec);
  const p = predictProba(model, X, repeated.length);
  const score = histogramOf(p, quantileEdges(p, 20));
  const old: ModelManifest = { ...manifest, baseline: { ...manifest.baseline, score } };
  const window = await serviceWindow(old, repeated);
  expect(window.score.edges).toEqual(score.edges);
  expect(window.score.counts).toEqual(score.counts);
  // The drift job on raw ORT scores (a scored CSV) bins them the same way.
  const ortScores = await scorer.scoreRows(X, repeated.length);
  const report = compareWithBaseline(old, {
    source: 'the repeated rows, raw ORT scores',
    rows: repeated.length,
    numeric: {},
    categorical: {},
    score: { values: ortScores },
  });
  expect(report.features[0]).toMatchObject({ feature: 'pred_proba', drifted: false, psi: 0, statistic: 0 });
});
