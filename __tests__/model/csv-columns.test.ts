import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TransactionColumns } from '../../model/data/columns';
import { CsvValidationError, readTransactionsCsv, writeTransactionsCsv } from '../../model/data/csv';
import { CHUNK_BYTES, readTransactionColumns } from '../../model/data/csv-columns';
import { iterateTransactions } from '../../model/data/generate';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-columns-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the one-thread reader makes of a file: the reference. */
async function reference(file: string, skipInvalid: boolean) {
  const cols = new TransactionColumns(16, true);
  try {
    const summary = await readTransactionsCsv(file, (tx, p) => cols.push(tx, p), { skipInvalid });
    return { cols, summary };
  } catch (e) {
    return { error: e };
  }
}

function rowsOf(c: TransactionColumns): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.length; i++) {
    const tx = c.read(i, {} as never) as unknown as Record<string, unknown>;
    out.push(`${JSON.stringify(tx)} ${c.trueProbability(i)}`);
  }
  return out;
}

/** About 3.3 MB (over three chunks) of generated rows, with some lines made invalid. */
async function bigFile(name: string, opts: { crlf?: boolean; bad?: number[]; withProbability?: boolean }) {
  const p = path.join(dir, name);
  await writeTransactionsCsv(p, iterateTransactions({ rows: 26_000, seed: 5 }), {
    withProbability: opts.withProbability,
  });
  let lines = fs.readFileSync(p, 'utf8').split('\n');
  for (const b of opts.bad ?? []) lines[b] = lines[b].replace(/,(\d+),(\d),/, ',25,$2,'); // hour 25
  if (opts.crlf) lines = lines.map((l) => (l ? `${l}\r` : l));
  fs.writeFileSync(p, lines.join('\n'));
  expect(fs.statSync(p).size).toBeGreaterThan(3 * CHUNK_BYTES);
  return p;
}

test.each([
  ['LF, with true probabilities', { withProbability: true }],
  ['CRLF', { crlf: true }],
])('two threads read what one thread reads, row for row: %s', async (_name, opts) => {
  const file = await bigFile('same.csv', opts);
  const want = await reference(file, false);
  const got = await readTransactionColumns(file, { parallelMinBytes: 0 }); // the worker parses every other chunk
  expect(got.summary).toEqual(want.summary);
  expect(got.cols.length).toBe(26_000);
  expect(rowsOf(got.cols)).toEqual(rowsOf(want.cols as TransactionColumns));
});

test('invalid rows in different chunks: the same errors, line numbers and counts as one thread', async () => {
  const bad = [3, 9_000, 17_500, 25_999]; // lines 4, 9001, 17501, 26000 of the file
  const file = await bigFile('bad.csv', { bad });
  const want = await reference(file, false);
  const err = await readTransactionColumns(file, { parallelMinBytes: 0 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CsvValidationError);
  expect((err as CsvValidationError).message).toBe((want.error as Error).message);
  expect((err as CsvValidationError).errors.map((e) => e.line)).toEqual(bad.map((b) => b + 1));
  const skipped = await readTransactionColumns(file, { parallelMinBytes: 0, skipInvalid: true });
  const wantSkipped = await reference(file, true);
  expect(skipped.summary).toEqual(wantSkipped.summary);
  expect(skipped.summary.skipped).toBe(4);
  expect(rowsOf(skipped.cols)).toEqual(rowsOf(wantSkipped.cols as TransactionColumns));
});

test('a multi-byte character across a 1 MB boundary is read whole, by both readers', async () => {
  const p = path.join(dir, 'utf8.csv');
  await writeTransactionsCsv(p, iterateTransactions({ rows: 9_000, seed: 6 }));
  const text = fs.readFileSync(p, 'utf8');
  // Put 'é' (2 bytes) so that it straddles byte CHUNK_BYTES, inside a category cell.
  const lineStart = text.lastIndexOf('\n', CHUNK_BYTES - 40) + 1;
  const line = text.slice(lineStart, text.indexOf('\n', lineStart));
  const cells = line.split(',');
  const before =
    Buffer.byteLength(text.slice(0, lineStart)) + Buffer.byteLength(cells.slice(0, 6).join(',')) + 1;
  cells[6] = `${'x'.repeat(CHUNK_BYTES - before - 1)}é`;
  const fixed = text.slice(0, lineStart) + cells.join(',') + text.slice(lineStart + line.length);
  fs.writeFileSync(p, fixed);
  expect(
    Buffer.from(fixed)
      .subarray(CHUNK_BYTES - 1, CHUNK_BYTES + 1)
      .toString(),
  ).toBe('é');
  const got = await readTransactionColumns(p, { parallelMinBytes: 0 });
  const want = await reference(p, false);
  const categories = (c: TransactionColumns) =>
    Array.from({ length: c.length }, (_, i) => c.category('merchant_category', i)).filter((s) =>
      s.endsWith('é'),
    );
  expect(categories(got.cols)).toHaveLength(1);
  expect(categories(got.cols)[0]).toMatch(/^x+é$/);
  expect(categories(want.cols as TransactionColumns)).toEqual(categories(got.cols));
});

test('edge files: header only, no trailing newline, empty, missing', async () => {
  const header = fs.readFileSync(await bigFile('h.csv', {}), 'utf8').split('\n')[0];
  const line = fs.readFileSync(path.join(dir, 'h.csv'), 'utf8').split('\n')[1];
  const only = path.join(dir, 'only.csv');
  fs.writeFileSync(only, header);
  expect((await readTransactionColumns(only)).cols.length).toBe(0);
  const noNl = path.join(dir, 'nonl.csv');
  fs.writeFileSync(noNl, `${header}\n${line}\n${line}`);
  const r = await readTransactionColumns(noNl, { parallelMinBytes: 0 });
  expect(r.summary.rows).toBe(2);
  expect(r.summary).toEqual((await reference(noNl, false)).summary);
  const empty = path.join(dir, 'empty.csv');
  fs.writeFileSync(empty, '');
  await expect(readTransactionColumns(empty)).rejects.toThrow(/empty/);
  await expect(readTransactionColumns(path.join(dir, 'nope.csv'))).rejects.toThrow(/does not exist/);
});
