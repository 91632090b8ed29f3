/**
 * npm run train -- --data file.csv [--out models] [--name fraud-detection-model] [--version V]
 *                  [--skip-invalid] [--seed S] [--trees N] [--depth D] [--learning-rate R]
 *                  [--min-leaf N] [--l2 L] [--bins B] [--no-data-summary] [--data-asset name:version] [--code-version V] [--job-id ID]
 *
 * Trains on a CSV in the original schema, shows a progress bar on stderr and prints a
 * one-screen summary; the model package goes to <out>/<name>/<version>/.
 */
import * as path from 'node:path';
import { CsvValidationError } from '../data/csv';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from '../train/gbdt';
import { jobIdFromEnvironment } from '../jobs/training-job';
import { resolveTrainingDataFile } from '../jobs/data-input';
import { DEFAULT_MODEL_NAME, trainModelPackage } from '../train/api';
import { intOption, numberOption, parseCliArgs, runCli, stringOption, UsageError } from './args';
import { ProgressBar, trainingProgress } from './progress';

const USAGE = `usage: npm run train -- --data file.csv [options]
  --data file.csv        training data in the original CSV schema, or a folder holding one such CSV (required)
  --out dir              where packages go (default: models)
  --name name            model name (default: ${DEFAULT_MODEL_NAME})
  --version v            package version (default: UTC time, e.g. 20261127-041200-123); never overwritten
  --skip-invalid         skip and count invalid rows instead of failing
  --seed S               split and sampling seed (default 42)
  --trees N              boosting rounds, upper bound with early stopping (default ${DEFAULT_GBDT_PARAMS.nTrees})
  --depth D              maximum tree depth (default: chosen on the validation split, see below)
  --learning-rate R      shrinkage (default ${DEFAULT_GBDT_PARAMS.learningRate})
  --min-leaf N           minimum training rows per leaf (default: chosen on the validation split)
  --l2 L                 L2 regularization of leaf values (default ${DEFAULT_GBDT_PARAMS.l2})
  --bins B               value bins per feature, 2..255 (default ${DEFAULT_GBDT_PARAMS.maxBins})
  --subsample F          row fraction per tree (default 1)
  --colsample F          feature fraction per tree (default 1)
  --early-stopping N     rounds without validation improvement before stopping; 0 = off (default 20)
  --no-data-summary      skip the danfojs data summary in the report (saves ~2 s)
  --data-asset n:v       lineage: the Azure ML data asset the data came from (the training job sets it)
  --code-version V       recorded as the manifest's codeVersion (default: package.json version + git commit)
  --job-id ID            lineage: the Azure ML job id (default: AZUREML_RUN_ID when set, i.e. inside a job)`;

const f4 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));

async function main(): Promise<void> {
  const values = parseCliArgs(process.argv.slice(2), {
    data: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    seed: { type: 'string' },
    trees: { type: 'string' },
    depth: { type: 'string' },
    'learning-rate': { type: 'string' },
    'min-leaf': { type: 'string' },
    l2: { type: 'string' },
    bins: { type: 'string' },
    subsample: { type: 'string' },
    colsample: { type: 'string' },
    'early-stopping': { type: 'string' },
    'no-data-summary': { type: 'boolean' },
    'data-asset': { type: 'string' },
    'code-version': { type: 'string' },
    'job-id': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataOption = stringOption(values, 'data');
  if (!dataOption) throw new UsageError('--data is required');
  const data = resolveTrainingDataFile(dataOption);
  const dataAsset = stringOption(values, 'data-asset');
  const jobId = stringOption(values, 'job-id') ?? jobIdFromEnvironment(process.env);
  for (const opt of ['data-asset', 'code-version', 'job-id'] as const) {
    if (stringOption(values, opt)?.trim() === '') throw new UsageError(`--${opt} must not be empty`);
  }
  const params: Partial<GbdtParams> = {};
  const trees = intOption(values, 'trees', 1, 100_000);
  if (trees !== undefined) params.nTrees = trees;
  const depth = intOption(values, 'depth', 1, 16);
  if (depth !== undefined) params.maxDepth = depth;
  const lr = numberOption(values, 'learning-rate', 1e-6, 1);
  if (lr !== undefined) params.learningRate = lr;
  const minLeaf = intOption(values, 'min-leaf', 1, 10_000_000);
  if (minLeaf !== undefined) params.minSamplesLeaf = minLeaf;
  const l2 = numberOption(values, 'l2', 0, 1e9);
  if (l2 !== undefined) params.l2 = l2;
  const bins = intOption(values, 'bins', 2, 255);
  if (bins !== undefined) params.maxBins = bins;
  const subsample = numberOption(values, 'subsample', 1e-3, 1);
  if (subsample !== undefined) params.subsample = subsample;
  const colsample = numberOption(values, 'colsample', 1e-3, 1);
  if (colsample !== undefined) params.colsample = colsample;
  const es = intOption(values, 'early-stopping', 0, 100_000);
  if (es !== undefined) params.earlyStoppingRounds = es;
  const outRoot = stringOption(values, 'out') ?? 'models';

  const bar = new ProgressBar();
  const onProgress = trainingProgress(bar);
  const started = Date.now();
  let result;
  try {
    result = await trainModelPackage({
      data,
      outRoot,
      name: stringOption(values, 'name'),
      version: stringOption(values, 'version'),
      seed: intOption(values, 'seed', 0, 2 ** 31 - 1),
      params,
      skipInvalid: Boolean(values['skip-invalid']),
      dataSummary: !values['no-data-summary'],
      codeVersion: stringOption(values, 'code-version'),
      lineage: dataAsset || jobId ? { dataAsset, jobId } : undefined,
      onProgress,
    });
  } catch (e) {
    bar.done();
    if (e instanceof CsvValidationError) throw new Error(e.message);
    throw e;
  }
  bar.done();
  const { manifest: m, metrics: mt, csv } = result;
  const rel = path.relative(process.cwd(), result.dir) || result.dir;
  const lines = [
    '',
    `model ${m.name}:${m.version}`,
    `  data      ${data}: ${mt.rows.train + mt.rows.validation + mt.rows.test} rows x ${m.input.shape[1]} features` +
      ` (train ${mt.rows.train} / validation ${mt.rows.validation} / test ${mt.rows.test})` +
      (csv && csv.skipped > 0 ? `, ${csv.skipped} invalid rows skipped` : ''),
    `  fraud     ${(100 * mt.fraudRate).toFixed(2)} % of rows`,
    `  trees     ${mt.trees} (depth ${String(m.params.maxDepth)}, min leaf ${String(m.params.minSamplesLeaf)}, learning rate ${String(m.params.learningRate)})`,
    ...(result.run.candidates.length > 0
      ? [
          `  chosen    on validation log loss: ${result.run.candidates
            .map((c) => `${c.label} ${c.validationLoss.toFixed(5)} (${c.trees} trees)`)
            .join(', ')}`,
        ]
      : []),
    '                 ROC AUC   PR AUC    log loss  Brier',
    `  GBDT           ${f4(mt.rocAuc)}    ${f4(mt.prAuc)}    ${f4(mt.logLoss)}    ${f4(mt.brier)}`,
    `  logistic       ${f4(mt.baseline.rocAuc)}    ${f4(mt.baseline.prAuc)}    ${f4(mt.baseline.logLoss)}    ${f4(mt.baseline.brier)}`,
    ...(mt.bayesRocAuc !== undefined
      ? [`  Bayes-optimal  ${f4(mt.bayesRocAuc)}   (from the true_probability column)`]
      : []),
    `  threshold ${f4(m.threshold)} (max F1 on validation)`,
    ...result.warnings.map((w) => `  warning   ${w}`),
    `  package   ${rel}/ (model.onnx, model.json, report.md and its SVG charts)`,
    `  time      ${((Date.now() - started) / 1000).toFixed(1)} s (${Object.entries(result.timings)
      .map(([stage, s]) => `${stage} ${s.toFixed(1)}`)
      .join(', ')})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

runCli(main, USAGE);
