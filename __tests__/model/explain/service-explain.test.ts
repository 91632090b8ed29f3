/**
 * Explanations through the scoring service: POST /score?explain=true and "explain": true on a
 * real app over a real ORT session, checked against ONNX Runtime's own margin output.
 */
import * as ort from 'onnxruntime-node';
import { featureMatrix } from '../../../model/features';
import type { ScoringInput } from '../../../model/schema';
import { requestedExplainer } from '../../../service/http/explain-options';
import { loadServingModel, type ServingModel } from '../../../service/scoring/load-model';
import { ServingState } from '../../../service/scoring/serving-state';
import { listenApp, postJson, trainedModelRoot, transaction, type TestServer } from '../../service/helpers';

interface Explanation {
  bias: number;
  margin: number;
  top: { feature: string; value: number | string | null; contribution: number }[];
  rest: number;
}

let model: ServingModel;
let server: TestServer;
let session: ort.InferenceSession;

beforeAll(async () => {
  // workerMinRows 5: batches of 5+ rows take the ORT worker thread (features handed back).
  model = await loadServingModel(await trainedModelRoot(), { workerMinRows: 5 });
  const state = new ServingState();
  state.setReady(model);
  server = await listenApp({ state });
  session = await ort.InferenceSession.create(model.dir + '/model.onnx', { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await server.close();
  await model.release();
  await session.release();
});

/** ONNX Runtime's raw margin output for the same rows. */
async function onnxMargins(inputs: Record<string, unknown>[]): Promise<Float32Array> {
  const X = featureMatrix(inputs as unknown as ScoringInput[], model.manifest.featureSpec);
  const out = await session.run({ input: new ort.Tensor('float32', X, [inputs.length, model.width]) }, [
    'margin',
  ]);
  return out.margin.data as Float32Array;
}

function expectAdditive(ex: Explanation, onnxMargin: number, p: number): void {
  const sum = ex.bias + ex.top.reduce((s, c) => s + c.contribution, 0) + ex.rest;
  expect(Math.abs(sum - ex.margin)).toBeLessThan(1e-5);
  expect(Math.abs(ex.margin - onnxMargin)).toBeLessThan(1e-5);
  expect(Math.abs(1 / (1 + Math.exp(-ex.margin)) - p)).toBeLessThan(1e-5);
  const abs = ex.top.map((c) => Math.abs(c.contribution));
  expect([...abs].sort((a, b) => b - a)).toEqual(abs);
}

test('single row with ?explain=true: top 5 contributions whose sum with the bias is the ONNX margin', async () => {
  const tx = transaction(3);
  const res = await postJson(`${server.url}/score?explain=true`, { features: tx });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { pred_proba: number; explanation: Explanation; model: string };
  expect(body.explanation.top).toHaveLength(5);
  expectAdditive(body.explanation, (await onnxMargins([tx]))[0], body.pred_proba);
  const cat = body.explanation.top.find((c) => c.feature === 'merchant_category');
  if (cat) expect(cat.value).toBe(tx.merchant_category); // the category sent, not its code
  // Without the flag the answer is unchanged.
  const plain = (await (await postJson(`${server.url}/score`, { features: tx })).json()) as Record<
    string,
    unknown
  >;
  expect(Object.keys(plain)).toEqual(['pred_proba', 'model', 'deployment']);
  expect(plain.pred_proba).toBe(body.pred_proba);
});

test('batch with "explain": true and top 3, through the ORT worker thread', async () => {
  const instances = Array.from({ length: 12 }, (_, i) => transaction(i));
  delete instances[4].hour_of_day; // imputed
  instances[5].merchant_category = 'never-seen';
  const res = await postJson(`${server.url}/score`, { instances, explain: true, top: 3 });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { predictions: number[]; explanations: Explanation[] };
  expect(body.explanations).toHaveLength(12);
  const margins = await onnxMargins(instances);
  body.explanations.forEach((ex, i) => {
    expect(ex.top).toHaveLength(3);
    expectAdditive(ex, margins[i], body.predictions[i]);
  });
});

test('bad explanation options get a 400 naming them; /metadata says explanations are available', async () => {
  const bad = await postJson(`${server.url}/score?explain=maybe&top=0`, { features: transaction(1) });
  expect(bad.status).toBe(400);
  const err = (await bad.json()) as { errors: { field: string }[] };
  expect(err.errors.map((e) => e.field)).toEqual(['?explain', '?top']);
  const notBool = await postJson(`${server.url}/score`, { features: transaction(1), explain: 'yes' });
  expect(notBool.status).toBe(400);
  const meta = (await (await fetch(`${server.url}/metadata`)).json()) as {
    model: { explanations: { available: boolean; units: string; maxTop: number } };
  };
  expect(meta.model.explanations).toMatchObject({ available: true, units: 'log-odds', maxTop: 11 });
});

test('a model that cannot be explained: the request is a 400 with the reason', () => {
  expect(() => requestedExplainer('/score?explain=true', {}, { unavailable: 'no covers' })).toThrow(
    /explanations are not available for this model: no covers/,
  );
  expect(requestedExplainer('/score', {}, { unavailable: 'no covers' })).toBeUndefined();
});
