import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPath } from 'cdktf/lib/private/fs';
import { bundleKey, cachedBundle, copyBundle } from '../../stacks/bundle-cache';

type BundleCacheModule = typeof import('../../stacks/bundle-cache');

/** A fresh copy of the module: a new process, which has checked no entry yet. */
function freshProcess(): BundleCacheModule {
  let mod: BundleCacheModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<BundleCacheModule>('../../stacks/bundle-cache');
  });
  if (!mod) throw new Error('module not loaded');
  return mod;
}

/**
 * GIVEN a bundle built from a project folder
 * WHEN synth asks for it again with the same inputs (another process, another jest worker)
 * THEN the cached files are used, and any change of the inputs builds a new entry.
 */
describe('synth-time bundle cache', () => {
  let dir: string;
  let root: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
    root = path.join(dir, 'root');
    cacheDir = path.join(dir, 'cache');
    mkdirSync(path.join(root, 'model', 'cli'), { recursive: true });
    writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion": 3}');
    writeFileSync(path.join(root, 'package.json'), '{"name": "x"}');
    writeFileSync(path.join(root, 'model', 'cli', 'drift.ts'), 'export {};\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec = (builds: string[], options: unknown = { entry: 'model/cli/drift.ts' }) => ({
    name: 'drift',
    sourceDirs: ['model'],
    options,
    root,
    cacheDir,
    build: (out: string) => {
      builds.push(out);
      mkdirSync(path.join(out, 'sub'), { recursive: true });
      writeFileSync(
        path.join(out, 'sub', 'drift.cjs'),
        `bundle of ${readFileSync(path.join(root, 'model/cli/drift.ts'), 'utf8')}`,
      );
      return ['sub/drift.cjs'];
    },
  });

  test('the key follows the sources, the lock file and the options, nothing else', () => {
    const first = bundleKey(spec([]));
    expect(bundleKey(spec([]))).toBe(first);
    writeFileSync(path.join(root, 'model', 'cli', 'drift.ts'), 'export const x = 1;\n');
    const second = bundleKey(spec([]));
    expect(second).not.toBe(first);
    writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {}}');
    const third = bundleKey(spec([]));
    expect(third).not.toBe(second);
    expect(bundleKey(spec([], { entry: 'other.ts' }))).not.toBe(third);
    writeFileSync(path.join(dir, 'outside.ts'), 'not in a source folder');
    expect(bundleKey(spec([]))).toBe(third);
  });

  test('builds once per key and copies the cached files, sub-folders included', () => {
    const builds: string[] = [];
    const a = cachedBundle(spec(builds));
    const b = cachedBundle(spec(builds));
    expect(builds).toHaveLength(1);
    expect(b).toEqual(a);
    const out = path.join(dir, 'out');
    expect(copyBundle(b, out)).toEqual(['sub/drift.cjs']);
    expect(readFileSync(path.join(out, 'sub', 'drift.cjs'), 'utf8')).toBe('bundle of export {};\n');
    writeFileSync(path.join(root, 'model', 'cli', 'drift.ts'), 'export const y = 2;\n');
    const c = cachedBundle(spec(builds));
    expect(builds).toHaveLength(2);
    expect(readFileSync(path.join(c.dir, 'sub', 'drift.cjs'), 'utf8')).toBe(
      'bundle of export const y = 2;\n',
    );
  });

  test("the entry's asset hash is cdktf's own hash of a copy of the bundle", () => {
    const bundle = cachedBundle(spec([]));
    const out = path.join(dir, 'copy');
    copyBundle(bundle, out);
    expect(bundle.assetHash).toBe(hashPath(out));
    writeFileSync(path.join(root, 'model', 'cli', 'drift.ts'), 'export const z = 3;\n');
    expect(cachedBundle(spec([])).assetHash).not.toBe(bundle.assetHash);
  });

  test('a failed build leaves no entry behind', () => {
    const failing = {
      ...spec([]),
      build: () => {
        throw new Error('esbuild failed');
      },
    };
    expect(() => cachedBundle(failing)).toThrow('esbuild failed');
    const builds: string[] = [];
    cachedBundle(spec(builds));
    expect(builds).toHaveLength(1);
  });

  test.each([
    [
      'a file changed in place',
      (f: string) => writeFileSync(f, readFileSync(f, 'utf8').replace('export', 'EXPORT')),
    ],
    ['a file cut short', (f: string) => truncateSync(f, 3)],
    ['a file missing', (f: string) => rmSync(f)],
    [
      'the entry list missing',
      (f: string) => rmSync(path.join(path.dirname(path.dirname(f)), '.entry.json')),
    ],
  ])('an entry with %s is rebuilt in the next process, never used', (_, damage) => {
    const builds: string[] = [];
    const first = freshProcess().cachedBundle(spec(builds));
    const file = path.join(first.dir, 'sub', 'drift.cjs');
    const good = readFileSync(file, 'utf8');
    damage(file);
    const again = freshProcess().cachedBundle(spec(builds));
    expect(builds).toHaveLength(2);
    expect(again.dir).toBe(first.dir);
    expect(readFileSync(path.join(again.dir, 'sub', 'drift.cjs'), 'utf8')).toBe(good);
    // Sound again: the process after that uses it without building.
    freshProcess().cachedBundle(spec(builds));
    expect(builds).toHaveLength(2);
  });

  test('an edit that keeps the size, right after the last key, still changes the key', () => {
    const file = path.join(root, 'model', 'cli', 'drift.ts');
    const first = freshProcess().bundleKey(spec([]));
    writeFileSync(file, 'export  {}\n'); // 'export {};\n' with the same length
    expect(freshProcess().bundleKey(spec([]))).not.toBe(first);
  });
});
