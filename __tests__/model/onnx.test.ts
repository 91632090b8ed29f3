import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { generateTransactions } from '../../model/data/generate';
import { exportGbdtToOnnx, ONNX_INPUT_NAME, ONNX_ML_OPSET, ONNX_OUTPUT_NAME } from '../../model/export/onnx';
import { FEATURE_NAMES, featureMatrix, featureWidth, fitFeatureSpec } from '../../model/features';
import type { ScoringInput } from '../../model/schema';
import { predictProba, trainGbdt } from '../../model/train/gbdt';
import { Rng } from '../../model/data/rng';

/** protobufjs decodes int64 fields as Long objects. */
const asNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

test('ONNX Runtime reproduces the TypeScript model within 1e-5 on 10,000 rows incl. missing values and unknown categories', async () => {
  const { rows } = generateTransactions({ rows: 12_000, seed: 21 });
  const trainRows = rows.slice(0, 8000);
  const spec = fitFeatureSpec(trainRows);
  const width = featureWidth(spec);
  const Xtrain = featureMatrix(trainRows, spec);
  // Knock out 5 % of training cells so the trees learn real missing-value directions.
  const rng = new Rng(3);
  for (let i = 0; i < Xtrain.length; i++) if (rng.next() < 0.05) Xtrain[i] = NaN;
  const y = Uint8Array.from(trainRows, (r) => r.is_fraud ?? 0);
  const { model } = trainGbdt(
    { X: Xtrain, y, rows: trainRows.length, width },
    { nTrees: 60, maxDepth: 6, minSamplesLeaf: 5, earlyStoppingRounds: 0 },
  );

  // 10,000 scoring rows: 4,000 held-out rows as sent, 3,000 with optional fields dropped or
  // categories never seen in training, 3,000 training rows with NaN cells (raw missing values).
  const inputs: ScoringInput[] = rows.slice(8000).map((r) => ({ ...r }));
  for (let i = 0; i < 3000; i++) {
    const r: ScoringInput = { ...rows[8000 + (i % 4000)] };
    if (i % 3 === 0) delete r.customer_tenure_days;
    if (i % 3 === 1) r.merchant_category = `new-category-${i}`;
    if (i % 5 === 0) r.ip_geo_country = 'ZZ';
    if (i % 7 === 0) delete r.avg_monthly_spend;
    if (i % 2 === 0) delete r.hour_of_day;
    inputs.push(r);
  }
  const X = new Float32Array(10_000 * width);
  X.set(featureMatrix(inputs, spec));
  X.set(Xtrain.subarray(0, 3000 * width), 7000 * width);
  let nan = 0;
  for (const v of X) if (Number.isNaN(v)) nan++;
  expect(nan).toBeGreaterThan(1000);

  const bytes = exportGbdtToOnnx(model, { featureNames: FEATURE_NAMES });
  const decoded = onnx.ModelProto.decode(bytes);
  expect(asNumber(decoded.opsetImport.find((o) => o.domain === 'ai.onnx.ml')?.version)).toBe(ONNX_ML_OPSET);
  expect(decoded.graph?.node?.map((n) => n.opType)).toEqual(['TreeEnsembleRegressor', 'Sigmoid']);
  const dims = decoded.graph?.input?.[0].type?.tensorType?.shape?.dim ?? [];
  expect(asNumber(dims[1].dimValue)).toBe(width); // ONNX input width == feature width

  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    expect(session.inputNames).toEqual([ONNX_INPUT_NAME]);
    const out = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', X, [10_000, width]) });
    const p = out[ONNX_OUTPUT_NAME].data as Float32Array;
    const q = predictProba(model, X, 10_000);
    let maxDiff = 0;
    for (let i = 0; i < 10_000; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i] - q[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(new Set(Array.from(q.subarray(0, 500), (v) => v.toFixed(6))).size).toBeGreaterThan(50); // not a constant model
  } finally {
    await session.release();
  }
});
