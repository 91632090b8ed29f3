/**
 * Item 7 of issue 10: runs the exact command line of the training job (TRAINING_JOB_COMMAND,
 * the string the infrastructure puts into the Azure ML command job), with the trainer bundled
 * exactly as the code asset is, in a temp folder laid out as Azure ML lays out job inputs and
 * outputs; then loads and scores the package it wrote with the scoring service's own loader.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseCsvHeader, writeTransactionsCsv } from '../../../model/data/csv';
import { iterateTransactions } from '../../../model/data/generate';
import { featureWidth, writeFeatures } from '../../../model/features';
import { resolveTrainingDataFile } from '../../../model/jobs/data-input';
import { layoutJobLocally, resolveJobExpressions } from '../../../model/jobs/job-layout';
import {
  bundleTrainerSync,
  CSV_WORKER_BUNDLE_FILE,
  GBDT_WORKER_BUNDLE_FILE,
} from '../../../model/jobs/trainer-bundle';
import { TRAINER_BUNDLE_FILE, TRAINING_JOB_COMMAND, trainingJobIo } from '../../../model/jobs/training-job';
import { findModelPackage, loadModelPackage } from '../../../model/package/loader';
import { loadServingModel } from '../../../service/scoring/load-model';
import { validateAzapiBody } from '../../helpers/azapi-schema';

let root: string;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-job-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const IO_PROPS = {
  dataUri: 'azureml:fraud-training-data:3',
  dataAsset: { name: 'fraud-training-data', version: '3' },
  codeVersion: 'c0de5eed',
};

function run(
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // Azure ML runs the command line through a shell in the working directory.
    const child = spawn('/bin/bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

test('the job command, run as Azure ML runs it, writes a package the service loads and scores', async () => {
  // GIVEN the data asset's CSV, the code asset (the trainer bundle) and the job's layout
  const csv = path.join(root, 'transactions.csv');
  await writeTransactionsCsv(csv, iterateTransactions({ rows: 4000, seed: 21 }));
  const codeDir = path.join(root, 'code-asset');
  const { files } = bundleTrainerSync({ outDir: codeDir });
  // The worker threads' modules (GBDT, CSV reading) beside the trainer.
  expect(files).toEqual([TRAINER_BUNDLE_FILE, GBDT_WORKER_BUNDLE_FILE, CSV_WORKER_BUNDLE_FILE]);
  const io = trainingJobIo(IO_PROPS);
  expect(io.command).toBe(TRAINING_JOB_COMMAND);
  const layout = layoutJobLocally({
    root: path.join(root, 'job'),
    inputs: io.inputs,
    outputs: io.outputs,
    data: { training_data: csv },
    code: files.map((f) => path.join(codeDir, f)),
    jobId: 'fraud-retrain-20261207-0500',
  });

  // WHEN the exact command line runs in the working directory with the job's environment
  const command = resolveJobExpressions(TRAINING_JOB_COMMAND, layout);
  const home = fs.mkdtempSync(path.join(root, 'home-'));
  const { code, out } = await run(command, layout.workingDir, {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ORT_DISABLE_TELEMETRY: '1',
    ...layout.env,
  });

  // THEN it succeeds and the output folder holds one package with the job's lineage
  expect({ code, out: code === 0 ? '' : out }).toEqual({ code: 0, out: '' });
  const pkgDir = findModelPackage(layout.outputs.model);
  expect(path.relative(layout.outputs.model, pkgDir).split(path.sep)).toHaveLength(2); // <name>/<version>
  const { manifest } = loadModelPackage(pkgDir);
  expect(manifest.name).toBe('fraud-detection-model');
  expect(manifest.codeVersion).toBe('c0de5eed');
  expect(manifest.lineage).toEqual({
    dataAsset: 'fraud-training-data:3',
    jobId: 'fraud-retrain-20261207-0500',
  });
  expect(manifest.trainingDataHash).toBe(createHash('sha256').update(fs.readFileSync(csv)).digest('hex'));
  expect(fs.readdirSync(pkgDir).sort()).toEqual(
    expect.arrayContaining(['model.json', 'model.onnx', 'pr.svg', 'report.md', 'roc.svg']),
  );

  // AND the scoring service's loader (what `npm run serve` runs) finds it from the mount root
  // (AZUREML_MODEL_DIR semantics), warms it up and scores
  const model = await loadServingModel(layout.outputs.model);
  try {
    expect(model.ref).toBe(`${manifest.name}:${manifest.version}`);
    const width = featureWidth(model.manifest.featureSpec);
    const rows = new Float32Array(width * 2);
    writeFeatures(
      { amount: 25, merchant_category: 'grocery', hour_of_day: 14 },
      model.manifest.featureSpec,
      rows,
      0,
    );
    writeFeatures(
      { amount: 4900, merchant_category: 'electronics', hour_of_day: 3 },
      model.manifest.featureSpec,
      rows,
      1,
    );
    const { scores } = await model.score(rows, 2);
    expect(scores).toHaveLength(2);
    for (const p of scores) expect(p).toBeGreaterThanOrEqual(0);
    for (const p of scores) expect(p).toBeLessThanOrEqual(1);
  } finally {
    await model.release();
  }
});

test('the job body validates against the CommandJob schema', () => {
  const io = trainingJobIo({ ...IO_PROPS, modelAssetName: 'fraud-detection-model' });
  expect(io.outputs.model).toMatchObject({
    jobOutputType: 'custom_model',
    assetName: 'fraud-detection-model',
  });
  expect(trainingJobIo(IO_PROPS).outputs.model).not.toHaveProperty('assetName');
  const body = {
    properties: {
      jobType: 'Command',
      command: io.command,
      environmentId:
        '/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/environments/fraud-train/versions/1',
      codeId:
        '/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/codes/fraud-trainer/versions/c0de5eed',
      inputs: io.inputs,
      outputs: io.outputs,
    },
  };
  expect(validateAzapiBody('Microsoft.MachineLearningServices/workspaces/jobs@2026-05-01', body)).toEqual([]);
  // The command uses every input and output, and nothing else.
  const used = [...TRAINING_JOB_COMMAND.matchAll(/\$\{\{(inputs|outputs)\.(\w+)\}\}/g)].map(
    (m) => `${m[1]}.${m[2]}`,
  );
  expect(used.sort()).toEqual(
    [
      ...Object.keys(io.inputs).map((k) => `inputs.${k}`),
      ...Object.keys(io.outputs).map((k) => `outputs.${k}`),
    ].sort(),
  );
});

test('bad job values and unresolved expressions are refused with the reason', () => {
  expect(() => trainingJobIo({ ...IO_PROPS, dataUri: ' ', codeVersion: 'has space' })).toThrow(
    /dataUri must not be empty; codeVersion 'has space' must be/,
  );
  expect(() =>
    resolveJobExpressions('x ${{inputs.a}} ${{outputs.b}}', { inputs: {}, outputs: { b: '/o' } }),
  ).toThrow(/\$\{\{inputs\.a\}\} has no value/);
  expect(() => resolveJobExpressions('x ${{inputs.a}}', { inputs: { a: '/p q' }, outputs: {} })).toThrow(
    /is not a single plain shell word/,
  );
});

test('the data input may be a file or a folder holding exactly one CSV', () => {
  const dir = fs.mkdtempSync(path.join(root, 'data-'));
  expect(() => resolveTrainingDataFile(dir)).toThrow(/must hold exactly one \.csv file, found 0/);
  fs.writeFileSync(path.join(dir, 'a.csv'), '');
  expect(resolveTrainingDataFile(dir)).toBe(path.join(dir, 'a.csv'));
  expect(resolveTrainingDataFile(path.join(dir, 'a.csv'))).toBe(path.join(dir, 'a.csv'));
  fs.writeFileSync(path.join(dir, 'b.CSV'), '');
  expect(() => resolveTrainingDataFile(dir)).toThrow(/found 2: a\.csv, b\.CSV/);
  expect(() => resolveTrainingDataFile(path.join(dir, 'nope'))).toThrow(/does not exist/);
});

test('the trainer bundle is deterministic, so its hash can be the code asset version', () => {
  const a = path.join(root, 'bundle-a');
  const b = path.join(root, 'bundle-b');
  bundleTrainerSync({ outDir: a });
  bundleTrainerSync({ outDir: b });
  const bytes = (d: string): Buffer => fs.readFileSync(path.join(d, TRAINER_BUNDLE_FILE));
  expect(bytes(a).equals(bytes(b))).toBe(true);
  // Paths of the machine that bundled it must not leak into the asset (and change its hash).
  expect(bytes(a).toString('utf8')).not.toContain(path.resolve(__dirname, '../../..'));
});

test('the bundled worker modules load beside train.cjs, and the CSV reader thread parses a chunk', async () => {
  const dir = path.join(root, 'bundle-workers');
  bundleTrainerSync({ outDir: dir });
  // The GBDT worker is started by a boot script that requires it (model/train/parallel.ts).
  const gbdt = (await import(path.join(dir, GBDT_WORKER_BUNDLE_FILE))) as { runGbdtWorker?: unknown };
  expect(typeof gbdt.runGbdtWorker).toBe('function');
  const csv = path.join(root, 'worker.csv');
  await writeTransactionsCsv(csv, iterateTransactions({ rows: 3, seed: 4 }));
  const [headerLine, ...lines] = fs.readFileSync(csv, 'utf8').split('\n');
  const worker = new Worker(path.join(dir, CSV_WORKER_BUNDLE_FILE), {
    workerData: { role: 'csv-columns', header: parseCsvHeader(csv, headerLine), maxErrors: 5 },
  });
  try {
    const parsed = await new Promise<{ data: { rows: number }; invalid: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(Buffer.from(`${lines.join('\n')}bad line\n`));
    });
    expect({ rows: parsed.data.rows, invalid: parsed.invalid }).toEqual({ rows: 3, invalid: 1 });
  } finally {
    await worker.terminate();
  }
});
