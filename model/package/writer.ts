/**
 * Writes a model package atomically and immutably:
 * all files go into a hidden temp folder beside the target (`<outRoot>/<name>/.tmp-<version>-…`),
 * are fsynced, made read-only, and the folder is renamed to `<outRoot>/<name>/<version>` in one
 * step. A crash leaves at most a hidden temp folder (ignored by the loader), never half a
 * package; an existing version is never overwritten.
 *
 * The manifest (`model.json`, when among the files) is sealed on the way: the writer adds
 * `files`, the sha256 of every other file it writes, computed from the very bytes written, and
 * the loader checks them (see loader.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPackageFileName, MANIFEST_FILE } from './manifest';

/** Names and versions: letters, digits, `.`, `_`, `-`; start with a letter or digit; <= 64 chars. */
export const PACKAGE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class PackageExistsError extends Error {
  constructor(readonly dir: string) {
    super(`model package '${dir}' already exists; versions are immutable, choose another --version`);
    this.name = 'PackageExistsError';
  }
}

export function assertPackageId(kind: 'name' | 'version', value: string): void {
  if (!PACKAGE_NAME_RE.test(value) || value === '.' || value === '..') {
    throw new Error(
      `model ${kind} '${value}' is invalid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

/** Path of a package folder. */
export function packageDir(outRoot: string, name: string, version: string): string {
  assertPackageId('name', name);
  assertPackageId('version', version);
  return path.join(path.resolve(outRoot), name, version);
}

export interface WritePackageHooks {
  /** Test hook: called after the files are written and before the rename (simulates a crash). */
  readonly beforeRename?: (tmpDir: string) => void;
}

/** Writes `files` (relative name -> content) as the package `<outRoot>/<name>/<version>`. */
export function writeModelPackage(
  outRoot: string,
  name: string,
  version: string,
  files: Readonly<Record<string, string | Uint8Array>>,
  hooks: WritePackageHooks = {},
): string {
  files = withFileHashes(files);
  const target = packageDir(outRoot, name, version);
  if (fs.existsSync(target)) throw new PackageExistsError(target);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  try {
    for (const [rel, content] of Object.entries(files)) {
      if (!isPackageFileName(rel)) throw new Error(`bad package file name '${rel}'`);
      const file = path.join(tmp, rel);
      const fd = fs.openSync(file, 'wx', 0o444);
      try {
        fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    hooks.beforeRename?.(tmp);
    if (fs.existsSync(target)) throw new PackageExistsError(target); // lost a race with another writer
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new PackageExistsError(target);
    }
    throw e;
  }
  try {
    const dfd = fs.openSync(parent, 'r');
    fs.fsyncSync(dfd); // persist the rename itself
    fs.closeSync(dfd);
  } catch {
    // fsync on a directory is not supported everywhere (e.g. Windows); the rename is still atomic.
  }
  return target;
}

/** sha256 hex of a package file's bytes (strings are written as UTF-8). */
export function fileHash(content: string | Uint8Array): string {
  return createHash('sha256')
    .update(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
    .digest('hex');
}

/**
 * `files` with the manifest sealed: `files` in model.json set to the sha256 of every other
 * file, in name order. The manifest keeps its other fields and its 2-space JSON layout.
 */
function withFileHashes(
  files: Readonly<Record<string, string | Uint8Array>>,
): Readonly<Record<string, string | Uint8Array>> {
  const manifestContent = files[MANIFEST_FILE];
  if (manifestContent === undefined) return files;
  const text =
    typeof manifestContent === 'string' ? manifestContent : Buffer.from(manifestContent).toString('utf8');
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const hashes: Record<string, string> = {};
  for (const rel of Object.keys(files).sort()) {
    if (rel !== MANIFEST_FILE) hashes[rel] = fileHash(files[rel]);
  }
  return { ...files, [MANIFEST_FILE]: `${JSON.stringify({ ...manifest, files: hashes }, null, 2)}\n` };
}
