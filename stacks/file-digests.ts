/**
 * Content hashes (sha256) of source files, remembered across processes by each file's stat, so a
 * repeated synth reads only the files that changed (the bundle cache keys, stacks/bundle-cache.ts).
 *
 * The content hash stays the truth; the stat only says when it can be reused: a file whose size,
 * mtime, ctime and inode all equal the remembered ones is not read again. ctime cannot be set back
 * by tools that preserve mtimes (cp -p, tar, rsync -t), so they still count as a change. A file
 * changed twice within the clock's resolution could keep all four, so, as git does for "racily
 * clean" entries, a digest is remembered only for a file whose mtime and ctime were already
 * SETTLE_MS old when it was read: any later change then carries a newer time.
 *
 * The memory is one file in the cache folder holding its own sha256 (a damaged one is ignored),
 * written under a temporary name and renamed; entries of files not seen for a day are dropped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INDEX_FILE = '.file-digests.json';
const SETTLE_MS = 2000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** [size, mtimeMs, ctimeMs, ino, sha256 hex, last seen (ms since epoch)] */
type Known = [number, number, number, number, string, number];

export interface FileDigests {
  /** sha256 (hex) of the file's bytes. */
  digest(file: string): string;
  /** Writes what was learned since the last save (a failure only costs speed). */
  save(): void;
}

export interface FileDigestsOptions {
  /** How old a file's mtime and ctime must be for its digest to be remembered. @default 2000 */
  readonly settleMs?: number;
}

const byCacheDir = new Map<string, FileDigests>();

/** The digests remembered in `cacheDir` (one instance per folder and process, made by the first call). */
export function fileDigests(cacheDir: string, options: FileDigestsOptions = {}): FileDigests {
  let digests = byCacheDir.get(cacheDir);
  if (!digests) {
    digests = load(path.join(cacheDir, INDEX_FILE), options.settleMs ?? SETTLE_MS);
    byCacheDir.set(cacheDir, digests);
  }
  return digests;
}

function load(indexFile: string, settleMs: number): FileDigests {
  const known = readIndex(indexFile);
  let changed = false;
  return {
    digest(file: string): string {
      const st = statSync(file);
      const now = Date.now();
      const k = known.get(file);
      if (k && k[0] === st.size && k[1] === st.mtimeMs && k[2] === st.ctimeMs && k[3] === st.ino) {
        if (now - k[5] > DAY_MS / 2) {
          k[5] = now;
          changed = true;
        }
        return k[4];
      }
      const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
      if (now - Math.max(st.mtimeMs, st.ctimeMs) > settleMs) {
        known.set(file, [st.size, st.mtimeMs, st.ctimeMs, st.ino, digest, now]);
        changed = true;
      } else if (known.delete(file)) {
        changed = true;
      }
      return digest;
    },
    save(): void {
      if (!changed) return;
      changed = false;
      const now = Date.now();
      for (const [file, k] of known) if (now - k[5] > DAY_MS) known.delete(file);
      const body = JSON.stringify(Object.fromEntries(known));
      const tmp = `${indexFile}.${process.pid}.tmp`;
      try {
        mkdirSync(path.dirname(indexFile), { recursive: true });
        writeFileSync(tmp, `${sha256(body)}\n${body}`);
        renameSync(tmp, indexFile);
      } catch {
        rmSync(tmp, { force: true });
      }
    },
  };
}

/** The remembered digests, or none when the index is absent or does not check out. */
function readIndex(indexFile: string): Map<string, Known> {
  try {
    const text = readFileSync(indexFile, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline !== 64 || text.slice(0, newline) !== sha256(body)) return new Map();
    return new Map(Object.entries(JSON.parse(body) as Record<string, Known>));
  } catch {
    return new Map();
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
