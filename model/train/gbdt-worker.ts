/**
 * The GBDT worker thread: runs its half of every large task that HalfRunner (parallel.ts)
 * posts, with the same kernels as the main thread, on shared memory. Started through the tiny
 * boot script in parallel.ts, which reports a failure to load this module the same way as a
 * failure inside a task (worker-protocol.ts), so the main thread sees the real error at once.
 */
import { kApplyTree, kBinRows, kGradients, kHistogram, kLogLossSum, kPartition } from './kernels';
import {
  C_BIN,
  C_CLOSING,
  C_DONE,
  C_END,
  C_FEATURE,
  C_MISS,
  C_NFEATS,
  C_NSEG,
  C_OP,
  C_RESULT,
  C_SEQ,
  C_START,
  OP_APPLY_TREE,
  OP_BIN_ROWS,
  OP_EXIT,
  OP_GRADIENTS,
  OP_HISTOGRAM,
  OP_LOG_LOSS,
  OP_PARTITION,
  reportWorkerFailure,
  type WorkerBuffers,
} from './worker-protocol';

/** Spins this many polls for the next task before sleeping: tasks of one tree come back to back. */
const SPIN_POLLS = 5_000;

/** The worker's loop; returns when the main thread posts OP_EXIT. */
export function runGbdtWorker(d: WorkerBuffers): void {
  const ctl = new Int32Array(d.ctl);
  const errorBytes = new Uint8Array(d.error);
  const rec = new Uint32Array(d.rec);
  const recB = new Uint8Array(d.rec);
  const margin = new Float64Array(d.margin);
  const gh = new Float32Array(d.gh);
  const off3 = new Int32Array(d.off3);
  const feats = new Int32Array(d.feats);
  const hist = new Float64Array(d.hist);
  const sum = new Float64Array(d.sum);
  const seg = new Float64Array(d.seg);
  const X = new Float32Array(d.X);
  const y = new Uint8Array(d.y);
  const upper = new Float64Array(d.upper);
  const upperOff = new Int32Array(d.upperOff);
  const { rb, width, half } = d;
  const sb = rb * 4;
  let last = 0;
  for (;;) {
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(ctl, C_SEQ) === last; spin++);
    Atomics.wait(ctl, C_SEQ, last);
    last = Atomics.load(ctl, C_SEQ);
    const op = ctl[C_OP];
    if (op === OP_EXIT) {
      Atomics.store(ctl, C_CLOSING, 1);
      return;
    }
    const start = ctl[C_START];
    const end = ctl[C_END];
    try {
      if (op === OP_GRADIENTS) kGradients(recB, sb, width, margin, gh, start, end);
      else if (op === OP_HISTOGRAM)
        kHistogram(recB, sb, width, gh, start, end, feats, ctl[C_NFEATS], hist, off3);
      else if (op === OP_PARTITION)
        ctl[C_RESULT] = kPartition(
          rec,
          recB,
          rb,
          sb,
          margin,
          gh,
          start,
          end,
          ctl[C_FEATURE],
          ctl[C_BIN],
          ctl[C_MISS],
        );
      else if (op === OP_APPLY_TREE) kApplyTree(recB, sb, width, margin, gh, start, end, seg, ctl[C_NSEG]);
      else if (op === OP_LOG_LOSS) sum[0] = kLogLossSum(recB, sb, width, margin, start, end);
      else if (op === OP_BIN_ROWS) kBinRows(X, y, width, upper, upperOff, recB, sb, start, end, half);
      else throw new Error(`unknown GBDT worker operation ${op}`);
    } catch (e) {
      reportWorkerFailure(ctl, errorBytes, e);
      return;
    }
    Atomics.store(ctl, C_DONE, last);
    Atomics.notify(ctl, C_DONE);
  }
}
