import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { transactionToCsvLine } from '../../../model/data/csv';
import { generateTransactions } from '../../../model/data/generate';
import { featureMatrix } from '../../../model/features';
import { SCORING_CSV_FIELDS } from '../../../model/score/csv-input';
import { scoreCsvFile, ScoringInputError } from '../../../model/score/batch-score';
import { TRANSACTION_FIELDS, type Transaction } from '../../../model/schema';
import { predictMargin, predictProba } from '../../../model/train/gbdt';
import { trainModelPackage, type TrainModelPackageResult } from '../../../model/train/api';

const REPO = path.join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
let trained: TrainModelPackageResult;
let rows: Transaction[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-'));
  rows = generateTransactions({ rows: 2500, seed: 11 }).rows;
  trained = await trainModelPackage({
    data: rows.slice(0, 2000),
    outRoot: path.join(dir, 'models'),
    version: '1',
    params: { nTrees: 15, maxDepth: 4, minSamplesLeaf: 20 },
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 300 scoring rows (header without is_fraud) with three bad lines among them. */
function writeInput(file: string): { good: Transaction[]; badLines: number[] } {
  const good = rows.slice(2000, 2300);
  const lines = [SCORING_CSV_FIELDS.join(',')];
  const badLines: number[] = [];
  good.forEach((tx, i) => {
    lines.push(transactionToCsvLine(tx).replace(/,[01]?$/, '')); // drop the label cell
    if (i === 10) {
      lines.push(transactionToCsvLine({ ...tx, hour_of_day: 25 }).replace(/,[01]?$/, ''));
      badLines.push(lines.length);
    }
    if (i === 20) {
      lines.push(lines[lines.length - 1].replace(/,[^,]*$/, ',many')); // num_prev_tx_24h not a number
      badLines.push(lines.length);
      lines.push('only,three,cells');
      badLines.push(lines.length);
    }
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { good, badLines };
}

test('bad rows fail the run with line and field, and leave no output', async () => {
  const input = path.join(dir, 'bad.csv');
  const { badLines } = writeInput(input);
  const out = path.join(dir, 'fail.csv');
  const err = (await scoreCsvFile({ model: trained.dir, data: input, out }).catch(
    (e: unknown) => e,
  )) as Error;
  expect(err).toBeInstanceOf(ScoringInputError);
  const e = err as ScoringInputError;
  expect(e.invalidRows).toBe(3);
  expect(e.errors.map((x) => [x.line, x.field])).toEqual([
    [badLines[0], 'hour_of_day'],
    [badLines[1], 'num_prev_tx_24h'],
    [badLines[2], '(row)'],
  ]);
  expect(e.message).toMatch(/line \d+: hour_of_day: must be an integer in 0\.\.23 \(got 25\)/);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('fail.csv'))).toEqual([]);
});

test('--skip-invalid scores the rest in order, through ONNX, and lists what it skipped', async () => {
  const input = path.join(dir, 'bad.csv');
  const { good, badLines } = writeInput(input);
  const out = path.join(dir, 'scored.csv');
  const s = await scoreCsvFile({ model: trained.dir, data: input, out, skipInvalid: true });
  expect(s).toMatchObject({ rows: 300, invalid: 3 });
  expect(s.errors.map((x) => x.line)).toEqual(badLines);
  const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('transaction_id,pred_proba');
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(good.map((t) => t.transaction_id));
  const expected = predictProba(
    trained.model,
    featureMatrix(good, trained.manifest.featureSpec),
    good.length,
  );
  lines
    .slice(1)
    .forEach((l, i) => expect(Math.abs(Number(l.split(',')[1]) - expected[i])).toBeLessThan(1e-5));
});

test('--explain writes bias and contributions that add up to the margin', async () => {
  const input = path.join(dir, 'good.csv');
  const good = rows.slice(2300, 2400);
  fs.writeFileSync(
    input,
    `${TRANSACTION_FIELDS.join(',')}\n${good.map((t) => transactionToCsvLine(t)).join('\n')}\n`,
  );
  const out = path.join(dir, 'explained.csv');
  await scoreCsvFile({ model: trained.dir, data: input, out, explain: true, topK: 11 });
  const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
  expect(lines[0].split(',').slice(0, 6)).toEqual([
    'transaction_id',
    'pred_proba',
    'bias',
    'feature_1',
    'value_1',
    'contribution_1',
  ]);
  const margins = predictMargin(
    trained.model,
    featureMatrix(good, trained.manifest.featureSpec),
    good.length,
  );
  lines.slice(1).forEach((l, i) => {
    const cells = l.split(',');
    let sum = Number(cells[2]);
    for (let k = 0; k < 11; k++) sum += Number(cells[5 + 3 * k]);
    expect(Math.abs(sum - margins[i])).toBeLessThan(1e-4); // 7 significant digits per cell
    const cat = cells.indexOf('merchant_category');
    if (cat >= 0) expect(cells[cat + 1]).toBe(good[i].merchant_category); // the raw category, not its code
  });
});

test('npm run score: exit 1 naming line and field; progress on stderr; summary on stdout', () => {
  const input = path.join(dir, 'bad.csv');
  const { badLines } = writeInput(input);
  const run = (extra: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(
      process.execPath,
      [
        '--import',
        TSX,
        path.join(REPO, 'model', 'cli', 'score.ts'),
        '--model',
        trained.dir,
        '--data',
        input,
        ...extra,
      ],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
  const failed = run(['--out', path.join(dir, 'cli.csv')]);
  expect(failed.status).toBe(1);
  expect(String(failed.stderr)).toMatch(new RegExp(`line ${badLines[0]}: hour_of_day`));
  expect(String(failed.stderr)).toMatch(/--skip-invalid/);
  const ok = run(['--out', path.join(dir, 'cli.csv'), '--skip-invalid']);
  expect(ok.status).toBe(0);
  expect(String(ok.stderr)).toMatch(/score 100%/);
  expect(String(ok.stdout)).toMatch(/scored\s+300 rows/);
  expect(String(ok.stdout)).toMatch(
    new RegExp(`skipped\\s+3 invalid row\\(s\\)[\\s\\S]*line ${badLines[2]}: \\(row\\)`),
  );
});
