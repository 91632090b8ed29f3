/**
 * Current (or raw baseline) data from a transactions CSV in the original schema: the model's
 * numeric feature columns (computed with the shared feature module, so exactly what the model
 * sees), category counts mapped onto the baseline's categories, and optionally the scores.
 */
import { readTransactionsCsv } from '../../data/csv';
import { CATEGORICAL_FIELDS, CATEGORICAL_FEATURES, writeFeatures } from '../../features';
import type { ModelManifest } from '../../package/manifest';
import type { CurrentData } from '../compare';
import { baselineCategory } from '../compare';

export interface CsvFeatures {
  readonly rows: number;
  /** Row-major feature matrix (width = manifest feature count). */
  readonly matrix: Float32Array;
  /** Per numeric feature, its column (a copy). */
  readonly numeric: Record<string, Float32Array>;
  readonly categorical: Record<string, Record<string, number>>;
}

/** Reads a CSV into feature columns. Invalid rows fail the read unless `skipInvalid`. */
export async function readCsvFeatures(
  file: string,
  manifest: ModelManifest,
  options: { readonly skipInvalid?: boolean } = {},
): Promise<CsvFeatures> {
  const spec = manifest.featureSpec;
  const width = manifest.input.featureNames.length;
  let matrix = new Float32Array(width * 4096);
  let rows = 0;
  const categorical: Record<string, Record<string, number>> = Object.fromEntries(
    CATEGORICAL_FIELDS.map((f) => [f, {}]),
  );
  await readTransactionsCsv(
    file,
    (tx) => {
      if ((rows + 1) * width > matrix.length) {
        const grown = new Float32Array(matrix.length * 2);
        grown.set(matrix);
        matrix = grown;
      }
      writeFeatures(tx, spec, matrix, rows);
      for (const field of CATEGORICAL_FIELDS) {
        const key = baselineCategory(manifest, field, tx[field]);
        const counts = categorical[field];
        counts[key] = (counts[key] ?? 0) + 1;
      }
      rows += 1;
    },
    { skipInvalid: options.skipInvalid },
  );
  matrix = matrix.subarray(0, rows * width);
  const numeric: Record<string, Float32Array> = {};
  manifest.input.featureNames.forEach((name, col) => {
    if ((CATEGORICAL_FEATURES as readonly string[]).includes(name)) return;
    const column = new Float32Array(rows);
    for (let r = 0; r < rows; r += 1) column[r] = matrix[r * width + col];
    numeric[name] = column;
  });
  return { rows, matrix, numeric, categorical };
}

/** A CSV as drift input; `scores` (one per row) enables the prediction drift test. */
export function csvCurrentData(file: string, features: CsvFeatures, scores?: Float32Array): CurrentData {
  return {
    source: `csv:${file}`,
    rows: features.rows,
    numeric: Object.fromEntries(Object.entries(features.numeric).map(([k, v]) => [k, { values: v }])),
    categorical: features.categorical,
    ...(scores ? { score: { values: scores } } : {}),
  };
}
