/**
 * The batch scorer's second thread: text chunks in, validated feature rows out. Parsing and
 * validating a row costs more than scoring it in ONNX Runtime, so on two cores the main thread
 * scores and writes chunk k while this thread parses chunk k + 1.
 *
 * Protocol (in order, one worker): the main thread posts `ChunkMessage`s holding whole lines
 * (the header excluded); the worker answers each with a `ParsedChunk` in the same order, counting
 * lines itself from line 2, so errors carry the file's line numbers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CATEGORICAL_FIELDS, writeFeatures, type FeatureSpec } from '../features';
import { parseScoringLine, type ScoringRowError } from './csv-input';

export interface ParseWorkerData {
  readonly role: 'score-parse';
  readonly spec: FeatureSpec;
  readonly width: number;
  /** Cell index of each scoring field, and cells per row (from the header). */
  readonly index: number[];
  readonly cellCount: number;
  /** Return the raw categories too (explanations show them). */
  readonly withCategories: boolean;
  readonly maxErrors: number;
}

export interface ChunkMessage {
  readonly text: string;
}

export interface ParsedChunk {
  readonly rows: number;
  /** rows * width float32 values (transferred). */
  readonly features: ArrayBuffer;
  readonly ids: string[];
  /** With withCategories: CATEGORICAL_FIELDS values per row (null when missing). */
  readonly categories?: (string | null)[];
  /** Invalid rows in this chunk, and the first problems (up to maxErrors overall). */
  readonly invalid: number;
  readonly errors: ScoringRowError[];
}

/** Parses one chunk of whole lines starting at line `firstLine`; returns the next line number. */
export function parseChunk(
  d: ParseWorkerData,
  text: string,
  firstLine: number,
  errorsSoFar: number,
): { chunk: ParsedChunk; nextLine: number } {
  let capacity = 1024;
  let features = new Float32Array(capacity * d.width);
  const ids: string[] = [];
  const categories: (string | null)[] | undefined = d.withCategories ? [] : undefined;
  const errors: ScoringRowError[] = [];
  let rows = 0;
  let invalid = 0;
  let lineNo = firstLine;
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (end > start) {
      const r = parseScoringLine(text.slice(start, end), lineNo, d.index, d.cellCount);
      if (r.ok) {
        if (rows === capacity) {
          capacity *= 2;
          const next = new Float32Array(capacity * d.width);
          next.set(features);
          features = next;
        }
        writeFeatures(r.value, d.spec, features, rows);
        ids.push(r.value.transaction_id ?? '');
        if (categories) for (const f of CATEGORICAL_FIELDS) categories.push(r.value[f] ?? null);
        rows++;
      } else {
        invalid++;
        for (const e of r.errors) if (errorsSoFar + errors.length < d.maxErrors) errors.push(e);
      }
    }
    lineNo++;
    start = nl + 1;
  }
  const out = features.buffer.slice(0, rows * d.width * 4);
  return { chunk: { rows, features: out, ids, categories, invalid, errors }, nextLine: lineNo };
}

/** The worker body: started by BatchParser (parse-pool.ts) with `ParseWorkerData`. */
export function runParseWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runParseWorker must run in a worker thread');
  const d = workerData as ParseWorkerData;
  let nextLine = 2; // line 1 is the header, read by the main thread
  let errorCount = 0;
  port.on('message', (msg: ChunkMessage) => {
    const r = parseChunk(d, msg.text, nextLine, errorCount);
    nextLine = r.nextLine;
    errorCount += r.chunk.errors.length;
    port.postMessage(r.chunk, [r.chunk.features]);
  });
}
