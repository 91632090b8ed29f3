/**
 * Writes a model package atomically and immutably:
 * all files go into a hidden temp folder beside the target (`<outRoot>/<name>/.tmp-<version>-…`),
 * are fsynced, made read-only, and the folder is renamed to `<outRoot>/<name>/<version>` in one
 * step. A crash leaves at most a hidden temp folder (ignored by the loader), never half a
 * package; an existing version is never overwritten.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  const target = packageDir(outRoot, name, version);
  if (fs.existsSync(target)) throw new PackageExistsError(target);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  try {
    for (const [rel, content] of Object.entries(files)) {
      if (rel.includes('/') || rel.includes('\\') || rel.startsWith('.'))
        throw new Error(`bad package file name '${rel}'`);
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
