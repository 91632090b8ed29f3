/**
 * Runs the GBDT hot loops on the two halves of the row store, the second half on a worker thread
 * (gbdt-worker.ts) when one is available.
 *
 * The store is split once, for the whole run, at `half` (see `storeHalf`): the main thread owns
 * rows [0, half) and the worker rows [half, rows). A node's rows are a `Span`, one contiguous
 * range in each half, so every operation has the same two parts whether or not a worker runs
 * one of them, and training results are bit-for-bit identical with 1 or 2 threads:
 *
 * - binning, gradients, applying a tree: each half writes its own rows;
 * - histogram: each half sums into its own buffer, then main adds them (fixed order);
 * - partition: each half partitions its range in place into [left | right]; the children are
 *   again one range per half, so nothing moves between the halves (no serial merge step).
 *
 * Binning interleaves the input rows (even rows to the first half, odd rows to the second), so
 * both halves sample the whole file even when it is sorted by time, and every node's rows are
 * about evenly shared between the two threads.
 *
 * The worker shares every array through SharedArrayBuffer and is driven by a tiny Atomics-based
 * protocol (worker-protocol.ts; no message per task).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { kApplyTree, kBinRows, kGradients, kHistogram, kLogLossSum, kPartition } from './kernels';
import {
  C_BIN,
  C_CLOSING,
  C_DONE,
  C_END,
  C_ERROR_LENGTH,
  C_FAILED,
  C_FEATURE,
  C_MISS,
  C_NFEATS,
  C_NSEG,
  C_OP,
  C_RESULT,
  C_SEQ,
  C_START,
  CONTROL_SLOTS,
  ERROR_BYTES,
  OP_APPLY_TREE,
  OP_BIN_ROWS,
  OP_EXIT,
  OP_GRADIENTS,
  OP_HISTOGRAM,
  OP_LOG_LOSS,
  OP_PARTITION,
  readWorkerFailure,
  type WorkerBuffers,
} from './worker-protocol';

/** Below this many rows a task runs both parts on the main thread (waking a worker costs ~50 us). */
export const PARALLEL_MIN_ROWS = 16_384;
/**
 * A training set smaller than this never starts a worker: a root-level task would be under
 * 2 * PARALLEL_MIN_ROWS, so the worker would rarely work.
 */
export const WORKER_MIN_TRAINING_ROWS = 2 * PARALLEL_MIN_ROWS;
/**
 * Last resort when the worker neither answers nor reports a failure (e.g. its thread was killed
 * by the OS); a task takes well under a second.
 */
const WORKER_TIMEOUT_MS = 120_000;
/** Polls before the main thread sleeps on a task: most tasks finish within microseconds of ours. */
const SPIN_POLLS = 5_000;

/** The worker module: the .ts source under tsx/jest, the compiled .js next to this file otherwise. */
export const GBDT_WORKER_ENTRY = path.join(__dirname, `gbdt-worker${path.extname(__filename) || '.js'}`);

/**
 * Boot script of the worker (CommonJS eval): loads the worker module, registering tsx's
 * TypeScript hook first when the module is .ts and this thread has none (jest, plain node), and
 * turns a failure to load or run it, or an unexpected exit, into a reported failure.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
const protocol = { ctl: new Int32Array(workerData.buffers.ctl), error: new Uint8Array(workerData.buffers.error) };
const fail = (e) => {
  const text = e instanceof Error ? (e.stack || String(e)) : String(e);
  const { written } = new TextEncoder().encodeInto(text, protocol.error);
  Atomics.store(protocol.ctl, ${C_ERROR_LENGTH}, written || 0);
  Atomics.store(protocol.ctl, ${C_FAILED}, 1);
  Atomics.notify(protocol.ctl, ${C_DONE});
};
process.on('exit', (code) => {
  if (Atomics.load(protocol.ctl, ${C_CLOSING}) !== 1 && Atomics.load(protocol.ctl, ${C_FAILED}) !== 1)
    fail(new Error('GBDT worker thread exited unexpectedly with code ' + code));
});
try {
  if (workerData.entry.endsWith('.ts') && !require.extensions['.ts']) require(workerData.tsHook);
  require(workerData.entry).runGbdtWorker(workerData.buffers);
} catch (e) {
  fail(e);
}
`;

/** A typed array on shared memory (so a worker can see it). */
export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
}
export function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}
export function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}
export function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}
export function sharedU8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, n)));
}

/** Where the store's second half starts: the first half holds the even input rows. */
export function storeHalf(rows: number): number {
  return (rows + 1) >> 1;
}

/** A node's rows: [a0, a1) in the first half of the store and [b0, b1) in the second. */
export interface Span {
  readonly a0: number;
  readonly a1: number;
  readonly b0: number;
  readonly b1: number;
}

/** Rows in a span. */
export const spanRows = (s: Span): number => s.a1 - s.a0 + (s.b1 - s.b0);

/** The float32 matrix, labels and bin edges that `binRows` reads. */
export interface BinningInputs {
  X: Float32Array;
  y: Uint8Array;
  /** Every feature's upper edges, concatenated. */
  upper: Float64Array;
  /** Feature f's edges are upper[upperOff[f] .. upperOff[f + 1]). */
  upperOff: Int32Array;
}

export interface RunnerArrays {
  rec: Uint32Array;
  rb: number;
  width: number;
  margin: Float64Array;
  gh: Float32Array;
  /** First row of the store's second half (`storeHalf(rows)`). */
  half: number;
  off3: Int32Array;
  /** Active features of the current tree (first nFeats entries). */
  feats: Int32Array;
  histSize: number;
  /** Segment table of `applyTree` (SEGMENT_FIELDS numbers per segment). */
  seg: Float64Array;
  /** Inputs of `binRows`. @default - binRows unavailable */
  binning?: BinningInputs;
}

export interface HalfRunnerOptions {
  /** 2 starts a worker (if the arrays are shared), 1 runs everything on this thread. */
  readonly threads: number;
  /** Worker module exporting `runGbdtWorker`. @default GBDT_WORKER_ENTRY */
  readonly workerEntry?: string;
}

const emptyShared = (): SharedArrayBuffer => new SharedArrayBuffer(8);
const isShared = (x: ArrayBufferView): boolean => x.buffer instanceof SharedArrayBuffer;

export class HalfRunner {
  private readonly a: RunnerArrays;
  private readonly recB: Uint8Array;
  private readonly sb: number;
  private readonly ctl = sharedI32(CONTROL_SLOTS);
  private readonly errorBytes = sharedU8(ERROR_BYTES);
  private readonly workerHist: Float64Array;
  private readonly workerSum = sharedF64(1);
  private readonly localHist: Float64Array;
  private worker: Worker | undefined;
  private seq = 0;
  nFeats: number;

  constructor(arrays: RunnerArrays, options: HalfRunnerOptions) {
    this.a = arrays;
    this.recB = new Uint8Array(arrays.rec.buffer, arrays.rec.byteOffset, arrays.rec.byteLength);
    this.sb = arrays.rb * 4;
    this.nFeats = arrays.width;
    this.localHist = new Float64Array(arrays.histSize);
    this.workerHist = sharedF64(arrays.histSize);
    const b = arrays.binning;
    const shared =
      [arrays.rec, arrays.margin, arrays.gh, arrays.off3, arrays.feats, arrays.seg].every(isShared) &&
      (!b || [b.X, b.y, b.upper, b.upperOff].every(isShared));
    if (options.threads >= 2 && shared) {
      const buffers: WorkerBuffers = {
        ctl: this.ctl.buffer as SharedArrayBuffer,
        error: this.errorBytes.buffer as SharedArrayBuffer,
        rec: arrays.rec.buffer as SharedArrayBuffer,
        margin: arrays.margin.buffer as SharedArrayBuffer,
        gh: arrays.gh.buffer as SharedArrayBuffer,
        off3: arrays.off3.buffer as SharedArrayBuffer,
        feats: arrays.feats.buffer as SharedArrayBuffer,
        hist: this.workerHist.buffer as SharedArrayBuffer,
        sum: this.workerSum.buffer as SharedArrayBuffer,
        seg: arrays.seg.buffer as SharedArrayBuffer,
        X: (b?.X.buffer as SharedArrayBuffer | undefined) ?? emptyShared(),
        y: (b?.y.buffer as SharedArrayBuffer | undefined) ?? emptyShared(),
        upper: (b?.upper.buffer as SharedArrayBuffer | undefined) ?? emptyShared(),
        upperOff: (b?.upperOff.buffer as SharedArrayBuffer | undefined) ?? emptyShared(),
        rb: arrays.rb,
        width: arrays.width,
        half: arrays.half,
      };
      const entry = options.workerEntry ?? GBDT_WORKER_ENTRY;
      this.worker = new Worker(BOOT, {
        eval: true,
        // Not the parent's flags: tsx's ESM loader would start a hooks thread in the worker
        // (seconds of start-up); the boot script registers the lighter CommonJS hook itself.
        execArgv: [],
        // tsx is only needed (and only resolved) when the worker module is TypeScript source.
        workerData: { buffers, entry, tsHook: entry.endsWith('.ts') ? require.resolve('tsx/cjs') : '' },
      });
      this.worker.unref();
      // Failures are reported through shared memory (the event loop is blocked while training);
      // this listener only keeps an 'error' event from becoming an uncaught exception.
      this.worker.on('error', () => undefined);
    }
  }

  get parallel(): boolean {
    return this.worker !== undefined;
  }

  private post(op: number, start: number, end: number, feature = 0, bin = 0, miss = 0): void {
    const c = this.ctl;
    c[C_OP] = op;
    c[C_START] = start;
    c[C_END] = end;
    c[C_FEATURE] = feature;
    c[C_BIN] = bin;
    c[C_MISS] = miss;
    c[C_NFEATS] = this.nFeats;
    this.seq++;
    Atomics.store(c, C_SEQ, this.seq);
    Atomics.notify(c, C_SEQ);
  }

  private failure(): Error {
    return new Error(`GBDT worker thread failed: ${readWorkerFailure(this.ctl, this.errorBytes)}`);
  }

  private wait(): void {
    const c = this.ctl;
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(c, C_DONE) !== this.seq; spin++) {
      if (Atomics.load(c, C_FAILED) !== 0) break;
    }
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    while (Atomics.load(c, C_DONE) !== this.seq) {
      if (Atomics.load(c, C_FAILED) !== 0) throw this.failure();
      if (Date.now() > deadline)
        throw new Error(`GBDT worker thread did not answer within ${WORKER_TIMEOUT_MS} ms`);
      Atomics.wait(c, C_DONE, Atomics.load(c, C_DONE), 1000);
    }
  }

  private useWorker(rows: number): boolean {
    if (this.worker !== undefined && Atomics.load(this.ctl, C_FAILED) !== 0) throw this.failure();
    return this.worker !== undefined && rows >= PARALLEL_MIN_ROWS;
  }

  /** Bins every input row into the store (even input rows to the first half, odd to the second). */
  binRows(): void {
    const b = this.a.binning;
    if (!b) throw new Error('binRows needs RunnerArrays.binning');
    const { width, half } = this.a;
    const rows = b.y.length;
    this.parts(OP_BIN_ROWS, { a0: 0, a1: half, b0: half, b1: rows }, (s, e) =>
      kBinRows(b.X, b.y, width, b.upper, b.upperOff, this.recB, this.sb, s, e, half),
    );
  }

  gradients(span: Span): void {
    const a = this.a;
    this.parts(OP_GRADIENTS, span, (s, e) => kGradients(this.recB, this.sb, a.width, a.margin, a.gh, s, e));
  }

  /** Adds the tree in `arrays.seg` (nSeg segments) to the margins of `span` and computes new gradients. */
  applyTree(span: Span, nSeg: number): void {
    const a = this.a;
    this.ctl[C_NSEG] = nSeg;
    this.parts(OP_APPLY_TREE, span, (s, e) =>
      kApplyTree(this.recB, this.sb, a.width, a.margin, a.gh, s, e, a.seg, nSeg),
    );
  }

  /** Runs `op` on [a0, a1) here and [b0, b1) on the worker (or here too). */
  private parts(op: number, span: Span, run: (s: number, e: number) => void): void {
    if (this.useWorker(spanRows(span))) {
      this.post(op, span.b0, span.b1);
      run(span.a0, span.a1);
      this.wait();
    } else {
      run(span.a0, span.a1);
      run(span.b0, span.b1);
    }
  }

  /** Mean log loss of the span's rows under their margins (first half's sum + second half's). */
  logLoss(span: Span): number {
    const a = this.a;
    const part = (s: number, e: number): number => kLogLossSum(this.recB, this.sb, a.width, a.margin, s, e);
    let first: number;
    let second: number;
    if (this.useWorker(spanRows(span))) {
      this.post(OP_LOG_LOSS, span.b0, span.b1);
      first = part(span.a0, span.a1);
      this.wait();
      second = this.workerSum[0];
    } else {
      first = part(span.a0, span.a1);
      second = part(span.b0, span.b1);
    }
    return (first + second) / Math.max(1, spanRows(span));
  }

  /** target = histogram of the span's rows (first half's sums + second half's sums). */
  histogram(span: Span, target: Float64Array): void {
    const a = this.a;
    const kernel = (s: number, e: number, h: Float64Array): void =>
      kHistogram(this.recB, this.sb, a.width, a.gh, s, e, a.feats, this.nFeats, h, a.off3);
    let other: Float64Array;
    if (this.useWorker(spanRows(span))) {
      this.post(OP_HISTOGRAM, span.b0, span.b1);
      kernel(span.a0, span.a1, target);
      this.wait();
      other = this.workerHist;
    } else {
      kernel(span.a0, span.a1, target);
      kernel(span.b0, span.b1, this.localHist);
      other = this.localHist;
    }
    for (let p = 0, n = a.histSize; p < n; p++) target[p] += other[p];
  }

  /**
   * Partitions each half of the span in place into [left | right] rows; returns the children's
   * spans. Nothing crosses between the halves.
   */
  partition(span: Span, feature: number, bin: number, missingLeft: boolean): { left: Span; right: Span } {
    const { rec, rb, margin, gh } = this.a;
    const miss = missingLeft ? 1 : 0;
    const part = (s: number, e: number): number =>
      kPartition(rec, this.recB, rb, this.sb, margin, gh, s, e, feature, bin, miss);
    let la: number;
    let lb: number;
    if (this.useWorker(spanRows(span))) {
      this.post(OP_PARTITION, span.b0, span.b1, feature, bin, miss);
      la = part(span.a0, span.a1);
      this.wait();
      lb = this.ctl[C_RESULT];
    } else {
      la = part(span.a0, span.a1);
      lb = part(span.b0, span.b1);
    }
    const am = span.a0 + la;
    const bm = span.b0 + lb;
    return {
      left: { a0: span.a0, a1: am, b0: span.b0, b1: bm },
      right: { a0: am, a1: span.a1, b0: bm, b1: span.b1 },
    };
  }

  close(): void {
    if (!this.worker) return;
    Atomics.store(this.ctl, C_CLOSING, 1);
    this.post(OP_EXIT, 0, 0);
    void this.worker.terminate();
    this.worker = undefined;
  }
}
