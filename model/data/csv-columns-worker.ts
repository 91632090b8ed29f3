/**
 * The second thread of `readTransactionColumns` (csv-columns.ts): chunks of whole lines in (as
 * transferred bytes), parsed columns out, in the same order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseColumnsChunk, type ColumnsWorkerData } from './csv-columns';

const port = parentPort;
if (!port) throw new Error('csv-columns-worker must run in a worker thread');
const d = workerData as ColumnsWorkerData;
port.on('message', (bytes: Uint8Array) => {
  const parsed = parseColumnsChunk(d.header, bytes, d.maxErrors);
  const { num, cat, labels, probs } = parsed.data;
  // The arrays are this thread's own copies (TransactionColumns.toData): moved, not cloned.
  const moved = [num, cat, labels, ...(probs ? [probs] : [])].map((a) => a.buffer as ArrayBuffer);
  port.postMessage(parsed, moved);
});
