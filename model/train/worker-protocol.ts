/**
 * The contract between HalfRunner (parallel.ts, main thread) and the GBDT worker thread
 * (gbdt-worker.ts): which shared buffers the worker gets, the operation codes, and the slots of
 * the Int32 control block. There is no message per task: the main thread writes the task into
 * the control block, bumps SEQ and notifies; the worker runs it on its half and stores SEQ into
 * DONE. A worker that fails writes its error into the message buffer and sets FAILED, so the
 * main thread throws that error at once instead of waiting.
 */

export const OP_GRADIENTS = 1;
export const OP_HISTOGRAM = 2;
export const OP_PARTITION = 3;
export const OP_APPLY_TREE = 4;
export const OP_BIN_ROWS = 5;
export const OP_EXIT = 6;
export const OP_LOG_LOSS = 7;

// Control block slots.
export const C_SEQ = 0;
export const C_DONE = 1;
export const C_OP = 2;
export const C_START = 3;
export const C_END = 4;
export const C_FEATURE = 5;
export const C_BIN = 6;
export const C_MISS = 7;
export const C_RESULT = 8;
export const C_NFEATS = 9;
/** 1 once the worker failed; the message buffer then holds the error (UTF-8, C_ERROR_LENGTH bytes). */
export const C_FAILED = 10;
export const C_ERROR_LENGTH = 11;
/** 1 while the main thread is shutting the worker down (its exit is then expected). */
export const C_CLOSING = 12;
export const C_NSEG = 13;
export const CONTROL_SLOTS = 16;
/** Bytes kept for the worker's error text (message and stack). */
export const ERROR_BYTES = 8192;

/** Shared buffers handed to the worker as workerData (all SharedArrayBuffer). */
export interface WorkerBuffers {
  ctl: SharedArrayBuffer;
  error: SharedArrayBuffer;
  rec: SharedArrayBuffer;
  margin: SharedArrayBuffer;
  gh: SharedArrayBuffer;
  off3: SharedArrayBuffer;
  feats: SharedArrayBuffer;
  hist: SharedArrayBuffer;
  /** One float64: the worker's sum of an OP_LOG_LOSS task. */
  sum: SharedArrayBuffer;
  seg: SharedArrayBuffer;
  /** Binning inputs: the float32 matrix, labels, flattened upper edges and their offsets. */
  X: SharedArrayBuffer;
  y: SharedArrayBuffer;
  upper: SharedArrayBuffer;
  upperOff: SharedArrayBuffer;
  /** Words per packed row. */
  rb: number;
  width: number;
  /** First row of the store's second half (parallel.ts `storeHalf`). */
  half: number;
}

/** Records a worker failure in the shared error block and wakes the main thread. */
export function reportWorkerFailure(ctl: Int32Array, errorBytes: Uint8Array, e: unknown): void {
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  const { written } = new TextEncoder().encodeInto(text, errorBytes);
  Atomics.store(ctl, C_ERROR_LENGTH, written ?? 0);
  Atomics.store(ctl, C_FAILED, 1);
  Atomics.notify(ctl, C_DONE);
}

/** The worker's error text, as reported by reportWorkerFailure. */
export function readWorkerFailure(ctl: Int32Array, errorBytes: Uint8Array): string {
  const n = Atomics.load(ctl, C_ERROR_LENGTH);
  return new TextDecoder().decode(errorBytes.slice(0, n));
}
