import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModelPackage } from '../../model/package/loader';
import { TRANSACTION_FIELDS } from '../../model/schema';

const REPO = path.join(__dirname, '..', '..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a CLI the way `npm run` does (tsx), without npm's own start-up cost. */
function cli(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(REPO, 'model', 'cli', script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('generate then train end to end on a small file', () => {
  const csv = path.join(dir, 'data', 'small.csv');
  const g = cli('generate.ts', ['--rows', '3000', '--seed', '5', '--out', csv]);
  expect(g.stderr).not.toMatch(/error/);
  expect(g.status).toBe(0);
  expect(g.stdout).toMatch(/wrote 3000 transactions/);
  const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(3001);
  expect(lines[0]).toBe(TRANSACTION_FIELDS.join(','));
  // Same seed, same bytes.
  const again = path.join(dir, 'again.csv');
  expect(cli('generate.ts', ['--rows', '3000', '--seed', '5', '--out', again]).status).toBe(0);
  expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(csv, 'utf8'));

  const t = cli('train.ts', [
    '--data',
    csv,
    '--out',
    'models',
    '--version',
    'v1',
    '--trees',
    '15',
    '--no-data-summary',
  ]);
  expect(t.status).toBe(0);
  expect(t.stdout).toMatch(/model fraud-detection-model:v1/);
  expect(t.stdout).toMatch(/GBDT\s+0\.\d{4}/);
  expect(t.stdout).toMatch(/logistic\s+0\.\d{4}/);
  expect(t.stderr).toMatch(/train .*%/); // progress on stderr
  // No regularization option given: the choice on the validation split is printed.
  expect(t.stdout).toMatch(/chosen\s+on validation log loss: deep 0\.\d{5} \(\d+ trees\), shallow 0\.\d{5}/);
  const pkg = loadModelPackage(path.join(dir, 'models', 'fraud-detection-model', 'v1'));
  expect(
    pkg.manifest.metrics.rows.train + pkg.manifest.metrics.rows.validation + pkg.manifest.metrics.rows.test,
  ).toBe(3000);

  const twice = cli('train.ts', ['--data', csv, '--out', 'models', '--version', 'v1', '--trees', '2']);
  expect(twice.status).toBe(1);
  expect(twice.stderr).toMatch(/already exists; versions are immutable/);
});

test('--with-probability adds the column and --drift shifts the data; train reports the Bayes AUC', () => {
  const csv = path.join(dir, 'drift.csv');
  const g = cli('generate.ts', [
    '--rows',
    '2000',
    '--seed',
    '6',
    '--out',
    csv,
    '--with-probability',
    '--drift',
    'amount=2,night=3',
  ]);
  expect(g.status).toBe(0);
  expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/,is_fraud,true_probability$/);
  const t = cli('train.ts', [
    '--data',
    csv,
    '--out',
    'models',
    '--version',
    'd1',
    '--trees',
    '5',
    '--no-data-summary',
  ]);
  expect(t.status).toBe(0);
  expect(t.stdout).toMatch(/Bayes-optimal\s+0\.\d{4}/);
});

test('bad input: usage errors exit 2, invalid rows name the line, --skip-invalid counts them', () => {
  const u = cli('generate.ts', ['--rows', 'many', '--out', 'x.csv']);
  expect(u.status).toBe(2);
  expect(u.stderr).toMatch(/--rows must be an integer in 1\.\.50000000, got 'many'/);
  expect(cli('train.ts', []).stderr).toMatch(/--data is required/);
  expect(cli('generate.ts', ['--rows', '5', '--out', 'x.csv', '--drift', 'bogus=1']).stderr).toMatch(
    /unknown key/,
  );
  const p = cli('generate.ts', ['--rows', '5', '--out', 'x.csv', '--profile', 'weak']);
  expect(p.status).toBe(2);
  expect(p.stderr).toMatch(/unknown profile 'weak'; use one of: ours, original/);
  const o = cli('generate.ts', ['--rows', '50', '--out', 'orig.csv', '--profile', 'original']);
  expect(o.stdout).toMatch(/wrote 50 transactions to orig.csv \(profile original,/);
  expect(fs.readFileSync(path.join(dir, 'orig.csv'), 'utf8').split('\n')[0]).toBe(
    TRANSACTION_FIELDS.join(','),
  );

  const src = path.join(dir, 'data', 'small.csv');
  const lines = fs.readFileSync(src, 'utf8').split('\n');
  lines[10] = lines[10].replace(/,CAD,|,USD,/, ',,'); // empty currency
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, lines.join('\n'));
  const t = cli('train.ts', ['--data', bad, '--out', 'models', '--trees', '2', '--no-data-summary']);
  expect(t.status).toBe(1);
  expect(t.stderr).toMatch(/1 invalid row\(s\)[\s\S]*line 11: currency: is required/);
  const s = cli('train.ts', [
    '--data',
    bad,
    '--out',
    'models',
    '--version',
    's1',
    '--trees',
    '2',
    '--skip-invalid',
    '--no-data-summary',
  ]);
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/1 invalid rows skipped/);
  expect(s.stdout).toMatch(/warning\s+1 invalid CSV row\(s\) were skipped/);
});
