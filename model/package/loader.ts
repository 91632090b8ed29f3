/**
 * Finding and loading model packages. Reads only; never writes.
 *
 * Search rule of `findModelPackage(root)` (documented in docs/model.md):
 * 1. if `root/model.json` exists, `root` is the package;
 * 2. otherwise folders below `root` are searched breadth-first, up to `MAX_SEARCH_DEPTH` levels,
 *    skipping names that start with `.` (temp dirs of the writer) and `node_modules`;
 *    the package is the single folder holding a `model.json`;
 * 3. none found, or more than one at the shallowest depth where any was found, is an error
 *    that lists what was seen.
 * This covers `MODEL_DIR=models/<name>/<version>` locally and Azure ML's
 * `AZUREML_MODEL_DIR=<mount>/<name>/<version>` whose registered folder may add one or two levels.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertManifest, MANIFEST_FILE, ONNX_FILE, type ModelManifest } from './manifest';

export const MAX_SEARCH_DEPTH = 4;

export interface LoadedModelPackage {
  /** Absolute path of the package folder. */
  dir: string;
  manifest: ModelManifest;
  /** Absolute path of `model.onnx`. */
  onnxPath: string;
}

/**
 * Reads and checks `dir/model.json`, then checks every file it lists against its sha256: a
 * package whose model.onnx (or any listed file) was swapped or damaged is refused with the file
 * named, whether it sits under models/ or is mounted by Azure ML from a registered model (the
 * same loader reads AZUREML_MODEL_DIR, and `npm run register` loads a package through it before
 * uploading). A manifest without hashes is refused too.
 */
export function loadModelPackage(dir: string): LoadedModelPackage {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new Error(`model package folder '${abs}' does not exist`);
  }
  const manifestPath = path.join(abs, MANIFEST_FILE);
  if (!fs.existsSync(manifestPath)) throw new Error(`model package '${abs}' has no ${MANIFEST_FILE}`);
  const onnxPath = path.join(abs, ONNX_FILE);
  if (!fs.existsSync(onnxPath)) throw new Error(`model package '${abs}' has no ${ONNX_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new Error(`model package '${abs}': ${MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  assertManifest(raw, manifestPath);
  verifyPackageFiles(abs, raw);
  return { dir: abs, manifest: raw, onnxPath };
}

/** Throws one error naming every listed file that is missing, unreadable or has another hash. */
export function verifyPackageFiles(dir: string, manifest: ModelManifest): void {
  const files = manifest.files;
  if (!files || !(ONNX_FILE in files)) {
    throw new Error(
      `model package '${dir}': ${MANIFEST_FILE} lists no sha256 for ${ONNX_FILE} ("files"); it was written before packages carried file hashes, or edited by hand. Train it again (npm run train).`,
    );
  }
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(files)) {
    let actual: string;
    try {
      actual = createHash('sha256')
        .update(fs.readFileSync(path.join(dir, name)))
        .digest('hex');
    } catch (e) {
      problems.push(describeReadError(name, e));
      continue;
    }
    if (actual !== expected) {
      problems.push(
        `${name} has sha256 ${actual.slice(0, 12)}…, the manifest says ${expected.slice(0, 12)}… (swapped or damaged)`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `model package '${dir}' does not match its manifest ${manifest.name}:${manifest.version}: ${problems.join('; ')}`,
    );
  }
}

/** A read failure in words ("model.onnx cannot be read: permission denied ..."), not "system error 13". */
export function describeReadError(name: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Readonly<Record<string, string>> = {
    ENOENT: 'it is missing',
    EACCES: `permission denied for uid ${process.getuid?.() ?? '?'}; make it readable by the service user`,
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder, not a file',
    EIO: 'an I/O error on the storage',
  };
  const reason = (err.code !== undefined ? why[err.code] : undefined) ?? err.message ?? String(e);
  return `${name} cannot be read: ${reason}${err.code ? ` (${err.code})` : ''}`;
}

/** Finds the one package folder at or below `root` (see the search rule above). */
export function findModelPackage(root: string): string {
  const abs = path.resolve(root);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new Error(`model directory '${abs}' does not exist or is not a folder`);
  }
  let level = [abs];
  for (let depth = 0; depth <= MAX_SEARCH_DEPTH && level.length > 0; depth++) {
    const found = level.filter((d) => fs.existsSync(path.join(d, MANIFEST_FILE)));
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new Error(
        `model directory '${abs}' holds ${found.length} model packages, expected exactly one: ${found
          .map((f) => path.relative(abs, f) || '.')
          .join(', ')}; point MODEL_DIR at one of them`,
      );
    }
    const next: string[] = [];
    for (const d of level) {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        next.push(path.join(d, entry.name));
      }
    }
    level = next.sort();
  }
  throw new Error(
    `no model package (a folder with ${MANIFEST_FILE}) found in '${abs}' or up to ${MAX_SEARCH_DEPTH} levels below it`,
  );
}

/**
 * The newest package of `name` under `modelsRoot` (`modelsRoot/<name>/<version>/`), by the
 * manifest's `createdAt`, ties broken by version (numeric-aware). Undefined when there is none.
 */
export function latestModelPackage(modelsRoot: string, name: string): string | undefined {
  const nameDir = path.join(path.resolve(modelsRoot), name);
  if (!fs.existsSync(nameDir)) return undefined;
  const candidates: { dir: string; createdAt: string; version: string }[] = [];
  for (const entry of fs.readdirSync(nameDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(nameDir, entry.name);
    const manifestPath = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(manifestPath)) continue;
    try {
      const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { createdAt?: unknown };
      candidates.push({
        dir,
        createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
        version: entry.name,
      });
    } catch {
      continue; // an unreadable manifest is reported by loadModelPackage if it is ever chosen
    }
  }
  if (candidates.length === 0) return undefined;
  candidates.sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version, 'en', { numeric: true }),
  );
  return candidates[candidates.length - 1].dir;
}
