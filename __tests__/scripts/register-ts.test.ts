import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'scripts/register-ts.cjs');

/** Runs `node -r register-ts.cjs <args>` with its own temp folder (so its own transform cache). */
function run(tmp: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['-r', REGISTER, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TMPDIR: tmp },
    encoding: 'utf8',
  });
}

/**
 * GIVEN the loader `npm run synth` uses, with its transform cache in the temp folder
 * WHEN a file is loaded again, its cache entry is damaged, or cdktf is loaded
 * THEN the cached JavaScript is used only when its digest checks out, and cdktf's start-up skips
 * the modules a synth never calls, which still work when called.
 */
describe('scripts/register-ts.cjs', () => {
  let dir: string;
  let tmp: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'register-ts-'));
    tmp = path.join(dir, 'tmp');
    mkdirSync(tmp);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a damaged transform cache entry is never run: the source is transformed again', () => {
    const file = path.join(dir, 'answer.ts');
    writeFileSync(file, 'const answer: number = 42;\nconsole.log(`answer ${answer}`);\n');
    expect(run(tmp, [file]).stdout).toBe('answer 42\n');
    const cacheDir = path.join(tmp, 'fraud-ts-cache');
    const [entry] = readdirSync(cacheDir);
    const cached = path.join(cacheDir, entry);
    expect(run(tmp, [file]).stdout).toBe('answer 42\n');
    // Same length, other code: only the digest can tell.
    writeFileSync(cached, readFileSync(cached, 'utf8').replace('answer = 42', 'answer = 43'));
    expect(readFileSync(cached, 'utf8')).toContain('answer = 43');
    expect(run(tmp, [file]).stdout).toBe('answer 42\n');
    expect(readFileSync(cached, 'utf8')).toContain('answer = 42');
    // Cut short (a write that never finished):
    writeFileSync(cached, readFileSync(cached, 'utf8').slice(0, 40));
    expect(run(tmp, [file]).stdout).toBe('answer 42\n');
  });

  test('cdktf loads without archiver and semver, and both work when called', () => {
    const script = `
      const Module = require('node:module');
      require('cdktf');
      const loaded = (name) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + name + '/'));
      const before = { archiver: loaded('archiver'), semver: loaded('semver') };
      const parent = require.cache[require.resolve('cdktf/lib/private/fs.js')];
      const archiver = Module._load('archiver', parent, false);
      const zip = archiver('zip', { zlib: { level: 9 } });
      const semver = Module._load('semver', require.cache[require.resolve('cdktf/lib/validations/validate-binary-version.js')], false);
      console.log(JSON.stringify({ before, zip: typeof zip.pipe, satisfies: semver.satisfies('1.11.4', '>=1.11'), after: loaded('archiver') }));`;
    const res = run(tmp, ['-e', script]);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({
      before: { archiver: false, semver: false },
      zip: 'function',
      satisfies: true,
      after: true,
    });
  });
});
