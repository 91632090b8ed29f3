/**
 * Synth-time bundles (the scoring service, the trainer, the drift CLI), cached across processes.
 *
 * esbuild's `buildSync` dominates `npm run synth`: about 3.7 s of a 6 s profile went to waiting for
 * the esbuild service and its JS side, for three bundles whose sources rarely change. A bundle is
 * a pure function of its inputs, so it is kept in the temp folder under a key made of everything
 * it is built from: esbuild's version, the lock file and package.json (every dependency version),
 * and every file under the source folders it may import (the layering lint keeps each entry inside
 * its folders). Same key, same bytes: the code asset and image versions, which are content
 * hashes, stay exactly what a fresh bundle would give.
 *
 * Entries are written under a temporary name and renamed, so a concurrent reader (jest workers,
 * two synths) never sees half a bundle; entries unused for a day are removed.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { version as esbuildVersion } from 'esbuild';

const REPO_ROOT = path.join(__dirname, '..');
const DAY_MS = 24 * 60 * 60 * 1000;
const FILES_LIST = '.files.json';

export interface BundleSpec {
  /** Cache entry prefix, e.g. `service`. */
  readonly name: string;
  /** Project folders (relative to the repository root) whose every file goes into the key. */
  readonly sourceDirs: readonly string[];
  /** Anything else the output depends on (entry, externals, options). */
  readonly options: unknown;
  /** Writes the bundle into `outDir`; returns the written files, relative to it. */
  readonly build: (outDir: string) => readonly string[];
  /** @default `<tmp>/fraud-bundle-cache` */
  readonly cacheDir?: string;
  /** @default the repository root */
  readonly root?: string;
}

/** The key of a bundle: a hash of everything it is built from. */
export function bundleKey(spec: Pick<BundleSpec, 'name' | 'sourceDirs' | 'options' | 'root'>): string {
  const root = spec.root ?? REPO_ROOT;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ esbuildVersion, name: spec.name, options: spec.options }));
  for (const file of ['package-lock.json', 'package.json']) hash.update(readFileSync(path.join(root, file)));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const dir of spec.sourceDirs) {
    for (const file of walk(path.join(root, dir)).sort()) {
      hash.update(`\0${path.relative(root, file)}\0`);
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 20);
}

/** The folder holding the bundle's files (built now when no cached entry has the key). */
export function cachedBundle(spec: BundleSpec): { readonly dir: string; readonly files: readonly string[] } {
  const cacheDir = spec.cacheDir ?? path.join(os.tmpdir(), 'fraud-bundle-cache');
  const dir = path.join(cacheDir, `${spec.name}-${bundleKey(spec)}`);
  const list = path.join(dir, FILES_LIST);
  if (existsSync(list)) {
    const now = new Date();
    utimesSync(dir, now, now); // in use: not pruned by another process
    return { dir, files: JSON.parse(readFileSync(list, 'utf8')) as string[] };
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir, '.build-'));
  try {
    const files = spec.build(tmp);
    writeFileSync(path.join(tmp, FILES_LIST), JSON.stringify(files));
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished the same key first: its bundle has the same bytes.
      if (!existsSync(list)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const entry of readdirSync(cacheDir)) {
    const p = path.join(cacheDir, entry);
    if (p !== dir && !entry.startsWith('.') && Date.now() - statSync(p).mtimeMs > DAY_MS) {
      rmSync(p, { recursive: true, force: true });
    }
  }
  return { dir, files: JSON.parse(readFileSync(list, 'utf8')) as string[] };
}

/** Copies a cached bundle's files into `outDir` (creating sub-folders); returns the file list. */
export function copyBundle(
  bundle: { readonly dir: string; readonly files: readonly string[] },
  outDir: string,
): string[] {
  for (const file of bundle.files) {
    mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    copyFileSync(path.join(bundle.dir, file), path.join(outDir, file));
  }
  return [...bundle.files];
}
