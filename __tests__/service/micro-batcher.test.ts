/**
 * The micro-batcher over the real ORT session of a model trained in the test.
 */
import { featureMatrix } from '../../model/features';
import type { ScoringInput } from '../../model/schema';
import type { ServingModel } from '../../service/scoring/load-model';
import { MicroBatcher } from '../../service/scoring/micro-batcher';
import { loadTestModel, transaction } from './helpers';

let model: ServingModel;
beforeAll(async () => {
  model = await loadTestModel();
});
afterAll(() => model.session.release());

const inputs = (n: number): ScoringInput[] =>
  Array.from({ length: n }, (_, i) => transaction(i) as unknown as ScoringInput);

test('GIVEN 100 concurrent single rows WHEN scored THEN they share 2 runs (cap 64) and match one direct run', async () => {
  const rows = inputs(100);
  const matrix = featureMatrix(rows, model.manifest.featureSpec);
  const direct = await model.session.scoreRows(matrix, 100);
  const batcher = new MicroBatcher(model.session, { maxRows: 64 });
  const w = model.width;
  const results = await Promise.all(
    rows.map((_, i) => batcher.scoreRows(matrix.slice(i * w, (i + 1) * w), 1)),
  );
  results.forEach((r, i) => {
    expect(r).toHaveLength(1);
    expect(r[0]).toBeCloseTo(direct[i], 6);
  });
  expect(batcher.stats).toEqual({ runs: 2, rows: 100, jobs: 100, maxRowsInRun: 64 });
});

test('a job larger than maxRows runs alone, mixed jobs keep their row order', async () => {
  const batcher = new MicroBatcher(model.session, { maxRows: 8 });
  const big = featureMatrix(inputs(20), model.manifest.featureSpec);
  const small = featureMatrix(inputs(3), model.manifest.featureSpec);
  const [a, b] = await Promise.all([batcher.scoreRows(big, 20), batcher.scoreRows(small, 3)]);
  expect(a).toHaveLength(20);
  expect(Array.from(b)).toEqual(Array.from(a.subarray(0, 3)));
  expect(batcher.stats.runs).toBe(2);
  expect(batcher.stats.maxRowsInRun).toBe(20);
});

test('a bad buffer is rejected up front; a failing run rejects its jobs and does not stall the queue', async () => {
  const batcher = new MicroBatcher(model.session, { maxRows: 8 });
  await expect(batcher.scoreRows(new Float32Array(model.width + 1), 1)).rejects.toThrow(/expected 1 rows x/);
  expect(() => new MicroBatcher(model.session, { maxRows: 0 })).toThrow(/positive integer/);

  const doomed = await loadTestModel();
  const failing = new MicroBatcher(doomed.session, { maxRows: 4 });
  await doomed.session.release();
  const row = featureMatrix(inputs(1), model.manifest.featureSpec);
  const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => failing.scoreRows(row, 1)));
  expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  expect(failing.pending).toBe(0);
});
