/**
 * Issue 9 C, "a swapped model.onnx goes unnoticed": the manifest carries the sha256 of every
 * package file and the loader (the service's, and the registration's) refuses any mismatch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../../model/data/generate';
import { describeReadError, findModelPackage, loadModelPackage } from '../../model/package/loader';
import { MANIFEST_FILE, ONNX_FILE } from '../../model/package/manifest';
import { trainModelPackage } from '../../model/train/api';
import { loadServingModel } from '../../service/scoring/load-model';
import { trainedPackageDir } from './helpers';

let work: string;
let original: string;
let other: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-integrity-'));
  original = await trainedPackageDir();
  const r = await trainModelPackage({
    data: generateTransactions({ rows: 800, seed: 11 }).rows,
    outRoot: path.join(work, 'other'),
    name: 'fraud-test',
    version: '2',
    params: { nTrees: 3 },
  });
  other = r.dir;
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A writable copy of the test package. */
function copyOf(dir: string, name: string): string {
  const copy = path.join(work, name);
  fs.mkdirSync(copy);
  for (const f of fs.readdirSync(dir)) {
    fs.copyFileSync(path.join(dir, f), path.join(copy, f));
    fs.chmodSync(path.join(copy, f), 0o644);
  }
  return copy;
}

test('the manifest lists the sha256 of every other package file', () => {
  const { manifest } = loadModelPackage(original);
  const files = fs.readdirSync(original).filter((f) => f !== MANIFEST_FILE);
  expect(Object.keys(manifest.files ?? {}).sort()).toEqual(files.sort());
  for (const hash of Object.values(manifest.files ?? {})) expect(hash).toMatch(/^[0-9a-f]{64}$/);
});

test("GIVEN another model's model.onnx in the package THEN loading is refused naming the file", async () => {
  const swapped = copyOf(original, 'swapped');
  fs.copyFileSync(path.join(other, ONNX_FILE), path.join(swapped, ONNX_FILE));
  expect(() => loadModelPackage(swapped)).toThrow(
    /does not match its manifest fraud-test:1: model\.onnx has sha256 [0-9a-f]{12}…, the manifest says [0-9a-f]{12}… \(swapped or damaged\)/,
  );
  // The service never becomes ready on it (an Azure ML mount goes through the same loader).
  await expect(loadServingModel(path.dirname(swapped))).rejects.toThrow(/swapped or damaged/);
  await expect(loadServingModel(findModelPackage(swapped))).rejects.toThrow(/model\.onnx has sha256/);
});

test('GIVEN a manifest without hashes, or a damaged report THEN loading is refused', () => {
  const bare = copyOf(original, 'bare');
  const manifest = JSON.parse(fs.readFileSync(path.join(bare, MANIFEST_FILE), 'utf8')) as Record<
    string,
    unknown
  >;
  delete manifest.files;
  fs.writeFileSync(path.join(bare, MANIFEST_FILE), JSON.stringify(manifest));
  expect(() => loadModelPackage(bare)).toThrow(/lists no sha256 for model\.onnx/);
  const damaged = copyOf(original, 'damaged');
  fs.appendFileSync(path.join(damaged, 'report.md'), '\nedited');
  expect(() => loadModelPackage(damaged)).toThrow(/report\.md has sha256/);
});

test('an unreadable model.onnx is reported in words, not as "system error number 13"', () => {
  const folder = copyOf(original, 'folder');
  fs.rmSync(path.join(folder, ONNX_FILE));
  fs.mkdirSync(path.join(folder, ONNX_FILE));
  expect(() => loadModelPackage(folder)).toThrow(
    /model\.onnx cannot be read: it is a folder, not a file \(EISDIR\)/,
  );
  // EACCES cannot be produced as root (tests run as root here): the mapping itself.
  const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', errno: -13 });
  expect(describeReadError(ONNX_FILE, eacces)).toMatch(
    /^model\.onnx cannot be read: permission denied for uid \d+; make it readable by the service user \(EACCES\)$/,
  );
});
