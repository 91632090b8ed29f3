/**
 * What `npm run register` uploads from a model package, and the content hash that makes a
 * registration idempotent.
 *
 * The hash is computed from the bytes on disk, never taken from the manifest, so a package whose
 * files were changed after training cannot pass as the registered one. It is stored in the
 * version's `properties` (an add-only dictionary: FACTS.md §2.3 / PITFALLS §1 "the asset
 * properties dict is add-only"), where nobody can later edit it, and compared on every run.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModelPackage, type LoadedModelPackage } from '../package/loader';
import { MANIFEST_FILE, ONNX_FILE, REPORT_FILE } from '../package/manifest';

/** Files every uploaded package has: the model, its manifest and its report. */
export const REQUIRED_FILES = [ONNX_FILE, MANIFEST_FILE, REPORT_FILE] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.onnx': 'application/octet-stream',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface PackageFile {
  /** File name inside the package (and the blob name under the upload folder). */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the file, hex. */
  readonly sha256: string;
  readonly contentType: string;
}

export interface PackageContent {
  readonly pkg: LoadedModelPackage;
  readonly files: readonly PackageFile[];
  /**
   * sha256 (hex) over `<name>\t<sha256>\n` of every uploaded file in name order: equal for two
   * packages exactly when they upload the same bytes under the same names.
   */
  readonly contentSha256: string;
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The combined hash of a set of (name, sha256) pairs; see {@link PackageContent.contentSha256}. */
export function combinedContentHash(files: readonly { name: string; sha256: string }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(`${f.name}\t${f.sha256}\n`);
  }
  return h.digest('hex');
}

/**
 * The files of a package: model.json plus every file its `files` map seals (model.onnx, the
 * report and its charts), which the loader has just checked against their sha256; for a
 * manifest without that map, every visible file of the folder.
 */
function packageFileNames(pkg: LoadedModelPackage): string[] {
  const sealed = pkg.manifest.files;
  const names = sealed
    ? [MANIFEST_FILE, ...Object.keys(sealed).filter((n) => n !== MANIFEST_FILE)]
    : fs
        .readdirSync(pkg.dir, { withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => e.name);
  return [...new Set(names)].sort();
}

/** Loads and checks the package at `dir`, and hashes the files that will be uploaded. */
export function readPackageContent(dir: string): PackageContent {
  // The package loader checks model.json (one error listing every problem) and each sealed file's hash.
  const pkg = loadModelPackage(dir);
  const names = packageFileNames(pkg);
  const missing = REQUIRED_FILES.filter((f) => !names.includes(f) || !fs.existsSync(path.join(pkg.dir, f)));
  if (missing.length > 0) {
    throw new Error(`model package '${pkg.dir}' is incomplete: missing ${missing.join(', ')}`);
  }
  const files = names.map((name): PackageFile => {
    const file = path.join(pkg.dir, name);
    return {
      name,
      path: file,
      bytes: fs.statSync(file).size,
      sha256: sha256File(file),
      contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
    };
  });
  return { pkg, files, contentSha256: combinedContentHash(files) };
}
