import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tarGzDirectory } from '../../../constructs/serving/scoring-image-context';

type CacheModule = typeof import('../../../constructs/serving/context-tarball-cache');

/** A fresh copy of the module: a new process, with nothing packed in memory yet. */
function freshProcess(): CacheModule {
  let mod: CacheModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<CacheModule>('../../../constructs/serving/context-tarball-cache');
  });
  if (!mod) throw new Error('module not loaded');
  return mod;
}

/**
 * GIVEN a build context packed once (and kept in the temp folder)
 * WHEN the next synth packs the same context, a changed one, or finds a damaged cache entry
 * THEN it gets exactly the bytes a fresh pack gives: a hit for the same files, a new archive for
 * any change, and never the bytes of a damaged entry.
 */
describe('the packed build context, cached by its content', () => {
  let dir: string;
  let context: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'context-tarball-cache-'));
    context = path.join(dir, 'context');
    cacheDir = path.join(dir, 'cache');
    mkdirSync(context);
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM node:20\nCOPY server.js .\n');
    writeFileSync(path.join(context, 'server.js'), 'console.log("v1");\n'.repeat(200));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entries = (): string[] => readdirSync(cacheDir).filter((f) => f.endsWith('.tgz'));

  test('a cache hit in a new process gives the same bytes as a cold pack', () => {
    const cold = tarGzDirectory(context);
    const first = freshProcess().cachedTarGzDirectory(context, { cacheDir });
    expect(first.equals(cold)).toBe(true);
    expect(entries()).toHaveLength(1);
    const [entry] = entries();
    // Another process: the archive comes from the entry, not from the packer.
    const hit = freshProcess().cachedTarGzDirectory(context, { cacheDir });
    expect(hit.equals(cold)).toBe(true);
    expect(readFileSync(path.join(cacheDir, entry)).subarray(32).equals(cold)).toBe(true);
  });

  test('any change of the files is a new archive, equal to a fresh pack', () => {
    const { cachedTarGzDirectory, contextKey } = freshProcess();
    const v1 = cachedTarGzDirectory(context, { cacheDir });
    const key1 = contextKey(context);
    // Same size, other bytes (a one-character edit of a service source).
    writeFileSync(path.join(context, 'server.js'), 'console.log("v2");\n'.repeat(200));
    const v2 = cachedTarGzDirectory(context, { cacheDir });
    expect(contextKey(context)).not.toBe(key1);
    expect(v2.equals(v1)).toBe(false);
    expect(v2.equals(tarGzDirectory(context))).toBe(true);
    // A renamed file with the same bytes is another context too.
    writeFileSync(path.join(context, 'main.js'), readFileSync(path.join(context, 'server.js')));
    rmSync(path.join(context, 'server.js'));
    const v3 = cachedTarGzDirectory(context, { cacheDir });
    expect(v3.equals(v2)).toBe(false);
    expect(v3.equals(tarGzDirectory(context))).toBe(true);
    expect(entries()).toHaveLength(3);
  });

  test.each([
    ['corrupted', (entry: string) => writeFileSync(entry, flipLastByte(readFileSync(entry)))],
    ['truncated', (entry: string) => truncateSync(entry, 100)],
    ['emptied', (entry: string) => writeFileSync(entry, '')],
  ])('a %s entry is never used: the context is packed again and the entry repaired', (_, damage) => {
    const cold = tarGzDirectory(context);
    freshProcess().cachedTarGzDirectory(context, { cacheDir });
    const entry = path.join(cacheDir, entries()[0]);
    damage(entry);
    const again = freshProcess().cachedTarGzDirectory(context, { cacheDir });
    expect(again.equals(cold)).toBe(true);
    expect(readFileSync(entry).subarray(32).equals(cold)).toBe(true);
  });

  test('a context the packer refuses is refused with its reason, cached or not', () => {
    mkdirSync(path.join(context, 'sub'));
    expect(() => freshProcess().cachedTarGzDirectory(context, { cacheDir })).toThrow(
      /sub-folder 'sub' is not supported/,
    );
  });
});

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1] ^= 0xff;
  return copy;
}
