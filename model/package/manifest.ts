/**
 * The model package manifest (`model.json`) and its runtime check. A package is a folder
 * `models/<name>/<version>/` holding `model.onnx`, `model.json`, `report.md`, `roc.svg`,
 * `pr.svg`; it is immutable once written (see writer.ts).
 */
import { assertSpecSupported, type FeatureSpec } from '../features';

export const MANIFEST_FILE = 'model.json';
export const ONNX_FILE = 'model.onnx';
export const REPORT_FILE = 'report.md';
export const MANIFEST_SCHEMA_VERSION = 1;

/**
 * A histogram on fixed edges. Bin semantics (shared by training, service and drift job):
 * bin 0 is `x <= edges[0]`, bin i is `edges[i-1] < x <= edges[i]`, the last bin
 * (index edges.length) is `x > edges[edges.length-1]`; so `freqs.length === edges.length + 1`.
 * NaN is not counted. Use `histogramBin` to place a value.
 */
export interface Histogram {
  edges: number[];
  /** Fraction of baseline rows in each bin (sums to 1). */
  freqs: number[];
  /** Baseline row count in each bin. */
  counts: number[];
}

export interface BaselineDistributions {
  /** Per numeric model feature (FEATURE_NAMES minus categorical columns): quantile bins. */
  numeric: Record<string, Histogram>;
  /** Per raw categorical field: category -> fraction of baseline rows (`__unknown__` included when seen). */
  categorical: Record<string, Record<string, number>>;
  /**
   * Predicted probability on the held-out evaluation rows. Counted, like production scores, on
   * the edges raised by the trainer-vs-ORT tolerance: `scoreBinEdges` in baseline.ts.
   */
  score: Histogram;
  /** Rows the baseline was computed on. */
  rows: number;
}

export interface ModelMetrics {
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  /** Same metrics for the logistic-regression baseline on the same evaluation rows. */
  baseline: { rocAuc: number; prAuc: number; logLoss: number; brier: number };
  /** Rows in train / validation (early stopping) / test (metrics) splits. */
  rows: { train: number; validation: number; test: number };
  fraudRate: number;
  trees: number;
  /** Bayes-optimal ROC AUC, only when true probabilities were available (synthetic data). */
  bayesRocAuc?: number;
}

export interface ModelManifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  name: string;
  version: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** `git describe`-like code identifier (commit or package version) of the trainer. */
  codeVersion: string;
  /** sha256 (hex) of the training data (CSV bytes, or canonical CSV for in-memory rows). */
  trainingDataHash: string;
  input: { name: string; shape: [-1, number]; featureNames: string[]; dtype: 'float32' };
  /** Probability of fraud, shape [-1, 1]. */
  output: { name: string; shape: [-1, 1] };
  /** Raw-margin output before the Sigmoid, shape [-1, 1]. */
  marginOutput: string;
  featureSpec: FeatureSpec;
  metrics: ModelMetrics;
  baseline: BaselineDistributions;
  /** Decision threshold on `pred_proba` chosen on the evaluation rows (max F1). */
  threshold: number;
  /** Hyper-parameters the ensemble was trained with. */
  params: Record<string, number | string | boolean>;
  /** ONNX facts: operator domain/opset the file imports. */
  onnx: { opsets: Record<string, number>; treeOp: string };
  /** Where the training ran, when it ran as an Azure ML job (absent for local training). */
  lineage?: ModelLineage;
  /**
   * sha256 (hex) of every other file of the package, by file name (`model.onnx`, `report.md`,
   * ...). Added by `writeModelPackage` as it writes the files, so it is absent from the manifest
   * object a trainer builds; `loadModelPackage` refuses a package without it or with any
   * mismatch, so a swapped `model.onnx` never serves under this manifest's name and version.
   */
  files?: Record<string, string>;
}

/** Provenance recorded by the Azure ML training job (model/jobs/training-job.ts). */
export interface ModelLineage {
  /** The training data asset the job read, `name:version`. */
  dataAsset?: string;
  /** The Azure ML job (run) id that trained the package. */
  jobId?: string;
}

/** A file name directly inside the package folder: no path separators, not hidden. */
export function isPackageFileName(name: string): boolean {
  return name.length > 0 && !name.includes('/') && !name.includes('\\') && !name.startsWith('.');
}

/** Index of the bin `x` falls in (see `Histogram`); -1 for NaN. Binary search, no allocation. */
export function histogramBin(edges: readonly number[], x: number): number {
  if (Number.isNaN(x)) return -1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Throws one error listing every problem found in a parsed `model.json`. */
export function assertManifest(raw: unknown, source = MANIFEST_FILE): asserts raw is ModelManifest {
  const problems: string[] = [];
  const m = raw as Partial<ModelManifest> | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new Error(`${source}: manifest must be a JSON object`);
  }
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    problems.push(`schemaVersion must be ${MANIFEST_SCHEMA_VERSION}, got ${JSON.stringify(m.schemaVersion)}`);
  }
  for (const key of ['name', 'version', 'createdAt', 'codeVersion', 'trainingDataHash'] as const) {
    if (typeof m[key] !== 'string' || (m[key] as string).length === 0)
      problems.push(`${key} must be a non-empty string`);
  }
  const input = m.input;
  if (
    !input ||
    typeof input.name !== 'string' ||
    !Array.isArray(input.shape) ||
    !Array.isArray(input.featureNames)
  ) {
    problems.push('input must have name, shape and featureNames');
  } else if (input.shape.length !== 2 || input.shape[1] !== input.featureNames.length) {
    problems.push(
      `input.shape must be [-1, ${input.featureNames.length}], got ${JSON.stringify(input.shape)}`,
    );
  }
  if (!m.output || typeof m.output.name !== 'string') problems.push('output.name must be a string');
  if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1)) {
    problems.push(`threshold must be a number in 0..1, got ${JSON.stringify(m.threshold)}`);
  }
  if (!m.baseline || typeof m.baseline.numeric !== 'object' || !m.baseline.score) {
    problems.push('baseline must have numeric, categorical and score distributions');
  }
  if (m.files !== undefined) {
    const ok =
      typeof m.files === 'object' &&
      m.files !== null &&
      Object.entries(m.files).every(
        ([name, hash]) => isPackageFileName(name) && typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash),
      );
    if (!ok) problems.push('files must map plain file names to sha256 hex digests');
  }
  if (!m.featureSpec) problems.push('featureSpec is missing');
  else {
    try {
      assertSpecSupported(m.featureSpec);
      if (
        input &&
        Array.isArray(input.featureNames) &&
        input.featureNames.join() !== m.featureSpec.featureNames.join()
      ) {
        problems.push('input.featureNames must equal featureSpec.featureNames');
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (m.lineage !== undefined) {
    const l = m.lineage as Record<string, unknown> | null;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) problems.push('lineage must be an object');
    else
      for (const key of ['dataAsset', 'jobId'] as const) {
        if (l[key] !== undefined && (typeof l[key] !== 'string' || l[key] === ''))
          problems.push(`lineage.${key} must be a non-empty string when present`);
      }
  }
  if (problems.length > 0) throw new Error(`${source}: invalid model manifest: ${problems.join('; ')}`);
}
