/**
 * The ORT worker thread's V8 heap is bounded (issue 9 E, RSS under load within issue 4's
 * 200 MB): left to Node's defaults its young generation grew to 8 MB under batch load, and
 * nothing bounded its old generation.
 */
import { loadServingModel } from '../../service/scoring/load-model';
import { trainedModelRoot } from './helpers';

test('GIVEN the ORT worker thread THEN its heap limits are small and explicit, and it still scores a batch', async () => {
  const model = await loadServingModel(await trainedModelRoot(), { workerMinRows: 1 });
  try {
    const worker = model.worker;
    expect(worker).toBeDefined();
    const limits = worker?.thread.resourceLimits;
    expect(limits?.maxYoungGenerationSizeMb).toBeLessThanOrEqual(4);
    expect(limits?.maxOldGenerationSizeMb).toBeLessThanOrEqual(64);
    const rows = 500;
    const { scores } = await model.score(new Float32Array(rows * model.width), rows, {
      predictionsJson: true,
    });
    expect(scores).toHaveLength(rows);
  } finally {
    await model.release();
  }
});
