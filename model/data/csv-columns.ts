/**
 * Reads a transaction CSV straight into TransactionColumns on two threads: the training read.
 *
 * Parsing and validating a line costs far more than reading its bytes (1,000,000 rows: about
 * 5 s of CPU, the biggest part of a training run after the trees), so the file is cut into
 * chunks of whole lines that the main thread and a worker thread (csv-columns-worker.ts) parse
 * in turn, each into columns of its own. The chunks are appended in file order, so the store,
 * the line numbers of errors and the file's sha256 are exactly those of the one-thread reader
 * `readTransactionsCsv`, which uses the same line rules (`parseTransactionLine`); a test holds
 * the two to the same answers. Files under `PARALLEL_MIN_BYTES` are parsed on this thread only.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { OrderedWorker, siblingWorkerEntry } from '../runtime/ordered-worker';
import { TransactionColumns, type ColumnsData } from './columns';
import {
  emptyCsvSummary,
  finishSummary,
  parseCsvHeader,
  parseTransactionLine,
  type CsvHeader,
  type CsvReadOptions,
  type CsvReadSummary,
  type CsvRowError,
} from './csv';

/** Bytes of whole lines per chunk. */
export const CHUNK_BYTES = 1 << 20;
/** Smaller files are parsed on the calling thread alone (a worker takes ~0.1 s to start). */
export const PARALLEL_MIN_BYTES = 8 * CHUNK_BYTES;

/** One chunk parsed: its rows as columns, and its lines' problems. */
export interface ParsedColumns {
  readonly data: ColumnsData;
  /** Lines in the chunk (blank ones included), to number the next chunk's lines. */
  readonly lines: number;
  readonly invalid: number;
  /** Problems, with line numbers counted from 1 at the chunk's first line. */
  readonly errors: CsvRowError[];
}

/** What the worker needs to parse chunks like this thread does. */
export interface ColumnsWorkerData {
  readonly role: 'csv-columns';
  readonly header: CsvHeader;
  readonly maxErrors: number;
}

/** Parses a chunk of whole lines (UTF-8 bytes; CRLF or LF). */
export function parseColumnsChunk(header: CsvHeader, bytes: Uint8Array, maxErrors: number): ParsedColumns {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const cols = new TransactionColumns(1 << 13, header.probIndex >= 0);
  const errors: CsvRowError[] = [];
  let invalid = 0;
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines++;
    if (end > start) {
      const r = parseTransactionLine(header, text.slice(start, end), lines);
      if (r.ok) cols.push(r.tx, r.p);
      else {
        invalid++;
        for (const e of r.errors) if (errors.length < maxErrors) errors.push(e);
      }
    }
    start = nl + 1;
  }
  return { data: cols.toData(), lines, invalid, errors };
}

/**
 * The worker module: `csv-columns-worker` with the extension of the running file, beside it (the
 * .ts source under tsx and jest; `.cjs` in the trainer bundle, model/jobs/trainer-bundle.ts).
 */
const CSV_COLUMNS_WORKER = siblingWorkerEntry(__filename, 'csv-columns-worker');

/** The worker side of the chunks: answers in the order they were posted. */
class ChunkWorker {
  private readonly worker: OrderedWorker<Uint8Array, ParsedColumns>;

  constructor(data: ColumnsWorkerData) {
    this.worker = new OrderedWorker(CSV_COLUMNS_WORKER, data, 'CSV parse thread');
  }

  parse(bytes: Uint8Array): Promise<ParsedColumns> {
    // A copy of its own, moved (not cloned) to the worker.
    const own = bytes.slice();
    return this.worker.request(own, [own.buffer as ArrayBuffer]);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}

export interface ReadColumnsOptions extends CsvReadOptions {
  /** Called after each appended chunk with the valid rows so far. */
  readonly onRows?: (rows: number) => void;
  /** Files at least this large are parsed on two threads. @default PARALLEL_MIN_BYTES */
  readonly parallelMinBytes?: number;
}

/**
 * Reads and validates a transaction CSV into columns: the rules, errors and summary of
 * `readTransactionsCsv` (CsvValidationError on invalid rows unless skipInvalid).
 */
export async function readTransactionColumns(
  file: string,
  options: ReadColumnsOptions = {},
): Promise<{ cols: TransactionColumns; summary: CsvReadSummary }> {
  if (!fs.existsSync(file)) throw new Error(`data file '${file}' does not exist`);
  const maxErrors = options.maxErrors ?? 20;
  const parallel = fs.statSync(file).size >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES);
  const hash = createHash('sha256');
  const summary = emptyCsvSummary();
  let header: CsvHeader | undefined;
  let cols: TransactionColumns | undefined;
  let worker: ChunkWorker | undefined;
  let invalid = 0;
  let linesBefore = 1; // the header is line 1
  /** Parsed chunks (or chunks being parsed by the worker), appended strictly in file order. */
  const pending: (ParsedColumns | Promise<ParsedColumns>)[] = [];
  let chunkNo = 0;

  const append = (c: ParsedColumns): void => {
    (cols as TransactionColumns).append(c.data);
    summary.rows += c.data.rows;
    invalid += c.invalid;
    for (const e of c.errors) {
      if (summary.errors.length < maxErrors) summary.errors.push({ ...e, line: e.line + linesBefore });
    }
    linesBefore += c.lines;
    options.onRows?.(summary.rows);
  };
  /** Appends the chunks at the front that are ready; with `all`, waits for every one. */
  const drain = async (all: boolean): Promise<void> => {
    while (pending.length > 0) {
      const head = pending[0];
      if (head instanceof Promise && !all && pending.length <= 2) return;
      pending.shift();
      append(await head);
    }
  };
  const submit = async (bytes: Uint8Array): Promise<void> => {
    const h = header as CsvHeader;
    if (worker && chunkNo++ % 2 === 1) {
      const parsed = worker.parse(bytes);
      parsed.catch(() => undefined); // a failure is thrown where the chunk is awaited, in order
      pending.push(parsed);
    } else pending.push(parseColumnsChunk(h, bytes, maxErrors));
    await drain(false);
  };

  try {
    let carry: Buffer = Buffer.alloc(0);
    const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
    for await (const piece of stream as AsyncIterable<Buffer>) {
      hash.update(piece);
      let buf = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
      if (header === undefined) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          carry = buf;
          continue;
        }
        const end = nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl;
        header = parseCsvHeader(file, buf.subarray(0, end).toString('utf8'));
        summary.hasTrueProbability = header.probIndex >= 0;
        summary.ignoredColumns = header.ignoredColumns;
        cols = new TransactionColumns(1 << 16, header.probIndex >= 0);
        if (parallel) worker = new ChunkWorker({ role: 'csv-columns', header, maxErrors });
        buf = buf.subarray(nl + 1);
      }
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        carry = Buffer.from(buf);
        continue;
      }
      carry = Buffer.from(buf.subarray(last + 1)); // a copy: the stream may reuse its buffer
      await submit(buf.subarray(0, last + 1));
    }
    if (header === undefined) {
      if (carry.length === 0) throw new Error(`${file}: file is empty (no header line)`);
      header = parseCsvHeader(file, carry.toString('utf8').replace(/\r$/, ''));
      summary.hasTrueProbability = header.probIndex >= 0;
      summary.ignoredColumns = header.ignoredColumns;
      cols = new TransactionColumns(16, header.probIndex >= 0);
    } else if (carry.length > 0) {
      await submit(carry);
    }
    await drain(true);
  } finally {
    await worker?.close();
  }
  summary.sha256 = hash.digest('hex');
  return { cols: cols as TransactionColumns, summary: finishSummary(file, summary, invalid, options) };
}
