/**
 * The packed build context (`tarGzDirectory`), cached by a hash of what goes into it.
 *
 * gzip at level 9 of the scoring image's ~1.7 MB context is about 85 ms, and every environment
 * packs the same context: a quarter of a synth. The archive is a pure function of the context's
 * file names and bytes, the packer's code and zlib's version, so it is kept under a hash of exactly
 * those, in memory for the other stacks of this process and in the temp folder for the next synth.
 * Same key, same bytes: the archive hash (the image tag) is what a fresh pack would give.
 *
 * An entry is one file, `sha256(archive) || archive`, written under a temporary name and renamed,
 * so a reader never sees half an entry; the digest is checked on every read, and an entry that
 * fails it (truncated, corrupted) is never used: the context is packed again and the entry
 * replaced. Entries unused for a day are removed.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
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
import { tarGzDirectory } from './scoring-image-context';

const DIGEST_BYTES = 32;
const DAY_MS = 24 * 60 * 60 * 1000;
const ENTRY_SUFFIX = '.tgz';

/** Archives packed by this process, by key: the other stacks reuse them without a file read. */
const packed = new Map<string, Buffer>();
let packerSource: string | undefined;

export interface ContextTarballOptions {
  /** @default `<os temp dir>/fraud-context-cache` */
  readonly cacheDir?: string;
}

/**
 * `tarGzDirectory(dir)`, from the cache when the context's files, the packer and zlib are
 * unchanged. Throws what `tarGzDirectory` throws (a sub-folder, a long name).
 */
export function cachedTarGzDirectory(dir: string, options: ContextTarballOptions = {}): Buffer {
  const key = contextKey(dir);
  if (key === undefined) return tarGzDirectory(dir); // not a flat context: let the packer say why
  const inMemory = packed.get(key);
  if (inMemory) return inMemory;
  const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), 'fraud-context-cache');
  const entry = path.join(cacheDir, `${key}${ENTRY_SUFFIX}`);
  const cached = readEntry(entry);
  if (cached) {
    packed.set(key, cached);
    return cached;
  }
  const archive = tarGzDirectory(dir);
  writeEntry(cacheDir, entry, archive);
  packed.set(key, archive);
  return archive;
}

/**
 * A hash of everything the archive is made of: the packer's source, zlib's version, and each file
 * directly in `dir` (sorted, as the packer orders them) by name and bytes. `undefined` when `dir`
 * holds anything but regular files (the packer refuses those with the reason).
 */
export function contextKey(dir: string): string | undefined {
  packerSource ??= readFileSync(require.resolve('./scoring-image-context'), 'utf8');
  const hash = createHash('sha256');
  hash.update(`tar.gz v1\0zlib ${process.versions.zlib}\0`);
  hash.update(packerSource);
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!statSync(file).isFile()) return undefined;
    const content = readFileSync(file);
    hash.update(`\0${name}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}

/** The archive of an entry whose digest checks out, else `undefined`. */
function readEntry(entry: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(entry);
  } catch {
    return undefined; // not cached yet
  }
  const archive = bytes.subarray(DIGEST_BYTES);
  const digest = createHash('sha256').update(archive).digest();
  if (bytes.length <= DIGEST_BYTES || !digest.equals(bytes.subarray(0, DIGEST_BYTES))) return undefined;
  try {
    const now = new Date();
    utimesSync(entry, now, now); // in use: not pruned by another process
  } catch {
    // Pruned meanwhile: the bytes are already read and checked.
  }
  return archive;
}

/** Writes an entry atomically and prunes entries unused for a day. A failure only costs speed. */
function writeEntry(cacheDir: string, entry: string, archive: Buffer): void {
  const tmp = `${entry}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(tmp, Buffer.concat([createHash('sha256').update(archive).digest(), archive]));
    renameSync(tmp, entry);
    for (const name of readdirSync(cacheDir)) {
      const p = path.join(cacheDir, name);
      if (p !== entry && Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { force: true });
    }
  } catch {
    rmSync(tmp, { force: true });
  }
}
