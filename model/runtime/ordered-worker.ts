/**
 * A worker thread that answers every message with exactly one message, in the order they were
 * posted: the CSV parse threads of training (model/data/csv-columns.ts) and of batch scoring
 * (model/score/parse-thread.ts). A worker that fails rejects every answer still awaited with
 * its own error, at once, and every later request too.
 */
import * as path from 'node:path';
import { Worker, type Transferable } from 'node:worker_threads';

/**
 * The worker module `<name>` beside `fromFile`, with its extension: the .ts source under tsx and
 * jest (loaded through tsx's require hook), `.js`/`.cjs` when compiled or bundled.
 */
export function siblingWorkerEntry(fromFile: string, name: string): { file: string; execArgv: string[] } {
  const ext = path.extname(fromFile) || '.js';
  return {
    file: path.join(path.dirname(fromFile), `${name}${ext}`),
    execArgv: ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [],
  };
}

export class OrderedWorker<In, Out> {
  private readonly worker: Worker;
  private readonly waiting: { resolve(answer: Out): void; reject(e: Error): void }[] = [];
  private failure?: Error;

  /** @param label names the thread in errors, e.g. "CSV parse thread" */
  constructor(entry: { file: string; execArgv: string[] }, workerData: unknown, label: string) {
    this.worker = new Worker(entry.file, { workerData, execArgv: entry.execArgv });
    this.worker.on('message', (answer: Out) => this.waiting.shift()?.resolve(answer));
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('error', (e) => fail(new Error(`${label} failed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`${label} exited (code ${code})`)));
  }

  /** Posts `message` (moving `transfer`); resolves with its answer. */
  request(message: In, transfer: readonly Transferable[] = []): Promise<Out> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message, [...transfer]);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
