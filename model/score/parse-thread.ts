/**
 * The main-thread side of the parse worker (parse-worker.ts): post chunks of whole lines, get
 * their parsed rows back in the same order. A worker that fails rejects every chunk in flight
 * with its own error, at once.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParsedChunk, ParseWorkerData } from './parse-worker';

/** From source (tsx, jest) the TypeScript entry is loaded through tsx's require hook. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  return {
    file: path.join(__dirname, `parse-worker-entry${ts ? '.ts' : '.js'}`),
    execArgv: ts ? ['--require', require.resolve('tsx/cjs')] : [],
  };
}

export class ParseThread {
  private readonly worker: Worker;
  private readonly queue: { resolve(c: ParsedChunk): void; reject(e: Error): void }[] = [];
  private failure?: Error;

  constructor(data: Omit<ParseWorkerData, 'role'>) {
    const { file, execArgv } = workerEntry();
    this.worker = new Worker(file, { workerData: { role: 'score-parse', ...data }, execArgv });
    this.worker.on('message', (chunk: ParsedChunk) => this.queue.shift()?.resolve(chunk));
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const p of this.queue.splice(0)) p.reject(err);
    };
    this.worker.on('error', (err) => fail(new Error(`batch scoring parse thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`batch scoring parse thread exited (code ${code})`)));
  }

  /** Chunks in flight (posted, not answered). */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Parses `text` (whole lines, in file order after the previous chunk). */
  parse(text: string): Promise<ParsedChunk> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<ParsedChunk>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.worker.postMessage({ text });
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
