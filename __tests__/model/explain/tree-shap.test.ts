import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { Rng } from '../../../model/data/rng';
import { generateTransactions } from '../../../model/data/generate';
import {
  ensembleFromGbdt,
  ensembleFromOnnx,
  explainability,
  rowExplanation,
  TreeShap,
  topIndices,
  type TreeEnsemble,
} from '../../../model/explain';
import { finishEnsemble } from '../../../model/explain/ensemble';
import {
  exportGbdtToOnnx,
  ONNX_INPUT_NAME,
  ONNX_MARGIN_NAME,
  ONNX_NODE_COVER_KEY,
} from '../../../model/export/onnx';
import { FEATURE_NAMES, featureMatrix, featureWidth, fitFeatureSpec } from '../../../model/features';
import { predictMargin, trainGbdt, type GbdtModel } from '../../../model/train/gbdt';
import { bruteForceShapley } from './brute-force';

/** A random tree over `width` features (features repeat along paths), consistent integer covers. */
function randomEnsemble(rng: Rng, width: number, trees: number, maxDepth: number): TreeEnsemble {
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const treeStart: number[] = [];
  const grow = (depth: number, c: number): number => {
    const n = feature.length;
    feature.push(-1);
    threshold.push(0);
    missingLeft.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    cover.push(c);
    if (depth < maxDepth && c >= 2 && rng.next() < 0.85) {
      feature[n] = rng.int(0, width - 1);
      threshold[n] = Math.fround(rng.next());
      missingLeft[n] = rng.next() < 0.5 ? 1 : 0;
      const lc = rng.int(1, c - 1);
      left[n] = grow(depth + 1, lc);
      right[n] = grow(depth + 1, c - lc);
    } else value[n] = Math.fround(rng.normal());
    return n;
  };
  for (let t = 0; t < trees; t++) {
    treeStart.push(feature.length);
    grow(0, rng.int(50, 1000));
  }
  treeStart.push(feature.length);
  return finishEnsemble({
    width,
    baseScore: Math.fround(rng.normal()),
    treeStart: Int32Array.from(treeStart),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
  });
}

function randomRow(rng: Rng, width: number): Float32Array {
  return Float32Array.from({ length: width }, () => (rng.next() < 0.1 ? NaN : rng.next()));
}

const STRATEGIES = ['patterns', 'recursive'] as const;

test.each(STRATEGIES)(
  'TreeSHAP (%s) equals brute-force Shapley values (every feature subset) on random trees and inputs',
  (strategy) => {
    const rng = new Rng(7);
    let checked = 0;
    for (let k = 0; k < 12; k++) {
      const width = rng.int(2, 6);
      const e = randomEnsemble(rng, width, rng.int(1, 4), rng.int(1, 5));
      const shap = new TreeShap(e, { strategy });
      expect(shap.strategy).toBe(strategy);
      const phi = new Float64Array(width);
      for (let r = 0; r < 6; r++) {
        const x = randomRow(rng, width);
        const margin = shap.explainRow(x, 0, phi);
        const exact = bruteForceShapley(e, x);
        expect(shap.expectedValue).toBeCloseTo(exact.bias, 10);
        for (let f = 0; f < width; f++) expect(phi[f]).toBeCloseTo(exact.phi[f], 10);
        // Efficiency: bias + sum(phi) is the margin the trees compute.
        expect(shap.expectedValue + phi.reduce((s, v) => s + v, 0)).toBeCloseTo(margin, 10);
        checked++;
      }
    }
    expect(checked).toBe(72);
  },
);

function trainSmall(seed: number): { model: GbdtModel; X: Float32Array; rows: number; width: number } {
  const { rows } = generateTransactions({ rows: 3000, seed });
  const spec = fitFeatureSpec(rows);
  const width = featureWidth(spec);
  const X = featureMatrix(rows, spec);
  const rng = new Rng(seed);
  for (let i = 0; i < X.length; i++) if (rng.next() < 0.05) X[i] = NaN; // learn missing directions
  const y = Uint8Array.from(rows, (r) => r.is_fraud ?? 0);
  const { model } = trainGbdt(
    { X, y, rows: rows.length, width },
    { nTrees: 12, maxDepth: 4, minSamplesLeaf: 20, earlyStoppingRounds: 0, threads: 1 },
  );
  return { model, X, rows: rows.length, width };
}

test.each(STRATEGIES)(
  'TreeSHAP (%s) equals brute force on trained trees over all 11 features',
  (strategy) => {
    const { model, X, width } = trainSmall(5);
    const e = ensembleFromGbdt(model);
    const shap = new TreeShap(e, { strategy });
    const phi = new Float64Array(width);
    for (const row of [0, 17, 123, 999]) {
      const x = X.subarray(row * width, (row + 1) * width);
      const margin = shap.explainRow(X, row, phi);
      expect(margin).toBeCloseTo(predictMargin(model, x, 1)[0], 10);
      const exact = bruteForceShapley(e, x);
      expect(shap.expectedValue).toBeCloseTo(exact.bias, 10);
      for (let f = 0; f < width; f++) expect(phi[f]).toBeCloseTo(exact.phi[f], 10);
    }
  },
);

test('bias + contributions equal the ONNX Runtime margin within 1e-5, trees read back from model.onnx', async () => {
  const { model, X, rows, width } = trainSmall(9);
  const bytes = exportGbdtToOnnx(model, { featureNames: FEATURE_NAMES });
  const fromOnnx = ensembleFromOnnx(bytes);
  const fromModel = ensembleFromGbdt(model);
  expect(Array.from(fromOnnx.feature)).toEqual(Array.from(fromModel.feature));
  expect(Array.from(fromOnnx.value)).toEqual(Array.from(fromModel.value));
  expect(Array.from(fromOnnx.cover)).toEqual(Array.from(fromModel.cover));
  const shap = new TreeShap(fromOnnx);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', X, [rows, width]) }, [
      ONNX_MARGIN_NAME,
    ]);
    const ortMargin = out[ONNX_MARGIN_NAME].data as Float32Array;
    const phi = new Float64Array(width);
    let maxDiff = 0;
    for (let i = 0; i < rows; i++) {
      shap.explainRow(X, i, phi);
      let sum = shap.expectedValue;
      for (let f = 0; f < width; f++) sum += phi[f];
      maxDiff = Math.max(maxDiff, Math.abs(sum - ortMargin[i]));
    }
    expect(maxDiff).toBeLessThan(1e-5);
  } finally {
    await session.release();
  }
});

test('a model.onnx without node covers is reported as not explainable, with the reason', () => {
  const { model } = trainSmall(3);
  const decoded = onnx.ModelProto.decode(exportGbdtToOnnx(model));
  decoded.metadataProps = decoded.metadataProps.filter((p) => p.key !== ONNX_NODE_COVER_KEY);
  const bytes = onnx.ModelProto.encode(decoded).finish();
  const r = explainability(bytes);
  expect(r.available).toBe(false);
  expect(r.available ? '' : r.reason).toMatch(/tree_node_cover.*missing/);
  expect(() => ensembleFromOnnx(bytes)).toThrow(/cannot be explained/);
});

test('top-k keeps the largest |contributions| and the rest closes the sum', () => {
  const phi = Float64Array.from([0.1, -0.5, 0.3, 0, -0.05]);
  expect(topIndices(phi, 5, 3)).toEqual([1, 2, 0]);
  const names = ['a', 'b', 'c', 'd', 'e'];
  const ex = rowExplanation(phi, -3, -3 - 0.15, names, 2, (f) => f * 10);
  expect(ex.top).toEqual([
    { feature: 'b', value: 10, contribution: -0.5 },
    { feature: 'c', value: 20, contribution: 0.3 },
  ]);
  expect(ex.bias + ex.top.reduce((s, c) => s + c.contribution, 0) + ex.rest).toBeCloseTo(ex.margin, 12);
});
