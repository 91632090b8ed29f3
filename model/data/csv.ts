/**
 * Streaming CSV reader and writer for the transaction schema (constant memory per row, so
 * 1,000,000-row files are fine; danfojs' whole-file readCSV is not used here, see docs/model.md).
 *
 * Reader rules:
 * - the header must contain every column of TRANSACTION_FIELDS (any order); the optional
 *   `true_probability` column (written by `generate --with-probability`) is read too; other
 *   columns are ignored and listed in the summary;
 * - numeric cells must be plain decimal numbers; every row goes through `validateTransaction`,
 *   the same rules the scoring API applies;
 * - a bad row is reported with its 1-based line number, field, value and rule. By default the
 *   read fails after the whole file was checked, with a summary; with `skipInvalid` bad rows are
 *   skipped and counted. Nothing is dropped silently.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FIELD_RULES, TRANSACTION_FIELDS, validateTransaction, type Transaction } from '../schema';

export const TRUE_PROBABILITY_COLUMN = 'true_probability';

export interface CsvRowError {
  line: number;
  field: string;
  value: unknown;
  rule: string;
}

export interface CsvReadSummary {
  /** Valid rows delivered. */
  rows: number;
  /** Invalid rows skipped (only with skipInvalid). */
  skipped: number;
  /** The first `maxErrors` problems found. */
  errors: CsvRowError[];
  /** Header columns that are not part of the schema and were ignored. */
  ignoredColumns: string[];
  /** Whether the file carried the true_probability column. */
  hasTrueProbability: boolean;
  /** sha256 (hex) of the file bytes. */
  sha256: string;
}

export interface CsvReadOptions {
  /** Skip and count invalid rows instead of failing. @default false */
  readonly skipInvalid?: boolean;
  /** Problems kept for the summary / error message. @default 20 */
  readonly maxErrors?: number;
}

export class CsvValidationError extends Error {
  constructor(
    readonly file: string,
    readonly invalidRows: number,
    readonly errors: CsvRowError[],
  ) {
    super(
      `${file}: ${invalidRows} invalid row(s); first problems:\n${errors
        .map((e) => `  line ${e.line}: ${e.field}: ${e.rule} (got ${JSON.stringify(e.value)})`)
        .join('\n')}\nfix the rows or pass --skip-invalid to skip and count them`,
    );
    this.name = 'CsvValidationError';
  }
}

/** Splits one CSV line (RFC 4180 quoting; no embedded newlines). Returns undefined on a bad quote. */
export function parseCsvLine(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        s += line.slice(i, q);
        if (line[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < line.length && line[i] !== ',') return undefined;
      out.push(s);
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumberCell(cell: string): number | string | undefined {
  if (cell === '') return undefined;
  return NUMBER_RE.test(cell) ? Number(cell) : cell; // non-numeric text is kept so the error shows it
}

/** Streams lines of a file (LF or CRLF), calling `onLine(text, lineNumber)`. */
async function forEachLine(
  file: string,
  hash: ReturnType<typeof createHash>,
  onLine: (line: string, lineNo: number) => void,
): Promise<void> {
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  // A character whose UTF-8 bytes straddle two reads must be decoded whole (chunk.toString()
  // would turn both halves into U+FFFD).
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onLine(text.slice(start, end), ++lineNo);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++lineNo);
}

/** What the header line says about the data lines. */
export interface CsvHeader {
  /** Cells per data line. */
  readonly cellCount: number;
  /** Cell index of each TRANSACTION_FIELDS field, in that order. */
  readonly index: readonly number[];
  /** Cell index of true_probability, or -1. */
  readonly probIndex: number;
  readonly ignoredColumns: string[];
}

/** Checks the header line (line 1) of `file`; throws naming the missing columns. */
export function parseCsvHeader(file: string, line: string): CsvHeader {
  const header = parseCsvLine(line.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${file}: line 1: header has an unbalanced quote`);
  const columns = header.map((h) => h.trim());
  const missing = TRANSACTION_FIELDS.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new Error(
      `${file}: line 1: header is missing column(s) ${missing.join(', ')}; expected ${TRANSACTION_FIELDS.join(',')}`,
    );
  }
  return {
    cellCount: columns.length,
    index: TRANSACTION_FIELDS.map((f) => columns.lastIndexOf(f)), // a repeated column: the last one, as before
    probIndex: columns.indexOf(TRUE_PROBABILITY_COLUMN),
    ignoredColumns: columns.filter(
      (c) => c !== TRUE_PROBABILITY_COLUMN && !(TRANSACTION_FIELDS as readonly string[]).includes(c),
    ),
  };
}

/** A summary before any line was read (both readers fill it in the same way). */
export function emptyCsvSummary(): CsvReadSummary {
  return { rows: 0, skipped: 0, errors: [], ignoredColumns: [], hasTrueProbability: false, sha256: '' };
}

/**
 * The problem of a line whose cells could not be split (an unbalanced quote) or whose cell count
 * is not the header's, or undefined when its shape is right. Training and scoring CSVs alike.
 */
export function rowShapeError(
  line: string,
  lineNo: number,
  cells: string[] | undefined,
  cellCount: number,
): CsvRowError | undefined {
  if (cells && cells.length === cellCount) return undefined;
  return {
    line: lineNo,
    field: '(row)',
    value: line.length > 80 ? `${line.slice(0, 80)}…` : line,
    rule: cells ? `must have ${cellCount} cells, got ${cells.length}` : 'has an unbalanced quote',
  };
}

/** One data line: the validated row (and its true probability), or its problems. */
export type CsvLineResult =
  | { readonly ok: true; readonly tx: Transaction; readonly p: number | undefined }
  | { readonly ok: false; readonly errors: CsvRowError[] };

/** Parses and validates one non-empty data line (the rules in this module's comment). */
export function parseTransactionLine(header: CsvHeader, line: string, lineNo: number): CsvLineResult {
  const cells = parseCsvLine(line);
  const shape = rowShapeError(line, lineNo, cells, header.cellCount);
  if (shape || !cells) return { ok: false, errors: shape ? [shape] : [] };
  const raw: Record<string, unknown> = {};
  for (let k = 0; k < TRANSACTION_FIELDS.length; k++) {
    const f = TRANSACTION_FIELDS[k];
    const cell = cells[header.index[k]];
    if (f === 'is_fraud') raw[f] = cell === '0' ? 0 : cell === '1' ? 1 : cell === '' ? undefined : cell;
    else raw[f] = FIELD_RULES[f].kind === 'number' ? parseNumberCell(cell) : cell === '' ? undefined : cell;
  }
  let p: number | undefined;
  if (header.probIndex >= 0) {
    const v = parseNumberCell(cells[header.probIndex]);
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      return {
        ok: false,
        errors: [{ line: lineNo, field: TRUE_PROBABILITY_COLUMN, value: cells[header.probIndex], rule: 'must be a number in 0..1' }],
      };
    }
    p = v;
  }
  const checked = validateTransaction(raw);
  if (!checked.ok) {
    return {
      ok: false,
      errors: checked.errors.map((e) => ({ line: lineNo, field: e.field, value: e.value, rule: e.rule })),
    };
  }
  return { ok: true, tx: checked.value, p };
}

/**
 * Reads and validates a transaction CSV, calling `onRow` for each valid row (with its true
 * probability when the file has that column). Throws CsvValidationError on invalid rows unless
 * `skipInvalid`; throws on a missing file or header problems.
 */
export async function readTransactionsCsv(
  file: string,
  onRow: (tx: Transaction, trueProbability: number | undefined, line: number) => void,
  options: CsvReadOptions = {},
): Promise<CsvReadSummary> {
  if (!fs.existsSync(file)) throw new Error(`data file '${file}' does not exist`);
  const maxErrors = options.maxErrors ?? 20;
  const hash = createHash('sha256');
  let header: CsvHeader | undefined;
  const summary = emptyCsvSummary();
  let invalid = 0;
  await forEachLine(file, hash, (line, lineNo) => {
    if (header === undefined) {
      header = parseCsvHeader(file, line);
      summary.hasTrueProbability = header.probIndex >= 0;
      summary.ignoredColumns = header.ignoredColumns;
      return;
    }
    if (line.length === 0) return; // blank lines (e.g. a trailing newline) carry no row
    const r = parseTransactionLine(header, line, lineNo);
    if (!r.ok) {
      invalid++;
      for (const e of r.errors) if (summary.errors.length < maxErrors) summary.errors.push(e);
      return;
    }
    summary.rows++;
    onRow(r.tx, r.p, lineNo);
  });
  if (header === undefined) throw new Error(`${file}: file is empty (no header line)`);
  summary.sha256 = hash.digest('hex');
  return finishSummary(file, summary, invalid, options);
}

/** Throws CsvValidationError for invalid rows unless skipInvalid; else counts them. */
export function finishSummary(
  file: string,
  summary: CsvReadSummary,
  invalid: number,
  options: CsvReadOptions,
): CsvReadSummary {
  if (invalid > 0) {
    if (!options.skipInvalid) throw new CsvValidationError(file, invalid, summary.errors);
    summary.skipped = invalid;
  }
  return summary;
}

/** Reads a whole CSV into memory (fine up to a few hundred thousand rows). */
export async function readTransactionsCsvToArray(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ rows: Transaction[]; trueProbability?: Float64Array; summary: CsvReadSummary }> {
  const rows: Transaction[] = [];
  const probs: number[] = [];
  const summary = await readTransactionsCsv(
    file,
    (tx, p) => {
      rows.push(tx);
      if (p !== undefined) probs.push(p);
    },
    options,
  );
  return { rows, trueProbability: summary.hasTrueProbability ? Float64Array.from(probs) : undefined, summary };
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no newline) for a transaction, in TRANSACTION_FIELDS order. */
export function transactionToCsvLine(tx: Transaction, trueProbability?: number): string {
  let line = '';
  for (let i = 0; i < TRANSACTION_FIELDS.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(tx[TRANSACTION_FIELDS[i]]);
  }
  if (trueProbability !== undefined) line += `,${trueProbability}`;
  return line;
}

export interface CsvWriteOptions {
  /** Append the `true_probability` column (opt-in; the default keeps the exact schema). @default false */
  readonly withProbability?: boolean;
}

/**
 * Writes rows to `file` (via a temp file renamed at the end, so readers never see half a file).
 * Streams with backpressure; returns the number of rows written.
 */
export async function writeTransactionsCsv(
  file: string,
  rows: Iterable<{ tx: Transaction; p?: number }>,
  options: CsvWriteOptions = {},
): Promise<number> {
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.createWriteStream(tmp, { highWaterMark: 1 << 20 });
  const header = [...TRANSACTION_FIELDS, ...(options.withProbability ? [TRUE_PROBABILITY_COLUMN] : [])].join(',');
  let n = 0;
  let buf = `${header}\n`;
  const flush = async (): Promise<void> => {
    if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    buf = '';
  };
  try {
    for (const r of rows) {
      if (options.withProbability && r.p === undefined) throw new Error(`row ${n + 1} has no true probability`);
      buf += `${transactionToCsvLine(r.tx, options.withProbability ? r.p : undefined)}\n`;
      n++;
      if (buf.length > 1 << 20) await flush();
    }
    await flush();
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    fs.renameSync(tmp, file);
  } catch (e) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return n;
}
