import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '../..');

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function expectSameTree(actual: string, expected: string): void {
  const a = tree(actual);
  const b = tree(expected);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [file, bytes] of b)
    expect({ file, same: a.get(file)?.equals(bytes) }).toEqual({ file, same: true });
}

/** Flips the last byte of every file under `dir` whose name matches. */
function damage(dir: string, name: RegExp): number {
  let n = 0;
  for (const [file, bytes] of tree(dir)) {
    if (!name.test(path.basename(file))) continue;
    const copy = Buffer.from(bytes);
    copy[copy.length - 1] ^= 0xff;
    writeFileSync(path.join(dir, file), copy);
    n++;
  }
  return n;
}

/** A copy of the project (node_modules linked): other edits of the working tree cannot race the test. */
function copyProject(to: string): void {
  const skip = new Set(['node_modules', 'cdktf.out', '.git', '.tmp', '__tests__', 'dist']);
  for (const name of readdirSync(ROOT)) {
    if (!skip.has(name)) cpSync(path.join(ROOT, name), path.join(to, name), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'));
}

const SCORING_CONTEXT = /assets\/Serving_ScoringImage_Context_[^/]+\/([0-9A-F]+)\/context\.tar\.gz$/;
const scoringContextHashes = (out: string): string[] =>
  [...tree(out).keys()].flatMap((f) => SCORING_CONTEXT.exec(f)?.[1] ?? []);

/**
 * GIVEN `npm run synth` (the app under scripts/register-ts.cjs) with its caches in a fresh temp
 * folder: the transformed modules, the esbuild bundles and the packed build contexts
 * WHEN it runs cold, then warm, then with every cache entry damaged, then after a service source
 * changed
 * THEN cdktf.out is the cold synth's byte for byte, and after the change every environment's scoring
 * image context holds the changed code (a new image version), never the cached one.
 */
test('warm and damaged caches give the cold cdktf.out; a changed service source is never served from cache', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synth-cache-'));
  const project = path.join(dir, 'project');
  copyProject(project);
  const synth = (outdir: string, tmp: string): string => {
    mkdirSync(tmp, { recursive: true });
    const out = path.join(dir, outdir);
    const res = spawnSync(process.execPath, ['-r', './scripts/register-ts.cjs', 'main.ts'], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: dir, TMPDIR: tmp, CDKTF_OUTDIR: out },
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    return out;
  };
  const tmp = path.join(dir, 'tmp');
  try {
    const cold = synth('cold', tmp);
    expectSameTree(synth('warm', tmp), cold);
    expect(damage(path.join(tmp, 'fraud-context-cache'), /\.tgz$/)).toBeGreaterThan(0);
    expect(damage(path.join(tmp, 'fraud-bundle-cache'), /\.(c?js)$/)).toBeGreaterThanOrEqual(3);
    expectSameTree(synth('damaged', tmp), cold);

    // A real change of the service (it survives bundling): the warm caches must not hide it.
    const probe = 'synth-cache-probe-7f3a';
    const hasProbe = (out: string): boolean[] =>
      [...tree(out)]
        .filter(([f]) => SCORING_CONTEXT.test(f))
        .map(([, bytes]) => gunzipSync(bytes).includes(probe));
    expect(hasProbe(cold)).toEqual([false, false, false]);
    appendFileSync(path.join(project, 'service/main.ts'), `\nprocess.title ||= '${probe}';\n`);
    const changed = synth('changed', tmp);
    expect(hasProbe(changed)).toEqual([true, true, true]);
    expect(scoringContextHashes(changed)[0]).not.toBe(scoringContextHashes(cold)[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
