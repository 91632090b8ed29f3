/**
 * Runs the GBDT hot loops on two halves of a row range, the second half on a worker thread
 * when one is available. Every operation is ALWAYS decomposed into the same two halves
 * (split at `(start + end) >> 1`), whether or not a worker runs one of them, so training
 * results are bit-for-bit identical with 1 or 2 threads.
 *
 * - gradients: each half writes its own rows;
 * - histogram: each half sums into its own buffer, then main adds them (fixed order);
 * - partition: each half partitions in place into [left | right], then main swaps the two
 *   middle blocks (right1, left2) with native copies, giving [left1 left2 right1 right2].
 *
 * The worker shares every array through SharedArrayBuffer and is driven by a tiny
 * Atomics-based protocol (no message per task). Its code is the kernels' own source text.
 */
import { Worker } from 'node:worker_threads';
import { kGradients, kHistogram, kPartition } from './kernels';

/** Below this many rows a task runs both halves on the main thread (waking a worker costs ~50 us). */
export const PARALLEL_MIN_ROWS = 16_384;
const WORKER_TIMEOUT_MS = 120_000;

const OP_GRADIENTS = 1;
const OP_HISTOGRAM = 2;
const OP_PARTITION = 3;
const OP_EXIT = 4;
// Control slots.
const C_SEQ = 0;
const C_DONE = 1;
const C_OP = 2;
const C_START = 3;
const C_END = 4;
const C_FEATURE = 5;
const C_BIN = 6;
const C_MISS = 7;
const C_RESULT = 8;
const C_NFEATS = 9;
const C_ERROR = 10;

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

export interface RunnerArrays {
  rec: Uint32Array;
  rb: number;
  width: number;
  margin: Float64Array;
  gh: Float32Array;
  sRec: Uint32Array;
  sMar: Float64Array;
  sGh: Float32Array;
  off3: Int32Array;
  /** Active features of the current tree (first nFeats entries). */
  feats: Int32Array;
  histSize: number;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const kGradients = (${kGradients.toString()});
const kHistogram = (${kHistogram.toString()});
const kPartition = (${kPartition.toString()});
const d = workerData;
const ctl = new Int32Array(d.ctl);
const rec = new Uint32Array(d.rec);
const recB = new Uint8Array(d.rec);
const margin = new Float64Array(d.margin);
const gh = new Float32Array(d.gh);
const off3 = new Int32Array(d.off3);
const feats = new Int32Array(d.feats);
const hist = new Float64Array(d.hist);
const rb = d.rb, sb = d.rb * 4, width = d.width;
let last = 0;
for (;;) {
  Atomics.wait(ctl, ${C_SEQ}, last);
  last = Atomics.load(ctl, ${C_SEQ});
  const op = ctl[${C_OP}];
  if (op === ${OP_EXIT}) break;
  try {
    const start = ctl[${C_START}], end = ctl[${C_END}];
    if (op === ${OP_GRADIENTS}) kGradients(recB, sb, width, margin, gh, start, end);
    else if (op === ${OP_HISTOGRAM}) kHistogram(recB, sb, width, gh, start, end, feats, ctl[${C_NFEATS}], hist, off3);
    else if (op === ${OP_PARTITION}) ctl[${C_RESULT}] = kPartition(rec, recB, rb, sb, margin, gh, start, end, ctl[${C_FEATURE}], ctl[${C_BIN}], ctl[${C_MISS}]);
  } catch (e) {
    ctl[${C_ERROR}] = 1;
  }
  Atomics.store(ctl, ${C_DONE}, last);
  Atomics.notify(ctl, ${C_DONE});
}
`;

export class HalfRunner {
  private readonly a: RunnerArrays;
  private readonly recB: Uint8Array;
  private readonly sb: number;
  private readonly ctl = sharedI32(16);
  private readonly workerHist: Float64Array;
  private readonly localHist: Float64Array;
  private worker: Worker | undefined;
  private seq = 0;
  nFeats: number;

  /** @param threads 2 starts a worker (if the arrays are shared), 1 runs everything here. */
  constructor(arrays: RunnerArrays, threads: number) {
    this.a = arrays;
    this.recB = new Uint8Array(arrays.rec.buffer, arrays.rec.byteOffset, arrays.rec.byteLength);
    this.sb = arrays.rb * 4;
    this.nFeats = arrays.width;
    this.localHist = new Float64Array(arrays.histSize);
    this.workerHist = sharedF64(arrays.histSize);
    const shared = [arrays.rec, arrays.margin, arrays.gh, arrays.off3, arrays.feats].every(
      (x) => x.buffer instanceof SharedArrayBuffer,
    );
    if (threads >= 2 && shared) {
      try {
        this.worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: {
            ctl: this.ctl.buffer,
            rec: arrays.rec.buffer,
            margin: arrays.margin.buffer,
            gh: arrays.gh.buffer,
            off3: arrays.off3.buffer,
            feats: arrays.feats.buffer,
            hist: this.workerHist.buffer,
            rb: arrays.rb,
            width: arrays.width,
          },
        });
        this.worker.unref();
      } catch {
        this.worker = undefined; // no worker threads here: run both halves on this thread
      }
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

  private wait(): void {
    const c = this.ctl;
    // The event loop is blocked here, so a dead worker cannot be noticed through events: give up
    // after a generous limit instead of hanging (a task takes well under a second).
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    while (Atomics.load(c, C_DONE) !== this.seq) {
      if (Date.now() > deadline)
        throw new Error(`GBDT worker thread did not answer within ${WORKER_TIMEOUT_MS} ms`);
      Atomics.wait(c, C_DONE, Atomics.load(c, C_DONE), 1000);
    }
    if (c[C_ERROR] !== 0) throw new Error('GBDT worker thread failed');
  }

  private useWorker(start: number, end: number): boolean {
    return this.worker !== undefined && end - start >= PARALLEL_MIN_ROWS;
  }

  gradients(start: number, end: number): void {
    const a = this.a;
    const mid = (start + end) >> 1;
    if (this.useWorker(start, end)) {
      this.post(OP_GRADIENTS, mid, end);
      kGradients(this.recB, this.sb, a.width, a.margin, a.gh, start, mid);
      this.wait();
    } else {
      kGradients(this.recB, this.sb, a.width, a.margin, a.gh, start, mid);
      kGradients(this.recB, this.sb, a.width, a.margin, a.gh, mid, end);
    }
  }

  /** target = histogram of rows [start, end) (sum of the two halves' histograms). */
  histogram(start: number, end: number, target: Float64Array): void {
    const a = this.a;
    const mid = (start + end) >> 1;
    let other: Float64Array;
    if (this.useWorker(start, end)) {
      this.post(OP_HISTOGRAM, mid, end);
      kHistogram(this.recB, this.sb, a.width, a.gh, start, mid, a.feats, this.nFeats, target, a.off3);
      this.wait();
      other = this.workerHist;
    } else {
      kHistogram(this.recB, this.sb, a.width, a.gh, start, mid, a.feats, this.nFeats, target, a.off3);
      kHistogram(this.recB, this.sb, a.width, a.gh, mid, end, a.feats, this.nFeats, this.localHist, a.off3);
      other = this.localHist;
    }
    for (let p = 0, n = a.histSize; p < n; p++) target[p] += other[p];
  }

  /** Partition of [start, end) into left then right rows; returns the first right row. */
  partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number {
    const a = this.a;
    const { rec, rb, margin, gh } = a;
    const miss = missingLeft ? 1 : 0;
    const mid = (start + end) >> 1;
    let l1: number;
    let l2: number;
    if (this.useWorker(start, end)) {
      this.post(OP_PARTITION, mid, end, feature, bin, miss);
      l1 = kPartition(rec, this.recB, rb, this.sb, margin, gh, start, mid, feature, bin, miss);
      this.wait();
      l2 = this.ctl[C_RESULT];
    } else {
      l1 = kPartition(rec, this.recB, rb, this.sb, margin, gh, start, mid, feature, bin, miss);
      l2 = kPartition(rec, this.recB, rb, this.sb, margin, gh, mid, end, feature, bin, miss);
    }
    // [L1 R1 | L2 R2] -> [L1 L2 R1 R2] up to order inside each side: swap the first m rows of R1
    // with the last m rows of L2, m = min(|R1|, |L2|) (three native copies through scratch).
    const r1 = mid - start - l1;
    const at = start + l1;
    const m = Math.min(r1, l2);
    if (m > 0) {
      const { sRec, sMar, sGh } = a;
      const b0 = mid + l2 - m;
      sRec.set(rec.subarray(at * rb, (at + m) * rb));
      sMar.set(margin.subarray(at, at + m));
      sGh.set(gh.subarray(2 * at, 2 * (at + m)));
      rec.copyWithin(at * rb, b0 * rb, (b0 + m) * rb);
      margin.copyWithin(at, b0, b0 + m);
      gh.copyWithin(2 * at, 2 * b0, 2 * (b0 + m));
      rec.set(sRec.subarray(0, m * rb), b0 * rb);
      margin.set(sMar.subarray(0, m), b0);
      gh.set(sGh.subarray(0, 2 * m), 2 * b0);
    }
    return at + l2;
  }

  close(): void {
    if (!this.worker) return;
    this.post(OP_EXIT, 0, 0);
    void this.worker.terminate();
    this.worker = undefined;
  }
}
