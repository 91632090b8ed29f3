import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CsvValidationError,
  parseCsvLine,
  readTransactionsCsv,
  readTransactionsCsvToArray,
  writeTransactionsCsv,
} from '../../model/data/csv';
import { iterateTransactions } from '../../model/data/generate';
import { TRANSACTION_FIELDS } from '../../model/schema';

// The original's published sample, vendored (see __tests__/fixtures/README.md).
const ORIGINAL = path.join(__dirname, '..', 'fixtures', 'original_txs.csv');
const HEADER = TRANSACTION_FIELDS.join(',');
const GOOD = 'id1,2025-08-11T17:36:37.015811,C1,M1,275.67,CAD,retail,D1,IN,17,0,713,494.12,0,0';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-test-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

test('reads the original 20,000-row sample unchanged', async () => {
  const { rows, summary } = await readTransactionsCsvToArray(ORIGINAL);
  expect(rows).toHaveLength(20000);
  expect(summary).toMatchObject({ rows: 20000, skipped: 0, ignoredColumns: [], hasTrueProbability: false });
  expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(rows[0]).toMatchObject({ customer_id: 'C3649', amount: 275.67, hour_of_day: 17, is_fraud: 0 });
  const fraud = rows.filter((r) => r.is_fraud === 1).length;
  expect(fraud / rows.length).toBeGreaterThan(0.02);
});

// The vendored sample is byte-compared with ../shared by `npm run check:shared`, its own step.

test('writer and reader round-trip, with and without the true_probability column', async () => {
  const gen = [...iterateTransactions({ rows: 300, seed: 9 })];
  gen[0].tx.merchant_category = 'gifts, "special"'; // needs quoting
  const plain = path.join(dir, 'plain.csv');
  await writeTransactionsCsv(plain, gen);
  expect(fs.readFileSync(plain, 'utf8').split('\n')[0]).toBe(HEADER);
  const back = await readTransactionsCsvToArray(plain);
  expect(back.rows).toEqual(gen.map((g) => g.tx));
  expect(back.trueProbability).toBeUndefined();
  const withP = path.join(dir, 'withp.csv');
  await writeTransactionsCsv(withP, gen, { withProbability: true });
  const back2 = await readTransactionsCsvToArray(withP);
  expect(Array.from(back2.trueProbability ?? [])).toEqual(gen.map((g) => g.p));
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

test('a bad row fails the read with line number, field, value and rule', async () => {
  const p = file(
    'bad.csv',
    [HEADER, GOOD, GOOD.replace('275.67', 'abc'), GOOD.replace(',17,0,', ',25,0,'), GOOD].join('\n'),
  );
  const err = await readTransactionsCsv(p, () => undefined).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CsvValidationError);
  const e = err as CsvValidationError;
  expect(e.invalidRows).toBe(2);
  expect(e.errors[0]).toMatchObject({ line: 3, field: 'amount', value: 'abc' });
  expect(e.errors[1]).toMatchObject({ line: 4, field: 'hour_of_day', value: 25 });
  expect(e.message).toMatch(/line 4: hour_of_day: must be an integer in 0\.\.23/);
  expect(e.message).toMatch(/--skip-invalid/);
});

test('--skip-invalid skips and counts bad rows, never silently', async () => {
  const lines = [HEADER, GOOD, 'too,few,cells', GOOD.replace(',0,0', ',0,7'), `${GOOD}\r`, '', GOOD];
  const p = file('skip.csv', lines.join('\n'));
  const seen: number[] = [];
  const s = await readTransactionsCsv(p, (_tx, _p, line) => seen.push(line), { skipInvalid: true });
  expect(s.rows).toBe(3);
  expect(s.skipped).toBe(2);
  expect(seen).toEqual([2, 5, 7]);
  expect(s.errors.map((e) => [e.line, e.field])).toEqual([
    [3, '(row)'],
    [4, 'is_fraud'],
  ]);
});

test('header problems, empty files, bad quotes and missing files are clear errors', async () => {
  const noop = (): void => undefined;
  await expect(readTransactionsCsv(file('h.csv', 'a,b\n1,2\n'), noop)).rejects.toThrow(
    /line 1: header is missing column\(s\) transaction_id, .*is_fraud/,
  );
  await expect(readTransactionsCsv(file('e.csv', ''), noop)).rejects.toThrow(/empty/);
  await expect(readTransactionsCsv(path.join(dir, 'nope.csv'), noop)).rejects.toThrow(/does not exist/);
  const q = file('q.csv', `${HEADER}\n"unterminated,${GOOD}\n`);
  await expect(readTransactionsCsv(q, noop)).rejects.toThrow(/line 2: \(row\): has an unbalanced quote/);
  const extra = file('x.csv', `${HEADER},note\n${GOOD},hello\n`);
  const s = await readTransactionsCsv(extra, noop);
  expect(s.ignoredColumns).toEqual(['note']);
});

test('parseCsvLine handles RFC 4180 quoting', () => {
  expect(parseCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
  expect(parseCsvLine('"x"y')).toBeUndefined();
});
