/**
 * The main-thread side of the parse worker (parse-worker.ts): post chunks of whole lines, get
 * their parsed rows back in the same order (model/runtime/ordered-worker.ts).
 */
import { OrderedWorker, siblingWorkerEntry } from '../runtime/ordered-worker';
import type { ChunkMessage, ParsedChunk, ParseWorkerData } from './parse-worker';

export class ParseThread {
  private readonly worker: OrderedWorker<ChunkMessage, ParsedChunk>;

  constructor(data: Omit<ParseWorkerData, 'role'>) {
    const workerData: ParseWorkerData = { role: 'score-parse', ...data };
    this.worker = new OrderedWorker(
      siblingWorkerEntry(__filename, 'parse-worker-entry'),
      workerData,
      'batch scoring parse thread',
    );
  }

  /** Parses `text` (whole lines, in file order after the previous chunk). */
  parse(text: string): Promise<ParsedChunk> {
    return this.worker.request({ text });
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
