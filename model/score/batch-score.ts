/**
 * Batch scoring of a CSV file without a server (`npm run score`): stream the rows, validate each
 * with the API's rules, write features with the shared feature module, score chunks with the
 * package's model.onnx in onnxruntime-node, and write `transaction_id,pred_proba` (plus the top
 * contributions with `explain`) in input order.
 *
 * Nothing is dropped silently: an invalid row is reported with its line and field; by default
 * the run reads on to count every problem and then fails without leaving an output file; with
 * `skipInvalid` the row is left out of the output and counted in the summary. The output is
 * written to a temp file beside `out` and renamed at the end, so a reader never sees half a file.
 */
import * as fs from 'node:fs';
import { explainability, ensembleFromOnnx, rowExplanation, TreeShap, displayValue } from '../explain';
import { CATEGORICAL_FIELDS, featureWidth } from '../features';
import { findModelPackage, loadModelPackage } from '../package/loader';
import { StringDecoder } from 'node:string_decoder';
import type { ScoringInput } from '../schema';
import { scoringColumns, type ScoringRowError } from './csv-input';
import { OnnxBatchSession } from './onnx-session';
import { ParseThread } from './parse-thread';
import type { ParsedChunk } from './parse-worker';

/** Bytes read per step; about 8,000 rows of the original schema: one ONNX run each. */
const CHUNK_BYTES = 1 << 20;
/** Chunks posted to the parse thread ahead of the one being scored. */
const IN_FLIGHT = 3;

export interface BatchScoreOptions {
  /** Model package folder (or a folder holding exactly one package). */
  readonly model: string;
  /** Input CSV in the original transaction schema (`is_fraud` optional and ignored). */
  readonly data: string;
  /** Output CSV path. */
  readonly out: string;
  /** Add the top contributions (TreeSHAP, log-odds) per row. @default false */
  readonly explain?: boolean;
  /** Contributions per row with `explain`. @default 3 */
  readonly topK?: number;
  /** Leave invalid rows out (reported and counted) instead of failing. @default false */
  readonly skipInvalid?: boolean;
  /** Problems kept for the summary and the error message. @default 20 */
  readonly maxErrors?: number;
  /** ORT intra-op threads. @default 1 (the other core parses the next chunk meanwhile) */
  readonly intraOpThreads?: number;
  /** Called after each chunk of the input file is scored. */
  readonly onProgress?: (p: { bytesRead: number; totalBytes: number; rows: number }) => void;
}

export interface BatchScoreSummary {
  /** `name:version` of the model. */
  readonly model: string;
  /** Rows scored and written. */
  readonly rows: number;
  /** Invalid rows (skipped with skipInvalid). */
  readonly invalid: number;
  /** The first `maxErrors` problems. */
  readonly errors: ScoringRowError[];
  readonly out: string;
  readonly seconds: number;
}

export class ScoringInputError extends Error {
  constructor(
    readonly file: string,
    readonly invalidRows: number,
    readonly errors: ScoringRowError[],
  ) {
    super(
      `${file}: ${invalidRows} invalid row(s); nothing was written; first problems:\n${formatRowErrors(errors)}\nfix the rows or pass --skip-invalid to leave them out (they are counted and listed)`,
    );
    this.name = 'ScoringInputError';
  }
}

export function formatRowErrors(errors: readonly ScoringRowError[]): string {
  return errors
    .map((e) => `  line ${e.line}: ${e.field}: ${e.rule} (got ${JSON.stringify(e.value)})`)
    .join('\n');
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Same rounding as the service's answers (float32 carries about 7 significant digits). */
const round7 = (x: number): string => String(Number(x.toPrecision(7)));

/** `,bias,feature_1,value_1,contribution_1,...` for row i of a chunk. */
function explanationCells(
  shap: TreeShap,
  features: Float32Array,
  i: number,
  categories: readonly (string | null)[],
  names: readonly string[],
  topK: number,
  phi: Float64Array,
): string {
  const margin = shap.explainRow(features, i, phi);
  // displayValue reads only the categorical fields from the input (numbers come from features).
  const input: ScoringInput = { amount: features[i * names.length] };
  CATEGORICAL_FIELDS.forEach((f, k) => {
    const v = categories[i * CATEGORICAL_FIELDS.length + k];
    if (v !== null) input[f] = v;
  });
  const ex = rowExplanation(phi, shap.expectedValue, margin, names, topK, (f) =>
    displayValue(input, features, i, f),
  );
  let text = `,${round7(ex.bias)}`;
  for (const c of ex.top) {
    text += `,${c.feature},${c.value === null ? '' : csvCell(String(c.value))},${round7(c.contribution)}`;
  }
  return text;
}

export async function scoreCsvFile(opts: BatchScoreOptions): Promise<BatchScoreSummary> {
  const t0 = performance.now();
  const topK = opts.topK ?? 3;
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`topK must be an integer >= 1, got ${topK}`);
  const maxErrors = opts.maxErrors ?? 20;
  if (!fs.existsSync(opts.data)) throw new Error(`data file '${opts.data}' does not exist`);
  const totalBytes = fs.statSync(opts.data).size;
  const pkg = loadModelPackage(findModelPackage(opts.model));
  const spec = pkg.manifest.featureSpec;
  const width = featureWidth(spec);
  const names = pkg.manifest.input.featureNames;
  let shap: TreeShap | undefined;
  if (opts.explain) {
    const bytes = fs.readFileSync(pkg.onnxPath);
    const can = explainability(bytes);
    if (!can.available) throw new Error(`--explain: ${can.reason}`);
    shap = new TreeShap(ensembleFromOnnx(bytes));
  }
  const session = await OnnxBatchSession.open(pkg, opts.intraOpThreads);
  const tmp = `${opts.out}.tmp-${process.pid}`;
  const out = fs.createWriteStream(tmp, { highWaterMark: 1 << 20 });
  const outClosed = new Promise<void>((resolve, reject) => {
    out.once('close', resolve);
    out.once('error', reject);
  });
  outClosed.catch(() => undefined); // awaited at the end; an early write error must not go unhandled

  const write = async (text: string): Promise<void> => {
    if (out.errored) throw out.errored;
    if (!out.write(text))
      await Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), outClosed]);
  };

  let header = 'transaction_id,pred_proba';
  if (shap) {
    header += ',bias';
    for (let k = 1; k <= topK; k++) header += `,feature_${k},value_${k},contribution_${k}`;
  }
  let written = 0;
  let invalid = 0;
  const errors: ScoringRowError[] = [];
  const phi = new Float64Array(width);
  const failing = (): boolean => invalid > 0 && !opts.skipInvalid;

  /** Scores one parsed chunk and writes its lines (or only counts problems once failing). */
  const consume = async (c: ParsedChunk): Promise<void> => {
    invalid += c.invalid;
    for (const e of c.errors) if (errors.length < maxErrors) errors.push(e);
    if (failing() || c.rows === 0) return;
    const features = new Float32Array(c.features);
    const p = await session.score(features, c.rows);
    let text = '';
    for (let i = 0; i < c.rows; i++) {
      text += `${csvCell(c.ids[i])},${round7(p[i])}`;
      if (shap) text += explanationCells(shap, features, i, c.categories ?? [], names, topK, phi);
      text += '\n';
    }
    await write(text);
    written += c.rows;
  };

  let thread: ParseThread | undefined;
  try {
    await write(`${header}\n`);
    const decoder = new StringDecoder('utf8'); // a character split across two chunks stays whole
    const pending: Promise<ParsedChunk>[] = [];
    let rest = '';
    let bytesRead = 0;
    const drainTo = async (max: number): Promise<void> => {
      while (pending.length > max) {
        await consume(await (pending.shift() as Promise<ParsedChunk>));
        opts.onProgress?.({ bytesRead, totalBytes, rows: written });
      }
    };
    const post = async (text: string): Promise<void> => {
      if (text.length === 0) return;
      if (!thread) {
        // Line 1 is the header: it fixes the columns the parse thread splits rows by.
        const nl = text.indexOf('\n');
        const line = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
        const { index, cellCount } = scoringColumns(opts.data, line);
        thread = new ParseThread({ spec, width, index, cellCount, withCategories: Boolean(shap), maxErrors });
        text = nl < 0 ? '' : text.slice(nl + 1);
        if (text.length === 0) return;
      }
      pending.push(thread.parse(text));
      pending[pending.length - 1].catch(() => undefined); // awaited in order by drainTo
      await drainTo(IN_FLIGHT - 1);
    };
    const stream = fs.createReadStream(opts.data, { highWaterMark: CHUNK_BYTES });
    for await (const buf of stream as AsyncIterable<Buffer>) {
      bytesRead += buf.length;
      const text = rest + decoder.write(buf);
      const cut = text.lastIndexOf('\n') + 1; // whole lines go to the parser, the tail waits
      rest = text.slice(cut);
      await post(text.slice(0, cut));
    }
    await post(rest + decoder.end());
    if (!thread) throw new Error(`${opts.data}: file is empty (no header line)`);
    await drainTo(0);
    if (failing()) throw new ScoringInputError(opts.data, invalid, errors);
    out.end();
    await outClosed;
    fs.renameSync(tmp, opts.out);
  } catch (e) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    await (thread as ParseThread | undefined)?.close();
    await session.release();
  }
  return {
    model: `${pkg.manifest.name}:${pkg.manifest.version}`,
    rows: written,
    invalid,
    errors,
    out: opts.out,
    seconds: (performance.now() - t0) / 1000,
  };
}
