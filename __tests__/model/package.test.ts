import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../../model/data/generate';
import { findModelPackage, latestModelPackage, loadModelPackage } from '../../model/package/loader';
import { histogramBin, MANIFEST_FILE } from '../../model/package/manifest';
import { PackageExistsError, writeModelPackage } from '../../model/package/writer';
import { trainModelPackage } from '../../model/train/api';

let root: string;
let dir: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-test-'));
  const { rows, trueProbability } = generateTransactions({ rows: 3000, seed: 2 });
  const r = await trainModelPackage({
    data: rows,
    trueProbability,
    outRoot: path.join(root, 'models'),
    version: '1',
    params: { nTrees: 10 },
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  dir = r.dir;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('a package holds the ONNX file, manifest, report and charts', () => {
  expect(dir).toBe(path.join(root, 'models', 'fraud-detection-model', '1'));
  expect(fs.readdirSync(dir).sort()).toEqual([
    'calibration.svg',
    'early-stopping.svg',
    'importance.svg',
    'model.json',
    'model.onnx',
    'pr.svg',
    'report.md',
    'roc.svg',
  ]);
  const { manifest, onnxPath } = loadModelPackage(dir);
  expect(onnxPath).toBe(path.join(dir, 'model.onnx'));
  expect(manifest).toMatchObject({
    name: 'fraud-detection-model',
    version: '1',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  expect(manifest.input.shape).toEqual([-1, manifest.featureSpec.featureNames.length]);
  expect(manifest.trainingDataHash).toMatch(/^[0-9a-f]{64}$/);
  expect(manifest.metrics.bayesRocAuc).toBeGreaterThan(0.5);
  const amount = manifest.baseline.numeric.amount;
  expect(amount.freqs).toHaveLength(amount.edges.length + 1);
  expect(amount.freqs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  expect(Object.keys(manifest.baseline.categorical)).toEqual([
    'merchant_category',
    'ip_geo_country',
    'currency',
  ]);
  expect(manifest.baseline.score.counts.reduce((a, b) => a + b, 0)).toBe(manifest.metrics.rows.test);
  const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  expect(report).toMatch(/ROC AUC/);
  expect(report).toMatch(/logistic regression baseline/);
  expect(fs.readFileSync(path.join(dir, 'roc.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path d="M/);
});

test('histogramBin follows the documented edge semantics', () => {
  const edges = [1, 2, 3];
  expect([0, 1, 1.5, 2, 3, 3.1, NaN].map((x) => histogramBin(edges, x))).toEqual([0, 0, 1, 1, 2, 3, -1]);
});

test('versions are immutable: writing the same version again fails and leaves the package intact', async () => {
  const before = fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8');
  await expect(
    trainModelPackage({
      data: generateTransactions({ rows: 500, seed: 3 }).rows,
      outRoot: path.join(root, 'models'),
      version: '1',
    }),
  ).rejects.toThrow(PackageExistsError);
  expect(() =>
    writeModelPackage(path.join(root, 'models'), 'fraud-detection-model', '1', { 'a.txt': 'x' }),
  ).toThrow(/already exists; versions are immutable/);
  expect(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')).toBe(before);
  expect((fs.statSync(path.join(dir, MANIFEST_FILE)).mode & 0o222) === 0).toBe(true); // files are read-only
});

test('a crash before the rename leaves no package and no temp folder', () => {
  const out = path.join(root, 'atomic');
  expect(() =>
    writeModelPackage(
      out,
      'm',
      '2',
      { 'model.json': '{}', 'model.onnx': new Uint8Array([1, 2]) },
      {
        beforeRename: (tmp) => {
          expect(fs.readdirSync(tmp).sort()).toEqual(['model.json', 'model.onnx']);
          throw new Error('simulated crash');
        },
      },
    ),
  ).toThrow('simulated crash');
  expect(fs.readdirSync(path.join(out, 'm'))).toEqual([]);
  expect(() => writeModelPackage(out, '../evil', '1', {})).toThrow(/model name '..\/evil' is invalid/);
});

test('loadModelPackage reports missing files, bad JSON and schema mismatches clearly', () => {
  const bad = path.join(root, 'bad');
  fs.mkdirSync(bad);
  expect(() => loadModelPackage(path.join(root, 'none'))).toThrow(/does not exist/);
  expect(() => loadModelPackage(bad)).toThrow(/has no model.json/);
  fs.writeFileSync(path.join(bad, 'model.json'), '{not json');
  expect(() => loadModelPackage(bad)).toThrow(/has no model.onnx/);
  fs.writeFileSync(path.join(bad, 'model.onnx'), 'x');
  expect(() => loadModelPackage(bad)).toThrow(/model.json is not valid JSON/);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
  fs.writeFileSync(
    path.join(bad, 'model.json'),
    JSON.stringify({ ...manifest, schemaVersion: 9, input: { ...manifest.input, shape: [-1, 3] } }),
  );
  expect(() => loadModelPackage(bad)).toThrow(
    /schemaVersion must be 1, got 9; input.shape must be \[-1, 11\]/,
  );
  fs.writeFileSync(
    path.join(bad, 'model.json'),
    JSON.stringify({ ...manifest, featureSpec: { ...manifest.featureSpec, featureNames: ['amount'] } }),
  );
  expect(() => loadModelPackage(bad)).toThrow(/unsupported feature spec: featureNames must be/);
});

test('findModelPackage finds the one package at or below a mount point, and refuses ambiguity', () => {
  const mount = path.join(root, 'azureml-models');
  const nested = path.join(mount, 'fraud-detection-model', '3', 'model-folder');
  fs.mkdirSync(nested, { recursive: true });
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(nested, f));
  fs.mkdirSync(path.join(mount, 'fraud-detection-model', '.tmp-4-1-ab'), { recursive: true });
  fs.writeFileSync(path.join(mount, 'fraud-detection-model', '.tmp-4-1-ab', 'model.json'), '{}'); // ignored
  expect(findModelPackage(mount)).toBe(nested);
  expect(findModelPackage(nested)).toBe(nested);
  expect(loadModelPackage(findModelPackage(mount)).manifest.version).toBe('1');
  const twin = path.join(mount, 'other', 'x', 'y');
  fs.mkdirSync(twin, { recursive: true });
  fs.writeFileSync(path.join(twin, 'model.json'), '{}');
  expect(() => findModelPackage(mount)).toThrow(/holds 2 model packages, expected exactly one/);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  expect(() => findModelPackage(empty)).toThrow(/no model package/);
});

test('latestModelPackage picks the newest version of a name', async () => {
  const models = path.join(root, 'models');
  await trainModelPackage({
    data: generateTransactions({ rows: 600, seed: 4 }).rows,
    outRoot: models,
    version: '0-older-name-sorted-first',
    params: { nTrees: 2 },
    createdAt: new Date('2026-02-01T00:00:00Z'),
  });
  expect(latestModelPackage(models, 'fraud-detection-model')).toBe(
    path.join(models, 'fraud-detection-model', '0-older-name-sorted-first'),
  );
  expect(latestModelPackage(models, 'missing')).toBeUndefined();
});
