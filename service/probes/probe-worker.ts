/**
 * The probe thread: a tiny HTTP server on its own port (PROBE_PORT) in a worker thread, serving
 * GET /health/live, /health/ready and /health from a few shared integers. It has its own event
 * loop, listening socket and accept queue, so probes answer in well under a millisecond of work
 * however saturated /score is, and a connection flood on the scoring port (up to its
 * MAX_CONNECTIONS cap) cannot crowd them out (issue 9 C). Azure ML lets each custom-container
 * route have its own port (inferenceConfig livenessRoute/readinessRoute `port`).
 *
 * Liveness is not blind: the main thread beats a heartbeat into shared memory (see
 * probe-server.ts); a heartbeat older than `stallMs` answers 503 `stalled`, so a wedged main
 * event loop still fails liveness and the platform restarts the container.
 *
 * Bundled mode: like the ORT worker, this thread runs server.js itself with
 * `workerData.role === PROBE_WORKER_ROLE` (see main.ts).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export const PROBE_WORKER_ROLE = 'fraud-probe-worker';

/** Int32 slots of the shared buffer. */
export const SLOT_PHASE = 0;
export const SLOT_HEARTBEAT = 1;
export const SHARED_SLOTS = 2;
/** Serving phases as integers (ServingPhase order). */
export const PHASES = ['loading', 'ready', 'draining', 'failed'] as const;
/** Heartbeat unit and wrap: ticks of 100 ms modulo 2^30 (fits an Int32, wraps after ~3 years). */
export const HEARTBEAT_TICK_MS = 100;
export const HEARTBEAT_WRAP = 2 ** 30;

/**
 * Nice value asked for the probe thread. On Linux the nice value is per thread and
 * `os.setPriority(n)` (pid 0) changes only the calling thread, so the probe thread alone gets
 * a larger CPU weight: on a saturated host it is scheduled ahead of the scoring threads and of
 * other processes when a probe arrives. Raising a priority needs CAP_SYS_NICE (root); as the
 * image's non-root user the call fails and the thread keeps the default weight.
 */
export const PROBE_THREAD_NICE = -10;

export const heartbeatNow = (): number => Math.floor(Date.now() / HEARTBEAT_TICK_MS) % HEARTBEAT_WRAP;

export interface ProbeWorkerData {
  readonly role: typeof PROBE_WORKER_ROLE;
  readonly host: string;
  readonly port: number;
  readonly shared: SharedArrayBuffer;
  /** Liveness fails when the main thread's heartbeat is older than this. */
  readonly stallMs: number;
}

export type ToProbeWorker = { readonly type: 'model'; readonly ref: string } | { readonly type: 'close' };
export type FromProbeWorker =
  | { readonly type: 'listening'; readonly port: number; readonly nice: number }
  | { readonly type: 'listen-failed'; readonly message: string }
  | { readonly type: 'closed' };

export function isProbeWorker(): boolean {
  return !isMainThread && (workerData as Partial<ProbeWorkerData> | null)?.role === PROBE_WORKER_ROLE;
}

export function runProbeWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runProbeWorker must run in a worker thread');
  const data = workerData as ProbeWorkerData;
  const shared = new Int32Array(data.shared);
  let modelRef: string | undefined;
  let nice = 0;
  try {
    os.setPriority(PROBE_THREAD_NICE);
    nice = PROBE_THREAD_NICE;
  } catch {
    nice = os.getPriority(); // not permitted (non-root): the default weight
  }

  const send = (res: http.ServerResponse, status: number, body: Record<string, unknown>): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(status === 503 ? { 'retry-after': '1' } : {}),
    });
    res.end(text);
  };
  const server = http.createServer({ requireHostHeader: false, keepAliveTimeout: 5000 }, (req, res) => {
    const phase = PHASES[Atomics.load(shared, SLOT_PHASE)] ?? 'failed';
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed; use GET` });
      return;
    }
    if (path === '/health/live') {
      const age =
        ((heartbeatNow() - Atomics.load(shared, SLOT_HEARTBEAT) + HEARTBEAT_WRAP) % HEARTBEAT_WRAP) *
        HEARTBEAT_TICK_MS;
      if (age > data.stallMs) send(res, 503, { status: 'stalled', stalledMs: age });
      else send(res, 200, { status: 'alive' });
    } else if (path === '/health/ready') {
      if (phase === 'ready') send(res, 200, { status: 'ready', model: modelRef });
      else send(res, 503, { status: phase });
    } else if (path === '/health') {
      if (phase === 'ready') send(res, 200, { status: 'healthy' });
      else send(res, 503, { status: phase });
    } else {
      send(res, 404, { error: 'not_found', message: 'probe port: GET /health/live, /health/ready, /health' });
    }
  });
  // Malformed probe traffic still gets a JSON answer (or a closed socket), never Node's default.
  server.on('clientError', (_err, socket) => {
    if (!socket.writable) return void socket.destroy();
    const body = '{"error":"invalid_request","message":"malformed HTTP request"}';
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.once('error', (err) => port.postMessage({ type: 'listen-failed', message: err.message }));
  server.listen(data.port, data.host, () => {
    const msg: FromProbeWorker = { type: 'listening', port: (server.address() as AddressInfo).port, nice };
    port.postMessage(msg);
  });
  port.on('message', (msg: ToProbeWorker) => {
    if (msg.type === 'model') modelRef = msg.ref;
    else if (msg.type === 'close') {
      server.closeAllConnections();
      server.close(() => port.postMessage({ type: 'closed' } satisfies FromProbeWorker));
    }
  });
}
