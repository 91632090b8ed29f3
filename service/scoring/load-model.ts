/**
 * Model loading for serving: find the package under MODEL_DIR / AZUREML_MODEL_DIR, check the
 * manifest, create the main thread's ORT session (and, when ORT_WORKER_MIN_ROWS > 0, start the
 * ORT worker thread with its own), and warm both up through the same feature code the
 * requests use. Any problem throws (the server logs it and exits non-zero): a model that
 * fails to load is never replaced by a fallback (the original silently swapped its scaler).
 */
import { featureWidth, writeFeatures } from '../../model/features';
import { findModelPackage, loadModelPackage } from '../../model/package/loader';
import type { ModelManifest } from '../../model/package/manifest';
import type { ScoringInput } from '../../model/schema';
import { loadExplainer, type ExplainerLoad } from './explainer';
import { MicroBatcher } from './micro-batcher';
import { OrtScorer } from './ort-scorer';
import { WorkerScorer, type ScoredRows, type ScoreOptions } from './worker-scorer';

export interface ServingModel {
  readonly manifest: ModelManifest;
  /** `name:version`, as put in every answer. */
  readonly ref: string;
  readonly dir: string;
  readonly width: number;
  /** The micro-batching front of the main-thread ORT session (small runs). */
  readonly batcher: MicroBatcher;
  readonly session: OrtScorer;
  /** The ORT worker thread for runs of at least `workerMinRows` rows; absent when off. */
  readonly worker?: WorkerScorer;
  /** Runs of at least this many rows go to the worker (when there is one). */
  readonly workerMinRows: number;
  /** TreeSHAP on the trees of the served model.onnx, or why the model cannot be explained. */
  readonly explanations: ExplainerLoad;
  /** Wall time of load (manifest + sessions) and of the first (cold) warm-up run. */
  readonly loadMs: number;
  readonly warmupMs: number;
  /**
   * Scores one request's rows: to the worker when it exists and `rows >= workerMinRows`, else
   * through the micro-batcher on the main thread. Returns the feature buffer (the same memory,
   * handed back by the worker) with the scores.
   */
  score(features: Float32Array, rows: number, options?: ScoreOptions): Promise<ScoredRows>;
  /** Shutdown: waits for the worker's runs in flight, terminates it, releases both sessions. */
  release(): Promise<void>;
}

export interface LoadServingModelOptions {
  /** @default 1 */
  readonly intraOpThreads?: number;
  /** @default 1 */
  readonly interOpThreads?: number;
  /** @default 256 */
  readonly microBatchMaxRows?: number;
  /**
   * Runs of at least this many rows are scored in the ORT worker thread; 0 = no worker.
   * @default 0 (no worker; the server passes ORT_WORKER_MIN_ROWS, default 128)
   */
  readonly workerMinRows?: number;
}

/** A plain, valid transaction: warm-up exercises features, tensor and session end to end. */
const WARMUP_INPUT: ScoringInput = {
  amount: 42.5,
  merchant_category: 'grocery',
  ip_geo_country: 'US',
  currency: 'USD',
  hour_of_day: 12,
  day_of_week: 2,
};

export async function loadServingModel(
  modelDir: string,
  options: LoadServingModelOptions = {},
): Promise<ServingModel> {
  const t0 = performance.now();
  const pkg = loadModelPackage(findModelPackage(modelDir));
  const { manifest } = pkg;
  const width = featureWidth(manifest.featureSpec);
  const warmupRows = (): Float32Array => {
    const rows = new Float32Array(width * 2);
    writeFeatures(WARMUP_INPUT, manifest.featureSpec, rows, 0);
    writeFeatures({ amount: 0 }, manifest.featureSpec, rows, 1);
    return rows;
  };
  const workerMinRows = options.workerMinRows ?? 0;
  // The main thread's session and the worker's are built from the same options.
  const scorerOptions = {
    modelPath: pkg.onnxPath,
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    width,
    intraOpThreads: options.intraOpThreads,
    interOpThreads: options.interOpThreads,
  };
  // The worker loads and warms up its own session in parallel with the main thread's.
  const workerStarting =
    workerMinRows > 0
      ? WorkerScorer.start({ scorer: scorerOptions, warmup: { features: warmupRows(), rows: 2 } })
      : undefined;
  workerStarting?.catch(() => undefined); // awaited below; do not let it go unhandled meanwhile
  let session: OrtScorer;
  try {
    session = await OrtScorer.create(scorerOptions);
  } catch (err) {
    await workerStarting?.then((w) => w.release()).catch(() => undefined);
    throw err;
  }
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  let worker: WorkerScorer | undefined;
  try {
    const scores = await session.scoreRows(warmupRows(), 2);
    for (const p of scores) {
      if (!(p >= 0 && p <= 1)) {
        throw new Error(`warm-up inference of ${pkg.onnxPath} returned ${p}, expected a probability in 0..1`);
      }
    }
    worker = await workerStarting;
  } catch (err) {
    await session.release();
    await workerStarting?.then((w) => w.release()).catch(() => undefined);
    throw err;
  }
  const warmupMs = performance.now() - t1;
  const batcher = new MicroBatcher(session, { maxRows: options.microBatchMaxRows });
  return {
    manifest,
    ref: `${manifest.name}:${manifest.version}`,
    dir: pkg.dir,
    width,
    batcher,
    session,
    worker,
    workerMinRows,
    explanations: loadExplainer(pkg.onnxPath, manifest.input.featureNames),
    loadMs,
    warmupMs,
    async score(features: Float32Array, rows: number, scoreOptions?: ScoreOptions): Promise<ScoredRows> {
      if (worker && rows >= workerMinRows) return worker.score(features, rows, scoreOptions);
      return { features, scores: await batcher.scoreRows(features, rows) };
    },
    async release(): Promise<void> {
      await worker?.release();
      await session.release();
    },
  };
}
