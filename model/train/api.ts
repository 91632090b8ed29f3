/**
 * The programmatic training path: data (rows or a CSV path) -> features -> GBDT + logistic
 * baseline -> evaluation -> ONNX -> immutable model package. Used by the train CLI, by
 * `npm start` and by the service tests (small data trains in about a second).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TransactionColumns, emptyTransaction } from '../data/columns';
import { transactionToCsvLine, type CsvReadSummary } from '../data/csv';
import { readTransactionColumns } from '../data/csv-columns';
import { Rng } from '../data/rng';
import { danfoDataSummary } from '../eval/data-summary';
import {
  bestF1Threshold,
  calibrationTable,
  confusionAt,
  curves,
  rocAuc,
  summarize,
  type EvaluationSummary,
} from '../eval/metrics';
import { renderReport } from '../eval/report';
import { shapImportance } from '../eval/shap-importance';
import {
  exportGbdtToOnnx,
  ONNX_INPUT_NAME,
  ONNX_MARGIN_NAME,
  ONNX_ML_OPSET,
  ONNX_OUTPUT_NAME,
  ONNX_TREE_OP,
} from '../export/onnx';
import {
  CATEGORICAL_FIELDS,
  featureWidth,
  fitFeatureSpec,
  writeFeatures,
  type FeatureSpec,
} from '../features';
import { computeBaseline } from '../package/baseline';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
  ONNX_FILE,
  REPORT_FILE,
  type ModelLineage,
  type ModelManifest,
  type ModelMetrics,
} from '../package/manifest';
import { assertPackageId, packageDir, PackageExistsError, writeModelPackage } from '../package/writer';
import { TRANSACTION_FIELDS, formatFieldErrors, validateTransaction, type Transaction } from '../schema';
import { trainWithAdaptiveDefaults } from './adaptive';
import {
  featureImportance,
  predictProba,
  resolveGbdtParams,
  sigmoid,
  type GbdtModel,
  type GbdtParams,
} from './gbdt';
import { predictLogistic, trainLogistic, type LogisticModel } from './logistic';
import type { TrainingRunInfo } from './run-info';

export const DEFAULT_MODEL_NAME = 'fraud-detection-model';

export type TrainStage = 'read' | 'features' | 'baseline' | 'train' | 'evaluate' | 'write';

export interface TrainProgressEvent {
  stage: TrainStage;
  /** For stage 'train': trees built so far and the planned total. */
  tree?: number;
  /** For stage 'train': the regularization candidate being trained (see adaptive.ts), if any. */
  candidate?: string;
  totalTrees?: number;
  validLoss?: number;
  /** For stage 'read': rows read so far. */
  rows?: number;
}

export interface TrainModelPackageOptions {
  /** Training rows in memory, or the path of a CSV in the original schema. */
  readonly data: Transaction[] | string;
  /** Packages go to `<outRoot>/<name>/<version>/`. */
  readonly outRoot: string;
  /** @default 'fraud-detection-model' */
  readonly name?: string;
  /** @default - UTC time of training, e.g. '20261127-041200-123' */
  readonly version?: string;
  /** Seeds the split and the trainer. @default 42 */
  readonly seed?: number;
  /** GBDT hyper-parameters. @default DEFAULT_GBDT_PARAMS */
  readonly params?: Partial<GbdtParams>;
  readonly onProgress?: (p: TrainProgressEvent) => void;
  /** CSV only: skip and count invalid rows instead of failing. @default false */
  readonly skipInvalid?: boolean;
  /** Share of rows held out for metrics. @default 0.2 */
  readonly testFraction?: number;
  /** Share of the remaining rows used for early stopping and the threshold. @default 0.1 */
  readonly validationFraction?: number;
  /** True fraud probabilities of `data` rows (synthetic data) to report the Bayes-optimal AUC. @default - read from a CSV's true_probability column if present */
  readonly trueProbability?: Float64Array;
  /** Add a danfojs data summary to the report (costs ~2 s to load danfojs). @default false */
  readonly dataSummary?: boolean;
  /** @default - now */
  readonly createdAt?: Date;
  /** @default - package.json version + git commit when available */
  readonly codeVersion?: string;
  /** Azure ML job provenance (data asset, job id), recorded in the manifest. @default - none (local training) */
  readonly lineage?: ModelLineage;
  /** Generator profile of the data ('ours', 'original'), recorded in `run` when known. @default - unknown */
  readonly dataProfile?: string;
}

export interface TrainModelPackageResult {
  dir: string;
  manifest: ModelManifest;
  metrics: ModelMetrics;
  model: GbdtModel;
  logistic: LogisticModel;
  /** CSV input only: read summary (rows, skipped, ignored columns). */
  csv?: CsvReadSummary;
  /** Seconds spent per stage. */
  timings: Record<TrainStage, number>;
  warnings: string[];
  /**
   * The run for the report: `run.validationLoss` (early-stopping curve, one value per round),
   * `run.sizes` (train/validation/test rows), `run.params` + `run.paramSource` (defaults used),
   * `run.candidates` (regularization tried on validation), `run.dataHash`, `run.dataProfile`.
   */
  run: TrainingRunInfo;
}

function defaultVersion(d: Date): string {
  const iso = d.toISOString(); // 2026-11-27T04:12:00.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

/** package.json version plus the git commit of the checkout, read from files (no subprocess). */
export function detectCodeVersion(start = __dirname): string {
  let dir = start;
  let version = '0.0.0';
  let commit = '';
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version ?? version;
        const head = path.join(dir, '.git', 'HEAD');
        if (fs.existsSync(head)) {
          const ref = fs.readFileSync(head, 'utf8').trim();
          if (ref.startsWith('ref: ')) {
            const refFile = path.join(dir, '.git', ref.slice(5));
            if (fs.existsSync(refFile)) commit = fs.readFileSync(refFile, 'utf8').trim().slice(0, 12);
          } else commit = ref.slice(0, 12);
        }
      } catch {
        // version stays the default: a code version is informative, not essential
      }
      break;
    }
    dir = path.dirname(dir);
  }
  return commit ? `${version}+${commit}` : version;
}

type Matrix = { X: Float32Array; y: Uint8Array; rows: number };

/** Seconds per stage, measured between consecutive `lap` calls. */
class StageTimer {
  readonly timings: Record<TrainStage, number> = {
    read: 0,
    features: 0,
    baseline: 0,
    train: 0,
    evaluate: 0,
    write: 0,
  };
  private t0 = performance.now();

  lap(stage: TrainStage): void {
    const now = performance.now();
    this.timings[stage] += (now - this.t0) / 1000;
    this.t0 = now;
  }
}

/** The checked options of one run. */
interface RunPlan {
  name: string;
  version: string;
  createdAt: Date;
  seed: number;
  /** Parameters the user set (the seed included); the rest are chosen by trainWithAdaptiveDefaults. */
  userParams: Partial<GbdtParams>;
  testFraction: number;
  validationFraction: number;
  progress: (p: TrainProgressEvent) => void;
}

/** Validates the options; fails before any training if the package version already exists. */
function planRun(opts: TrainModelPackageOptions): RunPlan {
  const name = opts.name ?? DEFAULT_MODEL_NAME;
  const createdAt = opts.createdAt ?? new Date();
  const version = opts.version ?? defaultVersion(createdAt);
  assertPackageId('name', name);
  assertPackageId('version', version);
  const target = packageDir(opts.outRoot, name, version);
  if (fs.existsSync(target)) throw new PackageExistsError(target); // fail before spending time training
  const seed = opts.seed ?? 42;
  const testFraction = opts.testFraction ?? 0.2;
  const validationFraction = opts.validationFraction ?? 0.1;
  if (!(testFraction > 0 && testFraction < 0.9))
    throw new Error(`testFraction must be in (0, 0.9), got ${testFraction}`);
  if (!(validationFraction >= 0 && validationFraction < 0.9)) {
    throw new Error(`validationFraction must be in [0, 0.9), got ${validationFraction}`);
  }
  // The trainer's seed is the run's seed unless params.seed says otherwise (both default to 42).
  const userParams: Partial<GbdtParams> =
    opts.seed !== undefined ? { seed, ...opts.params } : { ...opts.params };
  resolveGbdtParams(userParams); // bad parameters fail before any data is read
  return {
    name,
    version,
    createdAt,
    seed,
    userParams,
    testFraction,
    validationFraction,
    progress: opts.onProgress ?? (() => undefined),
  };
}

interface LoadedData {
  cols: TransactionColumns;
  dataHash: string;
  csv?: CsvReadSummary;
  positives: number;
}

/** Stage 1: read into compact columns (identifiers are not kept; they are never features). */
async function readTrainingData(
  opts: TrainModelPackageOptions,
  progress: RunPlan['progress'],
  warnings: string[],
): Promise<LoadedData> {
  progress({ stage: 'read', rows: 0 });
  let cols: TransactionColumns;
  let dataHash: string;
  let csv: CsvReadSummary | undefined;
  if (typeof opts.data === 'string') {
    const read = await readTransactionColumns(opts.data, {
      skipInvalid: opts.skipInvalid,
      onRows: (rows) => progress({ stage: 'read', rows }),
    });
    cols = read.cols;
    csv = read.summary;
    dataHash = csv.sha256;
    if (csv.skipped > 0) warnings.push(`${csv.skipped} invalid CSV row(s) were skipped (--skip-invalid)`);
    if (csv.ignoredColumns.length > 0)
      warnings.push(`ignored CSV column(s): ${csv.ignoredColumns.join(', ')}`);
  } else {
    const rows = opts.data;
    const prob = opts.trueProbability;
    if (prob && prob.length !== rows.length) {
      throw new Error(`trueProbability has ${prob.length} values but data has ${rows.length} rows`);
    }
    cols = new TransactionColumns(rows.length, prob !== undefined);
    const hash = createHash('sha256').update(`${TRANSACTION_FIELDS.join(',')}\n`);
    for (let i = 0; i < rows.length; i++) {
      const checked = validateTransaction(rows[i], `data[${i}]`);
      if (!checked.ok) throw new Error(`invalid training row: ${formatFieldErrors(checked.errors)}`);
      cols.push(rows[i], prob?.[i]);
      hash.update(`${transactionToCsvLine(rows[i])}\n`);
    }
    dataHash = hash.digest('hex');
  }
  const n = cols.length;
  progress({ stage: 'read', rows: n });
  if (n < 50) throw new Error(`need at least 50 valid training rows, got ${n}`);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += cols.label(i);
  if (positives === 0 || positives === n) {
    throw new Error(`training data must contain both classes; got ${positives} fraud rows of ${n}`);
  }
  return { cols, dataHash, csv, positives };
}

interface SplitData {
  trainIdx: Uint32Array;
  validIdx: Uint32Array;
  testIdx: Uint32Array;
  spec: FeatureSpec;
  width: number;
  train: Matrix;
  valid?: Matrix;
  test: Matrix;
}

/**
 * Stage 2: seeded split into train / validation / test, the feature spec fitted on the training
 * split only, and one float32 feature matrix per split.
 */
function splitAndFeaturize(cols: TransactionColumns, plan: RunPlan, warnings: string[]): SplitData {
  const n = cols.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  new Rng(plan.seed ^ 0x5eed).shuffle(order);
  const nTest = Math.max(1, Math.round(n * plan.testFraction));
  const nValid =
    plan.validationFraction > 0 ? Math.max(1, Math.round((n - nTest) * plan.validationFraction)) : 0;
  if (n - nTest - nValid < 20)
    throw new Error(`too few training rows after the split: ${n - nTest - nValid}`);
  const testIdx = order.subarray(0, nTest);
  const validIdx = order.subarray(nTest, nTest + nValid);
  const trainIdx = order.subarray(nTest + nValid);
  const spec: FeatureSpec = fitFeatureSpec(cols.iterate(trainIdx));
  const width = featureWidth(spec);
  const toMatrix = (idx: Uint32Array): Matrix => {
    const X = new Float32Array(idx.length * width);
    const y = new Uint8Array(idx.length);
    const tx = emptyTransaction();
    for (let k = 0; k < idx.length; k++) {
      cols.read(idx[k], tx);
      writeFeatures(tx, spec, X, k);
      y[k] = cols.label(idx[k]);
    }
    return { X, y, rows: idx.length };
  };
  const train = toMatrix(trainIdx);
  const valid = nValid > 0 ? toMatrix(validIdx) : undefined;
  const test = toMatrix(testIdx);
  if (train.y.reduce((s, v) => s + v, 0) === 0) warnings.push('the training split has no fraud rows');
  return { trainIdx, validIdx, testIdx, spec, width, train, valid, test };
}

/** Stage 3: logistic baseline on at most 200k training rows (a reference, not the product). */
function trainBaseline(train: Matrix, width: number): LogisticModel {
  const lrRows = Math.min(train.rows, 200_000);
  return trainLogistic(train.X.subarray(0, lrRows * width), train.y.subarray(0, lrRows), lrRows, width);
}

interface Evaluation {
  metrics: ModelMetrics;
  threshold: number;
  pTest: Float64Array;
  pTestLr: Float64Array;
}

/** Stage 5a: metrics on the test split, the threshold (max F1) on the validation split. */
function evaluate(
  model: GbdtModel,
  logistic: LogisticModel,
  data: LoadedData,
  split: SplitData,
  warnings: string[],
  validMargin: Float64Array | undefined,
): Evaluation {
  const { test, valid, testIdx } = split;
  const { cols } = data;
  const pTest = predictProba(model, test.X, test.rows);
  const pTestLr = predictLogistic(logistic, test.X, test.rows);
  const gb: EvaluationSummary = summarize(test.y, pTest);
  const lr: EvaluationSummary = summarize(test.y, pTestLr);
  const threshold = valid
    ? bestF1Threshold(valid.y, validMargin ? sigmoid(validMargin) : predictProba(model, valid.X, valid.rows))
    : bestF1Threshold(test.y, pTest);
  let bayesRocAuc: number | undefined;
  if (cols.hasTrueProbability) {
    const pTrue = Float64Array.from(testIdx, (i) => cols.trueProbability(i));
    if (pTrue.every((p) => Number.isFinite(p))) bayesRocAuc = rocAuc(test.y, pTrue);
  }
  const testPositives = test.y.reduce((s, v) => s + v, 0);
  if (testPositives < 30) {
    warnings.push(`the test split has only ${testPositives} fraud rows: metrics are noisy`);
  }
  const metrics: ModelMetrics = {
    ...gb,
    baseline: lr,
    rows: { train: split.train.rows, validation: valid?.rows ?? 0, test: test.rows },
    fraudRate: data.positives / cols.length,
    trees: model.trees.length,
    ...(bayesRocAuc !== undefined ? { bayesRocAuc } : {}),
  };
  return { metrics, threshold, pTest, pTestLr };
}

/** Stage 5b: the manifest (everything the service and the drift job need). */
function buildManifest(
  plan: RunPlan,
  opts: TrainModelPackageOptions,
  data: LoadedData,
  split: SplitData,
  model: GbdtModel,
  run: TrainingRunInfo,
  ev: Evaluation,
): ModelManifest {
  const { spec, width, train, trainIdx } = split;
  const categories: Record<string, string[]> = {};
  for (const field of CATEGORICAL_FIELDS)
    categories[field] = Array.from(trainIdx, (i) => data.cols.category(field, i));
  const baseline = computeBaseline(spec, train.X, train.rows, categories, ev.pTest);
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    name: plan.name,
    version: plan.version,
    createdAt: plan.createdAt.toISOString(),
    codeVersion: opts.codeVersion ?? detectCodeVersion(),
    trainingDataHash: data.dataHash,
    input: {
      name: ONNX_INPUT_NAME,
      shape: [-1, width],
      featureNames: [...spec.featureNames],
      dtype: 'float32',
    },
    output: { name: ONNX_OUTPUT_NAME, shape: [-1, 1] },
    marginOutput: ONNX_MARGIN_NAME,
    featureSpec: spec,
    metrics: ev.metrics,
    baseline,
    threshold: ev.threshold,
    params: { ...run.params, treesKept: model.trees.length, bestIteration: run.bestIteration },
    onnx: { opsets: { '': 13, 'ai.onnx.ml': ONNX_ML_OPSET }, treeOp: ONNX_TREE_OP },
    ...(opts.lineage ? { lineage: opts.lineage } : {}),
  };
}

/** Stage 5c: report.md and its charts. */
async function renderRunReport(
  opts: TrainModelPackageOptions,
  data: LoadedData,
  split: SplitData,
  model: GbdtModel,
  manifest: ModelManifest,
  run: TrainingRunInfo,
  ev: Evaluation,
  warnings: string[],
): Promise<ReturnType<typeof renderReport>> {
  const { test, spec } = split;
  const imp = featureImportance(model);
  const dataSummary = opts.dataSummary ? await danfoDataSummary(data.cols) : undefined;
  return renderReport({
    manifest,
    confusion: confusionAt(test.y, ev.pTest, ev.threshold),
    calibration: calibrationTable(test.y, ev.pTest),
    importance: spec.featureNames.map((feature, f) => ({
      feature,
      gain: imp.gain[f],
      splits: imp.splits[f],
    })),
    curves: { gbdt: curves(test.y, ev.pTest), logistic: curves(test.y, ev.pTestLr) },
    dataSummary,
    warnings,
    training: run,
    shapImportance: shapImportance(model, test.X, test.rows, spec.featureNames),
  });
}

/** Trains, evaluates and writes one model package. */
export async function trainModelPackage(opts: TrainModelPackageOptions): Promise<TrainModelPackageResult> {
  const plan = planRun(opts);
  const { progress } = plan;
  const timer = new StageTimer();
  const warnings: string[] = [];

  const data = await readTrainingData(opts, progress, warnings);
  timer.lap('read');

  const split = splitAndFeaturize(data.cols, plan, warnings);
  timer.lap('features');
  progress({ stage: 'features' });

  progress({ stage: 'baseline' });
  const logistic = trainBaseline(split.train, split.width);
  timer.lap('baseline');

  const { train, valid, width } = split;
  const trained = trainWithAdaptiveDefaults(
    { X: train.X, y: train.y, rows: train.rows, width, valid },
    plan.userParams,
    (p) =>
      progress({
        stage: 'train',
        tree: p.tree,
        totalTrees: p.totalTrees,
        validLoss: p.validLoss,
        ...(p.candidate !== undefined ? { candidate: p.candidate } : {}),
      }),
  );
  const model = trained.result.model;
  const run: TrainingRunInfo = {
    validationLoss: trained.result.history.valid,
    trainLoss: trained.result.history.train,
    bestIteration: trained.result.bestIteration,
    sizes: { train: train.rows, validation: valid?.rows ?? 0, test: split.test.rows },
    params: model.params,
    paramSource: trained.paramSource,
    candidates: trained.candidates,
    dataHash: data.dataHash,
    ...(opts.dataProfile !== undefined ? { dataProfile: opts.dataProfile } : {}),
  };
  timer.lap('train');

  progress({ stage: 'evaluate' });
  const ev = evaluate(model, logistic, data, split, warnings, trained.result.validMargin);
  const manifest = buildManifest(plan, opts, data, split, model, run, ev);
  const report = await renderRunReport(opts, data, split, model, manifest, run, ev, warnings);
  timer.lap('evaluate');

  progress({ stage: 'write' });
  const onnxBytes = exportGbdtToOnnx(model, {
    name: plan.name,
    version: plan.version,
    featureNames: split.spec.featureNames,
  });
  const dir = writeModelPackage(opts.outRoot, plan.name, plan.version, {
    [ONNX_FILE]: onnxBytes,
    [MANIFEST_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
    [REPORT_FILE]: report.markdown,
    ...report.charts, // roc.svg, pr.svg, calibration.svg, early-stopping.svg, importance.svg
  });
  timer.lap('write');
  return {
    dir,
    manifest,
    metrics: ev.metrics,
    model,
    logistic,
    csv: data.csv,
    timings: timer.timings,
    warnings,
    run,
  };
}
