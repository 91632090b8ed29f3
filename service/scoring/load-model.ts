/**
 * Model loading for serving: find the package under MODEL_DIR / AZUREML_MODEL_DIR, check the
 * manifest, create the one ORT session, and warm it up through the same feature code the
 * requests use. Any problem throws (the server logs it and exits non-zero): a model that
 * fails to load is never replaced by a fallback (the original silently swapped its scaler).
 */
import { featureWidth, writeFeatures } from '../../model/features';
import { findModelPackage, loadModelPackage } from '../../model/package/loader';
import type { ModelManifest } from '../../model/package/manifest';
import type { ScoringInput } from '../../model/schema';
import { MicroBatcher } from './micro-batcher';
import { OrtScorer } from './ort-scorer';

export interface ServingModel {
  readonly manifest: ModelManifest;
  /** `name:version`, as put in every answer. */
  readonly ref: string;
  readonly dir: string;
  readonly width: number;
  /** The micro-batching front of the one ORT session; all requests go through it. */
  readonly batcher: MicroBatcher;
  readonly session: OrtScorer;
  /** Wall time of load (manifest + session) and of the first (cold) warm-up run. */
  readonly loadMs: number;
  readonly warmupMs: number;
}

export interface LoadServingModelOptions {
  /** @default 1 */
  readonly intraOpThreads?: number;
  /** @default 1 */
  readonly interOpThreads?: number;
  /** @default 256 */
  readonly microBatchMaxRows?: number;
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
  const session = await OrtScorer.create({
    modelPath: pkg.onnxPath,
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    width,
    intraOpThreads: options.intraOpThreads,
    interOpThreads: options.interOpThreads,
  });
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const rows = new Float32Array(width * 2);
  writeFeatures(WARMUP_INPUT, manifest.featureSpec, rows, 0);
  writeFeatures({ amount: 0 }, manifest.featureSpec, rows, 1);
  const scores = await session.scoreRows(rows, 2);
  const warmupMs = performance.now() - t1;
  for (const p of scores) {
    if (!(p >= 0 && p <= 1)) {
      await session.release();
      throw new Error(`warm-up inference of ${pkg.onnxPath} returned ${p}, expected a probability in 0..1`);
    }
  }
  return {
    manifest,
    ref: `${manifest.name}:${manifest.version}`,
    dir: pkg.dir,
    width,
    batcher: new MicroBatcher(session, { maxRows: options.microBatchMaxRows }),
    session,
    loadMs,
    warmupMs,
  };
}
