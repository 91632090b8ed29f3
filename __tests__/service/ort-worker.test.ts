/**
 * The ORT worker thread (service/scoring/worker-scorer.ts + ort-worker.ts) with the real model
 * trained in the test: same scores as the main thread's session, routing by row count,
 * transfer of the feature buffer, crash -> 500 with correlation id and readiness failed, and
 * shutdown that finishes runs in flight and terminates the thread.
 */
import type { TransferListItem } from 'node:worker_threads';
import { featureMatrix } from '../../model/features';
import type { ScoringInput } from '../../model/schema';
import { loadServingModel, type ServingModel } from '../../service/scoring/load-model';
import { ServingState } from '../../service/scoring/serving-state';
import { listenApp, memoryLogger, postJson, trainedModelRoot, transaction, type TestServer } from './helpers';

const WORKER_MIN_ROWS = 16;
const live: ServingModel[] = [];
const servers: TestServer[] = [];

async function load(): Promise<ServingModel> {
  const model = await loadServingModel(await trainedModelRoot(), {
    microBatchMaxRows: 64,
    workerMinRows: WORKER_MIN_ROWS,
  });
  live.push(model);
  return model;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const m of live.splice(0)) await m.release();
});

const rowsOf = (n: number, from = 0): ScoringInput[] =>
  Array.from({ length: n }, (_, i) => transaction(from + i) as unknown as ScoringInput);

test('GIVEN the same rows THEN the worker session scores them as the main-thread session does (1e-6) and hands the buffer back', async () => {
  const model = await load();
  expect(model.worker).toBeDefined();
  const inputs = rowsOf(300);
  const X = featureMatrix(inputs, model.manifest.featureSpec);
  const expected = await model.session.scoreRows(X.slice(), inputs.length);
  const sent = X.slice();
  const { features, scores } = await model.worker!.score(sent, inputs.length);
  expect(sent.length).toBe(0); // transferred, not copied: detached here while the worker held it
  expect(Array.from(features)).toEqual(Array.from(X)); // the same memory came back intact
  expect(scores).toHaveLength(inputs.length);
  for (let i = 0; i < inputs.length; i += 1)
    expect(Math.abs(scores[i] - expected[i])).toBeLessThanOrEqual(1e-6);
});

test('GIVEN a serving app THEN large batches go to the worker, small ones through the main-thread batcher, with equal answers', async () => {
  const model = await load();
  const state = new ServingState();
  state.setReady(model);
  const server = await listenApp({ state });
  servers.push(server);
  const big = rowsOf(40);
  const res = await postJson(`${server.url}/score`, { instances: big });
  expect(res.status).toBe(200);
  const { predictions } = (await res.json()) as { predictions: number[] };
  expect(model.batcher.stats.rows).toBe(0); // all 40 rows went to the worker
  const direct = await model.session.scoreRows(featureMatrix(big, model.manifest.featureSpec), big.length);
  predictions.forEach((p, i) => expect(Math.abs(p - direct[i])).toBeLessThanOrEqual(1e-6));
  const small = await postJson(`${server.url}/score`, { instances: rowsOf(WORKER_MIN_ROWS - 1) });
  expect(small.status).toBe(200);
  expect(model.batcher.stats.rows).toBe(WORKER_MIN_ROWS - 1);
});

test('GIVEN a worker that dies THEN pending runs are rejected, later runs fail fast, and the crash listeners run', async () => {
  const model = await load();
  const worker = model.worker!;
  const crashes: Error[] = [];
  worker.onCrash((err) => crashes.push(err));
  // Outside the protocol: the worker throws uncaught and dies before it reaches the score message
  // (messages are handled in order), so that run is pending when the crash is seen.
  worker.thread.postMessage({ type: 'not-a-message' });
  const X = featureMatrix(rowsOf(20), model.manifest.featureSpec);
  await expect(worker.score(X, 20)).rejects.toThrow(/scoring worker crashed: .*unexpected message/);
  expect(crashes).toHaveLength(1);
  await expect(worker.score(featureMatrix(rowsOf(20), model.manifest.featureSpec), 20)).rejects.toThrow(
    /crashed/,
  );
});

test('GIVEN a worker crash during a request THEN the client gets a 500 with its correlation id and readiness turns failed', async () => {
  const model = await load();
  const state = new ServingState();
  state.setReady(model);
  const { logger, lines } = memoryLogger();
  const server = await listenApp({ state, logger });
  servers.push(server);
  const worker = model.worker!;
  // Fault injection on the real worker: the next message is corrupted on its way, so the worker
  // dies (uncaught protocol error) while processing this very request's run.
  const post = worker.thread.postMessage.bind(worker.thread);
  worker.thread.postMessage = (msg: unknown, transfer?: readonly TransferListItem[]): void =>
    post({ ...(msg as object), type: 'corrupted-in-transit' }, transfer);
  const answer = postJson(
    `${server.url}/score`,
    { instances: rowsOf(20) },
    { 'x-ms-client-request-id': 'crash-1' },
  );
  const res = await answer;
  expect(res.status).toBe(500);
  const body = (await res.json()) as { error: string; correlationId: string; message: string };
  expect(body).toMatchObject({ error: 'internal_error', correlationId: 'crash-1' });
  expect(body.message).not.toMatch(/worker/); // generic to the client; the detail is logged
  expect(lines.some((l) => l.includes('crash-1') && l.includes('scoring worker crashed'))).toBe(true);
  const ready = await fetch(`${server.url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'failed' });
});

test('WHEN released with a run in flight THEN the run finishes, then the thread is terminated', async () => {
  const model = await loadServingModel(await trainedModelRoot(), { workerMinRows: 1 });
  const worker = model.worker!;
  let exited = false;
  worker.thread.once('exit', () => (exited = true));
  const rows = 5000;
  const inFlight = worker.score(featureMatrix(rowsOf(rows), model.manifest.featureSpec), rows);
  const released = model.release();
  const { scores } = await inFlight;
  expect(scores).toHaveLength(rows);
  await released;
  expect(exited).toBe(true);
  expect(worker.inFlight).toBe(0);
  await expect(worker.score(new Float32Array(model.width), 1)).rejects.toThrow(/shut down/);
});

test('GIVEN ORT_WORKER_MIN_ROWS 0 (the library default) THEN no worker thread is started', async () => {
  const model = await loadServingModel(await trainedModelRoot());
  live.push(model);
  expect(model.worker).toBeUndefined();
  const { scores } = await model.score(featureMatrix(rowsOf(200), model.manifest.featureSpec), 200);
  expect(scores).toHaveLength(200);
});
