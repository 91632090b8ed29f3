/**
 * The `npm run register` entry point's own checks, which run before any sign-in or network call:
 * usage errors exit 2 with the usage text, a bad package exits 1 naming the problem.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = path.join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-cli-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function register(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', TSX, path.join(REPO, 'model', 'cli', 'register.ts'), ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      // No Azure variables: nothing here may reach for a credential.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
    },
  );
  return { status: r.status, stderr: r.stderr };
}

test('usage errors exit 2 and name every missing input', () => {
  const r = register(['--package', 'models/x/1']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/error: --registry <name> or --env <env> is required; no subscription/);
  expect(r.stderr).toMatch(/usage: npm run register/);
});

test('a folder that is not a model package fails before any sign-in', () => {
  fs.mkdirSync(path.join(dir, 'empty'));
  const r = register(['--package', 'empty', '--registry', 'mlr-shared'], {
    AZURE_SUBSCRIPTION_ID: '00000000-1111-2222-3333-444444444444',
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/error: model package '.*empty' has no model\.json/);
});
