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
 * The key is a hash of the files' content hashes (file-digests.ts: each file is read again only
 * when its size, times or inode changed). Entries are written under a temporary name and renamed,
 * so a concurrent reader (jest workers, two synths) never sees half a bundle; each entry records
 * the sha256 of its files, checked once per process before the entry is used (again by content
 * hashes remembered by stat), so a damaged entry is rebuilt, never used. Entries unused for a day
 * are removed.
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
// cdktf's own folder hash (md5 of the files' bytes in its walk order): an asset given this hash
// gets exactly the version cdktf would compute (bundle-cache.test.ts checks it).
import { hashPath } from 'cdktf/lib/private/fs';
import { fileDigests } from './file-digests';

const REPO_ROOT = path.join(__dirname, '..');
const DAY_MS = 24 * 60 * 60 * 1000;
/** Entry layout 3: the files plus ENTRY_LIST (their names, sha256 and cdktf asset hash, checksummed). */
const FORMAT = 3;
const ENTRY_LIST = '.entry.json';
// The package's own version file: loading esbuild's API only for its version costs ~15 ms.
const ESBUILD_VERSION = (
  JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as { version: string }
).version;

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

export interface CachedBundle {
  readonly dir: string;
  readonly files: readonly string[];
  /**
   * cdktf's asset hash of a folder holding exactly these files (`TerraformAsset` `assetHash`), so
   * each stack's code asset need not read and hash the bundle again (7.6 MB for drift).
   */
  readonly assetHash: string;
}

interface EntryList {
  readonly files: readonly string[];
  /** sha256 (hex) of each file, by its relative path. */
  readonly sha256: Readonly<Record<string, string>>;
  readonly assetHash: string;
}

/** Entries whose files were checked against their digests in this process. */
const verified = new Set<string>();

const defaultCacheDir = (): string => path.join(os.tmpdir(), 'fraud-bundle-cache');

/** The key of a bundle: a hash of everything it is built from. */
export function bundleKey(
  spec: Pick<BundleSpec, 'name' | 'sourceDirs' | 'options' | 'root' | 'cacheDir'>,
): string {
  const root = spec.root ?? REPO_ROOT;
  const digests = fileDigests(spec.cacheDir ?? defaultCacheDir());
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      format: FORMAT,
      esbuildVersion: ESBUILD_VERSION,
      name: spec.name,
      options: spec.options,
    }),
  );
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  const files = [
    ...['package-lock.json', 'package.json'].map((f) => path.join(root, f)),
    ...spec.sourceDirs.flatMap((dir) => walk(path.join(root, dir)).sort()),
  ];
  for (const file of files) hash.update(`\0${path.relative(root, file)}\0${digests.digest(file)}`);
  digests.save();
  return hash.digest('hex').slice(0, 20);
}

/** The folder holding the bundle's files (built now when no sound cached entry has the key). */
export function cachedBundle(spec: BundleSpec): CachedBundle {
  const cacheDir = spec.cacheDir ?? defaultCacheDir();
  const dir = path.join(cacheDir, `${spec.name}-${bundleKey(spec)}`);
  const cached = readEntry(dir);
  if (cached) return cached;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir, '.build-'));
  try {
    const files = [...spec.build(tmp)];
    const list: EntryList = {
      files,
      sha256: Object.fromEntries(files.map((f) => [f, sha256(readFileSync(path.join(tmp, f)))])),
      assetHash: assetHashOf(tmp, files),
    };
    const body = JSON.stringify(list);
    writeFileSync(path.join(tmp, ENTRY_LIST), `${sha256(Buffer.from(body))}\n${body}`);
    // A damaged entry under this key goes first (readEntry refused it); a sound one written
    // meanwhile by another process stays, and the rename below then fails harmlessly.
    if (existsSync(dir) && !readEntry(dir)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished the same key first: its bundle has the same bytes.
      if (!readEntry(dir)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  prune(cacheDir, dir);
  const built = readEntry(dir);
  if (!built) throw new Error(`bundle cache: the entry just written at ${dir} does not check out`);
  return built;
}

/** Copies a cached bundle's files into `outDir` (creating sub-folders); returns the file list. */
export function copyBundle(bundle: CachedBundle, outDir: string): string[] {
  for (const file of bundle.files) {
    mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    copyFileSync(path.join(bundle.dir, file), path.join(outDir, file));
  }
  return [...bundle.files];
}

/** cdktf's hash of a folder holding exactly `files` from `dir` (what each stack's copy holds). */
function assetHashOf(dir: string, files: readonly string[]): string {
  const copy = mkdtempSync(path.join(path.dirname(dir), '.hash-'));
  try {
    copyBundle({ dir, files, assetHash: '' }, copy);
    return hashPath(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The entry at `dir` if it is complete and every file matches its recorded digest. */
function readEntry(dir: string): CachedBundle | undefined {
  let list: EntryList;
  try {
    const text = readFileSync(path.join(dir, ENTRY_LIST), 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    if (text.slice(0, text.indexOf('\n')) !== sha256(Buffer.from(body))) return undefined;
    list = JSON.parse(body) as EntryList;
  } catch {
    return undefined; // absent, damaged, or not an entry of this layout
  }
  if (!verified.has(dir)) {
    // Content hashes remembered by stat (file-digests.ts): a settled entry is not read again, and
    // any write to one of its files changes the stat, so the file is hashed again.
    const digests = fileDigests(path.dirname(dir));
    const sound =
      Array.isArray(list.files) &&
      list.files.every((f) => {
        try {
          return digests.digest(path.join(dir, f)) === list.sha256?.[f];
        } catch {
          return false;
        }
      });
    digests.save();
    if (!sound) return undefined;
    verified.add(dir);
  }
  try {
    const now = new Date();
    utimesSync(dir, now, now); // in use: not pruned by another process
  } catch {
    // Pruned meanwhile: then the copy fails loudly rather than using anything stale.
  }
  return { dir, files: list.files, assetHash: list.assetHash };
}

/** Removes entries (and abandoned builds) unused for a day. */
function prune(cacheDir: string, keep: string): void {
  for (const entry of readdirSync(cacheDir)) {
    const p = path.join(cacheDir, entry);
    try {
      if (p !== keep && Date.now() - statSync(p).mtimeMs > DAY_MS)
        rmSync(p, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
