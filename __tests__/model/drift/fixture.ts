/**
 * Small real inputs for the drift and canary tests: one generated population (seeded), a model
 * trained on its first rows, an undrifted CSV (later rows of the same population: the generator
 * draws a customer base per seed, so another seed is a different population) and a drifted
 * CSV from the generator's drift option (`npm run generate -- --drift`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTransactionsCsv } from '../../../model/data/csv';
import { generateTransactions, parseDriftSpec } from '../../../model/data/generate';
import { trainModelPackage } from '../../../model/train/api';

export const DRIFT_SPEC = 'amount=1.5,night=3';

export interface DriftFixture {
  readonly packageDir: string;
  readonly trainCsv: string;
  readonly undriftedCsv: string;
  readonly driftedCsv: string;
}

export async function buildDriftFixture(
  dir: string,
  rows = { train: 8000, current: 2000 },
): Promise<DriftFixture> {
  const all = generateTransactions({ rows: rows.train + rows.current, seed: 7 }).rows;
  const trainRows = all.slice(0, rows.train);
  const writeCsv = async (file: string, txs: typeof all): Promise<string> => {
    const out = path.join(dir, file);
    await writeTransactionsCsv(
      out,
      txs.map((tx) => ({ tx })),
    );
    return out;
  };
  const trainCsv = await writeCsv('train.csv', trainRows);
  const undriftedCsv = await writeCsv('undrifted.csv', all.slice(rows.train));
  const drifted = generateTransactions({
    rows: rows.current,
    seed: 7,
    drift: parseDriftSpec(DRIFT_SPEC),
  }).rows;
  const driftedCsv = await writeCsv('drifted.csv', drifted);
  const result = await trainModelPackage({
    data: trainRows,
    outRoot: path.join(dir, 'models'),
    version: 'v1',
    params: { nTrees: 15 },
    createdAt: new Date('2026-01-01T00:00:00Z'),
    codeVersion: 'test',
  });
  fs.accessSync(path.join(result.dir, 'model.onnx'));
  return { packageDir: result.dir, trainCsv, undriftedCsv, driftedCsv };
}
