/**
 * The main-thread side of the ORT worker thread (ort-worker.ts): one worker, started at boot,
 * that owns its own InferenceSession of the model and scores the runs sent to it.
 *
 * Why: ORT's run() blocks the thread that calls it. A 1,000-row batch costs about 2 ms of ORT
 * and about as much again of JSON parsing and validation, all on one core when ORT runs on the
 * main thread. With ORT here, parsing and validating request N+1 overlaps ORT of request N.
 * Small runs (micro-batched single rows) stay on the main thread: a thread hop costs more
 * than their run (see `ORT_WORKER_MIN_ROWS` in config.ts).
 *
 * Buffers are transferred both ways (no copy): the caller's feature array is detached while
 * the worker holds it, and `score` hands back the same memory with the scores.
 *
 * Crash policy: if the worker dies (an uncaught error or an unexpected exit), every run in
 * flight is rejected (the requests get a 500 with their correlation id), later runs are
 * rejected at once, and the `onCrash` listeners run: the serving state turns `failed`
 * (readiness 503) and the server drains and exits non-zero so the platform restarts the
 * container. It is not restarted in-process: a worker that died mid-run leaves the process in
 * a state we cannot vouch for, and a native fault in ORT would have ended the process anyway.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RowScorer } from './micro-batcher';
import type { OrtScorerOptions } from './ort-scorer';
import { ORT_WORKER_ROLE, type FromWorker, type OrtWorkerData, type ToWorker } from './ort-worker';

export interface WorkerScorerOptions {
  readonly scorer: OrtScorerOptions;
  /** Rows scored in the worker before it counts as ready (probabilities checked there). */
  readonly warmup: { readonly features: Float32Array; readonly rows: number };
}

/** Scores plus the caller's feature buffer, handed back after its trip to the worker. */
export interface ScoredRows {
  readonly features: Float32Array;
  readonly scores: Float32Array;
  /** The scores as the answer's `predictions` JSON text (see predictions-json.ts), when asked for. */
  readonly predictionsJson?: string;
}

export interface ScoreOptions {
  /** Also write the `predictions` JSON text, in the worker. @default false */
  readonly predictionsJson?: boolean;
}

interface Pending {
  readonly resolve: (r: ScoredRows) => void;
  readonly reject: (err: Error) => void;
}

/**
 * Where the worker code is. Bundled (server.js): the bundle itself, whose main.ts starts the
 * worker body when `workerData.role` says so. From source (tsx, jest): the TypeScript entry,
 * loaded through tsx's require hook.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  if (!__filename.endsWith('.ts')) return { file: require.main?.filename ?? process.argv[1], execArgv: [] };
  return {
    file: path.join(__dirname, 'ort-worker-entry.ts'),
    execArgv: ['--require', require.resolve('tsx/cjs')],
  };
}

/**
 * The worker's V8 heap, which holds little: the bundle's code (about 7 MB of old space), one
 * run's messages and its `predictions` text (about 20 KB per 1,000 rows). Left to Node's
 * defaults its young generation grew to 8 MB under batch load for nothing (RSS counts it;
 * issue 4's 200 MB budget). Why these are safe: 4 MB of young generation is a scavenge every
 * hundred or so 1,000-row runs; 64 MB of old generation is nine times what the worker uses, and
 * ORT's own memory (the session, its arena) is native, outside these limits. Exceeding them ends
 * the worker with ERR_WORKER_OUT_OF_MEMORY, which the crash policy above turns into a failed
 * readiness and a restart, never a silent wrong answer.
 */
const ORT_WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } as const;

export class WorkerScorer implements RowScorer {
  readonly width: number;
  /** Wall time of the worker's warm-up run (after its session was created). */
  readonly warmupMs: number;
  private readonly pending = new Map<number, Pending>();
  private readonly crashListeners: ((err: Error) => void)[] = [];
  private nextId = 1;
  private crash?: Error;
  private releasing = false;
  private released?: Promise<void>;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    /** The thread, exposed for diagnostics (threadId, resourceLimits) and fault-injection tests. */
    readonly thread: Worker,
    width: number,
    warmupMs: number,
  ) {
    this.width = width;
    this.warmupMs = warmupMs;
    thread.on('message', (msg: FromWorker) => this.onMessage(msg));
    thread.on('error', (err) => this.fail(new Error(`scoring worker crashed: ${err.message}`)));
    thread.on('exit', (code) => {
      if (!this.releasing) this.fail(new Error(`scoring worker exited unexpectedly (code ${code})`));
      else this.failPending(new Error('scoring worker stopped during shutdown'));
    });
  }

  /** Starts the worker; resolves once its session is created and warmed up. */
  static start(options: WorkerScorerOptions): Promise<WorkerScorer> {
    const { file, execArgv } = workerEntry();
    const data: OrtWorkerData = { role: ORT_WORKER_ROLE, scorer: options.scorer, warmup: options.warmup };
    const thread = new Worker(file, {
      workerData: data,
      execArgv,
      stdout: false,
      stderr: false,
      resourceLimits: ORT_WORKER_HEAP_LIMITS,
    });
    return new Promise<WorkerScorer>((resolve, reject) => {
      const onMessage = (msg: FromWorker): void => {
        cleanup();
        if (msg.type === 'ready') {
          resolve(new WorkerScorer(thread, options.scorer.width, msg.warmupMs));
          return;
        }
        void thread.terminate();
        reject(
          new Error(
            msg.type === 'init-failed'
              ? `scoring worker failed to start: ${msg.message}`
              : `scoring worker sent '${msg.type}' before 'ready'`,
          ),
        );
      };
      const onError = (err: Error): void => {
        cleanup();
        void thread.terminate();
        reject(new Error(`scoring worker failed to start: ${err.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`scoring worker exited (code ${code}) before it was ready`));
      };
      const cleanup = (): void => {
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      thread.once('message', onMessage);
      thread.once('error', onError);
      thread.once('exit', onExit);
    });
  }

  /** Runs in flight in the worker (queued there or running). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Called once if the worker crashes (not on a requested shutdown). */
  onCrash(listener: (err: Error) => void): void {
    this.crashListeners.push(listener);
  }

  /**
   * Scores `rows` rows in the worker. `features` is transferred (detached here until the
   * answer); the result holds the same memory again with the scores.
   */
  score(features: Float32Array, rows: number, options: ScoreOptions = {}): Promise<ScoredRows> {
    if (this.crash) return Promise.reject(this.crash);
    if (this.releasing) return Promise.reject(new Error('scoring worker is shut down'));
    if (features.length !== rows * this.width) {
      return Promise.reject(
        new Error(`feature buffer has ${features.length} values, expected ${rows} rows x ${this.width}`),
      );
    }
    // Transfer needs a buffer of its own; a view into a larger one is copied first.
    const own =
      features.byteOffset === 0 && features.byteLength === features.buffer.byteLength
        ? features
        : features.slice();
    const id = this.nextId++;
    return new Promise<ScoredRows>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: ToWorker = {
        type: 'score',
        id,
        features: own,
        rows,
        predictionsJson: options.predictionsJson === true,
      };
      this.thread.postMessage(msg, [own.buffer as ArrayBuffer]);
    });
  }

  /** RowScorer: scores only (the caller's `features` stays detached; use `score` to get it back). */
  async scoreRows(features: Float32Array, rows: number): Promise<Float32Array> {
    return (await this.score(features, rows)).scores;
  }

  /**
   * Shutdown: waits for the runs in flight (at most `timeoutMs`), releases the worker's
   * session, and terminates the thread. Idempotent.
   * @param timeoutMs @default 5000
   */
  release(timeoutMs = 5000): Promise<void> {
    this.released ??= this.doRelease(timeoutMs);
    return this.released;
  }

  private async doRelease(timeoutMs: number): Promise<void> {
    this.releasing = true;
    if (!this.crash) {
      const idle =
        this.pending.size === 0 ? Promise.resolve() : new Promise<void>((r) => this.idleWaiters.push(r));
      const bye = new Promise<void>((resolve) => {
        const onMessage = (msg: FromWorker): void => {
          if (msg.type === 'released') {
            this.thread.off('message', onMessage);
            resolve();
          }
        };
        this.thread.on('message', onMessage);
        this.thread.once('exit', () => resolve());
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([
        idle.then(() => this.thread.postMessage({ type: 'release' } satisfies ToWorker)).then(() => bye),
        timeout,
      ]);
      clearTimeout(timer);
    }
    await this.thread.terminate();
    this.failPending(new Error('scoring worker stopped during shutdown'));
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type !== 'scored' && msg.type !== 'score-failed') return;
    const job = this.pending.get(msg.id);
    if (!job) return;
    this.pending.delete(msg.id);
    if (msg.type === 'scored') {
      job.resolve({ features: msg.features, scores: msg.scores, predictionsJson: msg.predictionsJson });
    } else job.reject(new Error(`scoring worker: ${msg.message}`));
    if (this.pending.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private fail(err: Error): void {
    if (this.crash) return;
    this.crash = err;
    this.failPending(err);
    void this.thread.terminate();
    for (const listener of this.crashListeners) listener(err);
  }

  private failPending(err: Error): void {
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
