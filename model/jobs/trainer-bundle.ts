/**
 * The trainer as the training job's code asset: model/cli/train.ts bundled by esbuild into one
 * CommonJS file, `train.cjs` (TRAINER_BUNDLE_FILE), which the job command runs with `node`.
 * Synchronous and deterministic (the same sources give the same bytes), so the infrastructure
 * can bundle at synth time and use the content hash as the code asset's version, and the local
 * job test runs the very same file.
 */
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TRAINER_BUNDLE_FILE } from './training-job';

/**
 * Left out of the bundle: danfojs-node (the report's optional data summary; the job command
 * passes --no-data-summary, so it is never loaded in a job; bundling it would drag in tfjs).
 */
export const TRAINER_EXTERNALS = ['danfojs-node'] as const;

export interface BundleTrainerOptions {
  /** Folder to write the code asset into (created if missing). */
  readonly outDir: string;
}

export interface BundleTrainerResult {
  /** Files written, relative to outDir. */
  readonly files: readonly string[];
}

const REPO_ROOT = path.join(__dirname, '..', '..');
const ENTRY = path.join(REPO_ROOT, 'model', 'cli', 'train.ts');
/**
 * The GBDT worker thread's module, bundled beside train.cjs: the trainer starts it as
 * `gbdt-worker<ext of the running file>` next to itself (model/train/parallel.ts).
 */
const GBDT_WORKER = path.join(REPO_ROOT, 'model', 'train', 'gbdt-worker.ts');
export const GBDT_WORKER_BUNDLE_FILE = 'gbdt-worker.cjs';
/** The CSV reader's second thread (model/data/csv-columns.ts), found the same way. */
const CSV_WORKER = path.join(REPO_ROOT, 'model', 'data', 'csv-columns-worker.ts');
export const CSV_WORKER_BUNDLE_FILE = 'csv-columns-worker.cjs';

export function bundleTrainerSync(options: BundleTrainerOptions): BundleTrainerResult {
  const outDir = path.resolve(options.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: {
      [path.basename(TRAINER_BUNDLE_FILE, '.cjs')]: ENTRY,
      [path.basename(GBDT_WORKER_BUNDLE_FILE, '.cjs')]: GBDT_WORKER,
      [path.basename(CSV_WORKER_BUNDLE_FILE, '.cjs')]: CSV_WORKER,
    },
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...TRAINER_EXTERNALS],
    minify: false, // readable stack traces in job logs
    sourcemap: false,
    legalComments: 'none',
    // Source paths in the bundle's comments are relative to this folder, whatever the caller's cwd.
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed on ${ENTRY}: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  return { files: [TRAINER_BUNDLE_FILE, GBDT_WORKER_BUNDLE_FILE, CSV_WORKER_BUNDLE_FILE] };
}
