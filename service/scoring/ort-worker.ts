/**
 * The ORT worker thread: owns a second InferenceSession of the same model and scores the large
 * runs (batch requests) so that the main thread can parse and validate the next request while
 * this one runs (the two cores overlap). Started once at boot by `WorkerScorer.start`; warm-up
 * happens here before the worker reports ready, so readiness covers it.
 *
 * Protocol (structured clone; feature and score buffers are transferred, never copied):
 *   main -> worker  { type: 'score', id, features, rows, predictionsJson }  |  { type: 'release' }
 *   worker -> main  { type: 'ready' } | { type: 'init-failed', message }
 *                   { type: 'scored', id, features, scores, predictionsJson? }
 *                   { type: 'score-failed', id, message }
 *                   { type: 'released' }
 * A message outside this protocol is a programming error: it is thrown, uncaught, and the
 * worker dies; the main side treats that as a crash (see WorkerScorer).
 *
 * Bundled mode: this module is part of server.js, and the worker runs server.js itself with
 * `workerData.role === ORT_WORKER_ROLE` (see main.ts), so the build context stays one file.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { OrtScorer, type OrtScorerOptions } from './ort-scorer';
import { predictionsJson } from './predictions-json';

export const ORT_WORKER_ROLE = 'fraud-ort-worker';

export interface OrtWorkerData {
  readonly role: typeof ORT_WORKER_ROLE;
  readonly scorer: OrtScorerOptions;
  /** Rows scored once before 'ready'; every score must be a probability in 0..1. */
  readonly warmup: { readonly features: Float32Array; readonly rows: number };
}

export type ToWorker =
  | {
      readonly type: 'score';
      readonly id: number;
      readonly features: Float32Array;
      readonly rows: number;
      /** Also format the answer's `predictions` text here, off the main thread. */
      readonly predictionsJson: boolean;
    }
  | { readonly type: 'release' };

export type FromWorker =
  | { readonly type: 'ready'; readonly warmupMs: number }
  | { readonly type: 'init-failed'; readonly message: string }
  | {
      readonly type: 'scored';
      readonly id: number;
      readonly features: Float32Array;
      readonly scores: Float32Array;
      readonly predictionsJson?: string;
    }
  | { readonly type: 'score-failed'; readonly id: number; readonly message: string }
  | { readonly type: 'released' };

/** True in a thread started by WorkerScorer (also when that thread runs the bundled server.js). */
export function isOrtWorker(): boolean {
  return !isMainThread && (workerData as Partial<OrtWorkerData> | null)?.role === ORT_WORKER_ROLE;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The worker's body. Messages are handled one at a time, in arrival order. */
export function runOrtWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runOrtWorker must run in a worker thread');
  const data = workerData as OrtWorkerData;
  const send = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

  const init = (async (): Promise<OrtScorer | undefined> => {
    try {
      const scorer = await OrtScorer.create(data.scorer);
      const t0 = performance.now();
      const scores = await scorer.scoreRows(data.warmup.features, data.warmup.rows);
      for (const p of scores) {
        if (!(p >= 0 && p <= 1)) {
          await scorer.release();
          throw new Error(`worker warm-up returned ${p}, expected a probability in 0..1`);
        }
      }
      send({ type: 'ready', warmupMs: performance.now() - t0 });
      return scorer;
    } catch (err) {
      send({ type: 'init-failed', message: messageOf(err) });
      return undefined;
    }
  })();

  // One message at a time: each run waits for the previous one (ORT runs are not reentrant here).
  let chain: Promise<unknown> = init;
  port.on('message', (msg: ToWorker) => {
    if (msg?.type !== 'score' && msg?.type !== 'release') {
      // Not recoverable: the two sides disagree on the protocol.
      throw new Error(`ort worker: unexpected message ${JSON.stringify(msg)?.slice(0, 100)}`);
    }
    chain = chain.then(async () => {
      const scorer = await init;
      if (msg.type === 'release') {
        await scorer?.release();
        send({ type: 'released' });
        return;
      }
      try {
        if (!scorer) throw new Error('ort worker has no session (initialisation failed)');
        const scores = (await scorer.scoreRows(msg.features, msg.rows)).slice(); // own buffer, transferable
        const text = msg.predictionsJson ? predictionsJson(scores) : undefined;
        send({ type: 'scored', id: msg.id, features: msg.features, scores, predictionsJson: text }, [
          msg.features.buffer as ArrayBuffer,
          scores.buffer,
        ]);
      } catch (err) {
        send({ type: 'score-failed', id: msg.id, message: messageOf(err) });
      }
    });
  });
}
