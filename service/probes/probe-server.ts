/**
 * The main-thread side of the probe thread (probe-worker.ts): starts it on PROBE_PORT, mirrors
 * the serving phase and the model into it, and beats the heartbeat that its liveness checks.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ServingPhase } from '../scoring/serving-state';
import {
  heartbeatNow,
  HEARTBEAT_TICK_MS,
  PHASES,
  PROBE_WORKER_ROLE,
  SHARED_SLOTS,
  SLOT_HEARTBEAT,
  SLOT_PHASE,
  type FromProbeWorker,
  type ProbeWorkerData,
  type ToProbeWorker,
} from './probe-worker';

export interface ProbeServerOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** Liveness answers 503 `stalled` when the main thread has not beaten for this long. @default 10000 */
  readonly stallMs?: number;
}

/** Where the worker code is: the bundle itself (server.js), or the TypeScript entry via tsx. */
function workerEntry(): { file: string; execArgv: string[] } {
  if (!__filename.endsWith('.ts')) return { file: require.main?.filename ?? process.argv[1], execArgv: [] };
  return {
    file: path.join(__dirname, 'probe-worker-entry.ts'),
    execArgv: ['--require', require.resolve('tsx/cjs')],
  };
}

export class ProbeServer {
  private readonly shared: Int32Array;
  private readonly beat: NodeJS.Timeout;
  private closed?: Promise<void>;

  private constructor(
    private readonly thread: Worker,
    shared: SharedArrayBuffer,
    /** The probe port actually bound. */
    readonly port: number,
    /** The probe thread's nice value (PROBE_THREAD_NICE when permitted). */
    readonly nice: number,
  ) {
    this.shared = new Int32Array(shared);
    this.beat = setInterval(
      () => Atomics.store(this.shared, SLOT_HEARTBEAT, heartbeatNow()),
      HEARTBEAT_TICK_MS,
    );
    this.beat.unref();
    thread.unref();
  }

  static start(options: ProbeServerOptions): Promise<ProbeServer> {
    const shared = new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const view = new Int32Array(shared);
    Atomics.store(view, SLOT_PHASE, PHASES.indexOf('loading'));
    Atomics.store(view, SLOT_HEARTBEAT, heartbeatNow());
    const data: ProbeWorkerData = {
      role: PROBE_WORKER_ROLE,
      host: options.host,
      port: options.port,
      shared,
      stallMs: options.stallMs ?? 10_000,
    };
    const { file, execArgv } = workerEntry();
    // Small heaps: the thread holds one tiny server.
    const thread = new Worker(file, {
      workerData: data,
      execArgv,
      stdout: false,
      stderr: false,
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    return new Promise<ProbeServer>((resolve, reject) => {
      const onMessage = (msg: FromProbeWorker): void => {
        cleanup();
        if (msg.type === 'listening') resolve(new ProbeServer(thread, shared, msg.port, msg.nice));
        else {
          void thread.terminate();
          reject(
            new Error(
              `probe server failed to listen on ${options.host}:${options.port}: ${msg.type === 'listen-failed' ? msg.message : msg.type}`,
            ),
          );
        }
      };
      const onError = (err: Error): void => {
        cleanup();
        void thread.terminate();
        reject(new Error(`probe server failed to start: ${err.message}`));
      };
      const cleanup = (): void => {
        thread.off('message', onMessage);
        thread.off('error', onError);
      };
      thread.on('message', onMessage);
      thread.once('error', onError);
    });
  }

  setPhase(phase: ServingPhase): void {
    Atomics.store(this.shared, SLOT_PHASE, PHASES.indexOf(phase));
  }

  setModel(ref: string): void {
    this.thread.postMessage({ type: 'model', ref } satisfies ToProbeWorker);
  }

  /** Closes the probe port and ends the thread. Idempotent. */
  close(timeoutMs = 1000): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.beat);
      const closed = new Promise<void>((resolve) => {
        this.thread.on('message', (msg: FromProbeWorker) => msg.type === 'closed' && resolve());
        this.thread.once('exit', () => resolve());
      });
      this.thread.postMessage({ type: 'close' } satisfies ToProbeWorker);
      await Promise.race([closed, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      await this.thread.terminate();
    })();
    return this.closed;
  }
}
