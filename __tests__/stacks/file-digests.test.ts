import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type FileDigestsModule = typeof import('../../stacks/file-digests');

/** A fresh copy of the module: a new process, with only the index file to remember by. */
function freshProcess(): FileDigestsModule {
  let mod: FileDigestsModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<FileDigestsModule>('../../stacks/file-digests');
  });
  if (!mod) throw new Error('module not loaded');
  return mod;
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
/** Remember digests at once (the tests cannot wait for a file's ctime to age). */
const AT_ONCE = { settleMs: -60_000 };

/**
 * GIVEN source files hashed by an earlier synth
 * WHEN the next synth asks for their digests
 * THEN a file whose stat is unchanged is not read again, and any change of its bytes, its times
 * (even set back) or a damaged index gives its real content hash.
 */
describe('file digests remembered by stat', () => {
  let dir: string;
  let cacheDir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'file-digests-'));
    cacheDir = path.join(dir, 'cache');
    file = path.join(dir, 'source.ts');
    writeFileSync(file, 'export const a = 1;\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const index = (): string => path.join(cacheDir, '.file-digests.json');
  /** Rewrites the index so it remembers `digest` for `file` (with a valid checksum). */
  function rememberFalsely(digest: string): void {
    const body = JSON.parse(readFileSync(index(), 'utf8').split('\n')[1]) as Record<string, unknown[]>;
    body[file][4] = digest;
    const text = JSON.stringify(body);
    writeFileSync(index(), `${sha256(text)}\n${text}`);
  }

  test('the digest is the content hash, and an unchanged stat reuses it without reading', () => {
    const first = freshProcess().fileDigests(cacheDir, AT_ONCE);
    expect(first.digest(file)).toBe(sha256(readFileSync(file)));
    first.save();
    // Proof that the next process goes by the stat: it returns what the index says.
    rememberFalsely('f'.repeat(64));
    expect(freshProcess().fileDigests(cacheDir, AT_ONCE).digest(file)).toBe('f'.repeat(64));
  });

  test.each([
    ['new bytes of the same size', (f: string) => writeFileSync(f, 'export const b = 2;\n')],
    [
      'times set back to the remembered ones',
      (f: string) => {
        const { atime, mtime } = statSync(f);
        writeFileSync(f, 'export const b = 2;\n');
        utimesSync(f, atime, mtime); // cp -p, tar: mtime restored, ctime is now
      },
    ],
  ])('%s: the file is read again', (_, change) => {
    const first = freshProcess().fileDigests(cacheDir, AT_ONCE);
    first.digest(file);
    first.save();
    rememberFalsely('f'.repeat(64));
    change(file);
    expect(freshProcess().fileDigests(cacheDir, AT_ONCE).digest(file)).toBe(sha256('export const b = 2;\n'));
  });

  test('a file changed moments ago is not remembered (its stat may not show the next change)', () => {
    const first = freshProcess().fileDigests(cacheDir); // default: remembered once 2 s old
    expect(first.digest(file)).toBe(sha256(readFileSync(file)));
    first.save();
    expect(existsSync(index()) && readFileSync(index(), 'utf8').includes(file)).toBe(false);
    // So a same-size edit in the same clock tick is still seen by the next process.
    writeFileSync(file, 'export const b = 2;\n');
    expect(freshProcess().fileDigests(cacheDir).digest(file)).toBe(sha256('export const b = 2;\n'));
  });

  test('a damaged index is ignored', () => {
    const first = freshProcess().fileDigests(cacheDir, AT_ONCE);
    first.digest(file);
    first.save();
    const text = readFileSync(index(), 'utf8');
    writeFileSync(index(), text.replace(sha256(readFileSync(file)), 'f'.repeat(64)));
    expect(freshProcess().fileDigests(cacheDir, AT_ONCE).digest(file)).toBe(sha256(readFileSync(file)));
  });
});
