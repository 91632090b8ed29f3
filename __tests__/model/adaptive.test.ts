import { TransactionColumns, emptyTransaction } from '../../model/data/columns';
import { iterateTransactions, type GeneratorProfile } from '../../model/data/generate';
import { FEATURE_NAMES, fitFeatureSpec, writeFeatures } from '../../model/features';
import { regularizationCandidates, trainWithAdaptiveDefaults } from '../../model/train/adaptive';

const W = FEATURE_NAMES.length;

/** Feature matrices of generated rows: train, validation. */
function data(profile: GeneratorProfile, rows: number) {
  const cols = new TransactionColumns(rows, true);
  for (const r of iterateTransactions({ rows, seed: 3, profile })) cols.push(r.tx, r.p);
  const spec = fitFeatureSpec(cols.iterate(Uint32Array.from({ length: rows }, (_, i) => i)));
  const X = new Float32Array(rows * W);
  const y = new Uint8Array(rows);
  const tx = emptyTransaction();
  for (let i = 0; i < rows; i++) {
    writeFeatures(cols.read(i, tx), spec, X, i);
    y[i] = cols.label(i);
  }
  const nv = Math.round(rows * 0.2);
  const nt = rows - nv;
  return {
    X: X.subarray(0, nt * W),
    y: y.subarray(0, nt),
    rows: nt,
    width: W,
    valid: { X: X.subarray(nt * W), y: y.subarray(nt), rows: nv },
  };
}

test('chooses the regularization with the lower validation loss and says where each value came from', () => {
  const input = data('original', 20_000);
  const r = trainWithAdaptiveDefaults(input, { nTrees: 60, learningRate: 0.1 });
  expect(r.candidates.map((c) => c.label)).toEqual(['deep', 'shallow']);
  const best = r.candidates.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a));
  expect(Math.min(...r.result.history.valid)).toBe(best.validationLoss);
  expect(r.result.model.params.maxDepth).toBe(best.params.maxDepth);
  expect(r.paramSource.maxDepth).toBe('validation');
  expect(r.paramSource.minSamplesLeaf).toBe('validation');
  expect(r.paramSource.nTrees).toBe('user');
  expect(r.paramSource.l2).toBe('default');
});

test('a user who sets any regularization parameter gets exactly that, with no choice', () => {
  const input = data('original', 5_000);
  const r = trainWithAdaptiveDefaults(input, { nTrees: 5, maxDepth: 4 });
  expect(r.candidates).toEqual([]);
  expect(r.result.model.params.maxDepth).toBe(4);
  expect(r.paramSource.maxDepth).toBe('user');
  expect(r.paramSource.minSamplesLeaf).toBe('default');
  const noValid = trainWithAdaptiveDefaults({ ...input, valid: undefined }, { nTrees: 5 });
  expect(noValid.candidates).toEqual([]);
});

test('leaf sizes scale with the rows, with floors for small data', () => {
  const small = regularizationCandidates(14_000);
  const big = regularizationCandidates(900_000);
  expect(small.map((c) => c.params.minSamplesLeaf)).toEqual([100, 200]);
  expect(big.map((c) => c.params.minSamplesLeaf)).toEqual([180, 900]);
});
