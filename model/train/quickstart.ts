/**
 * The trainer's quick start, for `npm start` on a laptop with no data: seeded synthetic
 * transactions (model/data/generate) trained into a package, with the training progress bar on
 * stderr (the same handler `npm run train` uses). It lives with the trainer so that the service
 * reaches the model pipeline only through the trainer (DESIGN.md "Dependency direction":
 * service/cli/start.ts alone may call the trainer; service/ never imports model/data or
 * model/cli).
 */
import { ProgressBar, trainingProgress } from '../cli/progress';
import { generateTransactions } from '../data/generate';
import { trainModelPackage, type TrainModelPackageResult } from './api';

export interface QuickstartOptions {
  /** Packages go to `<outRoot>/<name>/<version>/`. */
  readonly outRoot: string;
  /** Synthetic rows to generate and train on. @default 50000 */
  readonly rows?: number;
  /** Seeds the data and the trainer. @default 42 */
  readonly seed?: number;
  /** Show the training progress bar on stderr. @default true */
  readonly progress?: boolean;
}

/** Generates seeded synthetic data and trains a package on it (default model name). */
export async function trainQuickstartPackage(options: QuickstartOptions): Promise<TrainModelPackageResult> {
  const seed = options.seed ?? 42;
  const { rows, trueProbability } = generateTransactions({ rows: options.rows ?? 50_000, seed });
  const bar = options.progress === false ? undefined : new ProgressBar();
  const result = await trainModelPackage({
    data: rows,
    trueProbability,
    outRoot: options.outRoot,
    seed,
    onProgress: bar ? trainingProgress(bar) : undefined,
  });
  bar?.done();
  return result;
}
