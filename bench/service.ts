/**
 * Scoring service benchmark (`tsx bench/service.ts`), writes bench/results/service.md.
 *
 * Everything runs against 127.0.0.1 with the load generator (autocannon, in this process) on
 * the same 2-core machine as the server, so the generator takes CPU from the server:
 * - single-row POST /score, saturated: req/s and p50/p90/p99, next to a bare Express route that
 *   parses the same JSON and answers a constant (the framework's ceiling here), measured
 *   alternately in the same run; also the service with micro-batching off (MICRO_BATCH_MAX_ROWS=1);
 * - p99 at 80 % of the sustained rate (autocannon overallRate);
 * - health-probe latency while /score is saturated;
 * - batches of 1,000 rows: rows/s through HTTP (ORT in the worker thread, the default, and ORT on
 *   the main thread, ORT_WORKER_MIN_ROWS=0) vs raw in-process ORT rows/s on the same model;
 * - the event-loop block of one ORT run() by batch size, next to the worker thread's round trip
 *   (the numbers behind the ORT_WORKER_MIN_ROWS default);
 * - process start -> ready (bundle, as in the container), RSS under load.
 * Targets (issue 4): >= 65 % of the ceiling, p99 <= 10 ms at 80 % rate, batch >= 70 % of raw ORT,
 * start -> ready <= 1 s, RSS <= 200 MB, probes <= 100 ms while saturated.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../model/data/generate';
import { featureMatrix } from '../model/features';
import { loadModelPackage } from '../model/package/loader';
import type { ScoringInput } from '../model/schema';
import { trainModelPackage } from '../model/train/api';
import { bundleServiceSync } from '../service/bundle';
import { parseScoreBody } from '../service/http/score-route';
import { OrtScorer } from '../service/scoring/ort-scorer';
import { WorkerScorer } from '../service/scoring/worker-scorer';
import { describeMachine } from './machine';

const ROOT = path.resolve(__dirname, '..');
const RUNS = 3;
const DURATION_S = 8;
const CONNECTIONS = 50;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x: number, d = 1): string => x.toFixed(d);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  url: string;
  readyMs: number;
  reportedReadyMs?: number;
  stop(): Promise<void>;
}

/** Spawns a node script and waits for its JSON 'ready' (or 'listening' for the ceiling) log line. */
function spawnNode(script: string, env: Record<string, string>, waitMsg: string): Promise<Proc> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: path.join(ROOT, 'node_modules'),
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise<Proc>((resolve, reject) => {
    let url = '';
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: { msg?: string; url?: string; processStartToReadyMs?: number };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        if (msg.msg === 'listening' && msg.url) url = msg.url;
        if (msg.msg === waitMsg) {
          resolve({
            child,
            url,
            readyMs: performance.now() - t0,
            reportedReadyMs: msg.processStartToReadyMs,
            stop: () =>
              new Promise<void>((r) => {
                child.once('exit', () => r());
                child.kill('SIGTERM');
              }),
          });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code} before '${waitMsg}'`)));
  });
}

/** The ceiling: a bare Express app that parses the same JSON and answers a constant. */
const CEILING_JS = `
const express = require('express');
const app = express();
app.set('etag', false);
app.set('x-powered-by', false);
app.post('/score', express.json({ limit: 2 * 1024 * 1024 }), (req, res) => res.json({ pred_proba: 0.5, model: 'constant:1', deployment: 'bench' }));
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', url: 'http://127.0.0.1:' + server.address().port }));
});
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(
  url: string,
  body: string,
  opts: { connections?: number; overallRate?: number; duration?: number } = {},
): Promise<LoadResult> {
  const r = await autocannon({
    url: `${url}/score`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: opts.connections ?? CONNECTIONS,
    duration: opts.duration ?? DURATION_S,
    overallRate: opts.overallRate,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** GET /health/ready every 50 ms on its own connection; returns latencies in ms. */
async function probeWhile(url: string, until: Promise<unknown>): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${url}/health/ready`, { agent }, (res) => {
          res.resume();
          res.once('end', () => resolve());
        })
        .once('error', reject);
    });
    times.push(performance.now() - t0);
    await sleep(50);
  }
  agent.destroy();
  return times;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-service-'));
  const lines: string[] = [];
  const log = (s: string): void => {
    console.error(s);
  };
  try {
    log('training the benchmark model (50,000 seeded rows)...');
    const { rows, trueProbability } = generateTransactions({ rows: 50_000, seed: 42 });
    const trained = await trainModelPackage({
      data: rows,
      trueProbability,
      outRoot: path.join(work, 'models'),
      name: 'fraud-bench',
      version: '1',
      seed: 42,
    });
    const pkg = loadModelPackage(trained.dir);
    const outDir = path.join(work, 'bundle');
    bundleServiceSync({ outDir });
    const serverJs = path.join(outDir, 'server.js');
    const ceilingJs = path.join(work, 'ceiling.js');
    fs.writeFileSync(ceilingJs, CEILING_JS);

    const single = JSON.stringify({ features: { ...rows[1], is_fraud: undefined } });
    const batchInputs = rows.slice(0, 1000).map((r) => ({ ...r, is_fraud: undefined }));
    const batch = JSON.stringify({ instances: batchInputs });

    // 1. Process start -> ready (bundle, telemetry off), 5 cold starts.
    log('start -> ready...');
    const startTimes: number[] = [];
    const reported: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const p = await spawnNode(serverJs, { MODEL_DIR: trained.dir }, 'ready');
      startTimes.push(p.readyMs);
      reported.push(p.reportedReadyMs ?? NaN);
      await p.stop();
    }

    // 2. Raw in-process ORT rows/s and run() block by batch size (same model, 1 intra-op thread).
    log('raw ORT...');
    const scorer = await OrtScorer.create({
      modelPath: pkg.onnxPath,
      inputName: pkg.manifest.input.name,
      outputName: pkg.manifest.output.name,
      width: pkg.manifest.input.featureNames.length,
      intraOpThreads: 1,
    });
    const spec = pkg.manifest.featureSpec;
    const blockBySize: Record<number, number> = {};
    for (const n of [1, 16, 64, 256, 1000]) {
      const X = featureMatrix(batchInputs.slice(0, n) as unknown as ScoringInput[], spec);
      for (let i = 0; i < 20; i += 1) await scorer.scoreRows(X, n);
      const ts: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        const t0 = performance.now();
        await scorer.scoreRows(X, n);
        ts.push(performance.now() - t0);
      }
      blockBySize[n] = median(ts);
    }
    // The same runs through the ORT worker thread: wall time of the round trip (post, run in
    // the worker, answer back), and the main thread's own share of it (post + answer handling).
    const worker = await WorkerScorer.start({
      scorer: {
        modelPath: pkg.onnxPath,
        inputName: pkg.manifest.input.name,
        outputName: pkg.manifest.output.name,
        width: pkg.manifest.input.featureNames.length,
        intraOpThreads: 1,
      },
      warmup: {
        features: featureMatrix(batchInputs.slice(0, 2) as unknown as ScoringInput[], spec),
        rows: 2,
      },
    });
    const hopBySize: Record<number, number> = {};
    for (const n of [1, 16, 64, 256, 1000]) {
      let X = featureMatrix(batchInputs.slice(0, n) as unknown as ScoringInput[], spec);
      for (let i = 0; i < 20; i += 1) X = (await worker.score(X, n)).features;
      const ts: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        const t0 = performance.now();
        X = (await worker.score(X, n)).features;
        ts.push(performance.now() - t0);
      }
      hopBySize[n] = median(ts);
    }
    await worker.release();
    // Where a 1,000-row request's CPU goes, step by step, in-process (median ms of 100).
    const stepMs = async (f: () => unknown): Promise<number> => {
      for (let i = 0; i < 10; i += 1) await f();
      const ts: number[] = [];
      for (let i = 0; i < 100; i += 1) {
        const t0 = performance.now();
        await f();
        ts.push(performance.now() - t0);
      }
      return median(ts);
    };
    const batchBytes = Buffer.from(batch);
    const parsedBatch = JSON.parse(batch) as unknown;
    const validated = parseScoreBody(parsedBatch, 1000).inputs;
    const Xb = featureMatrix(validated, spec);
    const scoresB = await scorer.scoreRows(Xb, 1000);
    const steps: [string, number][] = [
      ['UTF-8 decode of the body', await stepMs(() => batchBytes.toString('utf8'))],
      ['JSON.parse', await stepMs(() => JSON.parse(batch))],
      ['validation (model/schema)', await stepMs(() => parseScoreBody(parsedBatch, 1000))],
      ['features (model/features)', await stepMs(() => featureMatrix(validated, spec))],
      ['ORT run', await stepMs(() => scorer.scoreRows(Xb, 1000))],
      [
        'answer (round + JSON.stringify)',
        await stepMs(() =>
          JSON.stringify({ predictions: Array.from(scoresB, (p) => Number(p.toPrecision(7))) }),
        ),
      ],
    ];
    const rawRowsPerS: number[] = [];
    const X1000 = featureMatrix(batchInputs as unknown as ScoringInput[], spec);
    for (let r = 0; r < RUNS; r += 1) {
      let done = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 2000) {
        await scorer.scoreRows(X1000, 1000);
        done += 1000;
      }
      rawRowsPerS.push(done / ((performance.now() - t0) / 1000));
    }
    await scorer.release();

    // 3. Saturated single-row: ceiling, service, service without micro-batching, alternating.
    const ceiling: LoadResult[] = [];
    const service: LoadResult[] = [];
    const unbatched: LoadResult[] = [];
    const rss: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      log(`saturated run ${r + 1}/${RUNS}...`);
      const runCeiling = async (): Promise<void> => {
        const c = await spawnNode(ceilingJs, {}, 'listening');
        ceiling.push(await load(c.url, single));
        await c.stop();
      };
      const runService = async (): Promise<void> => {
        const s = await spawnNode(serverJs, { MODEL_DIR: trained.dir }, 'ready');
        const sampler = setInterval(() => rss.push(rssMb(s.child.pid as number)), 500);
        service.push(await load(s.url, single));
        clearInterval(sampler);
        await s.stop();
      };
      const runUnbatched = async (): Promise<void> => {
        const u = await spawnNode(serverJs, { MODEL_DIR: trained.dir, MICRO_BATCH_MAX_ROWS: '1' }, 'ready');
        unbatched.push(await load(u.url, single));
        await u.stop();
      };
      // Rotate the order so that no target always runs first (warm-up, background load drift).
      const order = [runCeiling, runService, runUnbatched];
      for (let k = 0; k < order.length; k += 1) await order[(k + r) % order.length]();
    }
    const serviceRps = median(service.map((x) => x.rps));

    // 4. 80 % of the sustained rate (service, and the ceiling at 80 % of its own rate as the
    //    framework's latency floor on this machine); probes while saturated; batches of 1,000.
    const ceilingAt80: LoadResult[] = [];
    const c80 = await spawnNode(ceilingJs, {}, 'listening');
    const ceilRate = median(ceiling.map((x) => x.rps));
    for (let r = 0; r < RUNS; r += 1) {
      log(`ceiling 80 % rate run ${r + 1}/${RUNS}...`);
      ceilingAt80.push(await load(c80.url, single, { overallRate: Math.round(ceilRate * 0.8) }));
    }
    await c80.stop();
    const s = await spawnNode(serverJs, { MODEL_DIR: trained.dir }, 'ready');
    const at80: LoadResult[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      log(`80 % rate run ${r + 1}/${RUNS}...`);
      at80.push(await load(s.url, single, { overallRate: Math.round(serviceRps * 0.8) }));
    }
    log('probes while saturated...');
    const saturating = load(s.url, single);
    const probes = await probeWhile(s.url, saturating);
    await saturating;
    await s.stop();
    // Batches: the default (ORT in the worker thread) and ORT on the main thread
    // (ORT_WORKER_MIN_ROWS=0, the design before the worker), alternating.
    const batchRows: number[] = [];
    const batchLat: LoadResult[] = [];
    const mainRows: number[] = [];
    const mainLat: LoadResult[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      log(`batch run ${r + 1}/${RUNS}...`);
      const runWorker = async (): Promise<void> => {
        const w = await spawnNode(serverJs, { MODEL_DIR: trained.dir }, 'ready');
        const sampler = setInterval(() => rss.push(rssMb(w.child.pid as number)), 500);
        const b = await load(w.url, batch, { connections: 4 });
        clearInterval(sampler);
        batchLat.push(b);
        batchRows.push(b.rps * 1000);
        await w.stop();
      };
      const runMain = async (): Promise<void> => {
        const m = await spawnNode(serverJs, { MODEL_DIR: trained.dir, ORT_WORKER_MIN_ROWS: '0' }, 'ready');
        const b = await load(m.url, batch, { connections: 4 });
        mainLat.push(b);
        mainRows.push(b.rps * 1000);
        await m.stop();
      };
      const order = r % 2 ? [runMain, runWorker] : [runWorker, runMain];
      for (const f of order) await f();
    }

    // Report. The hop's own cost, and the run size from which a run takes longer than the hop
    // (linear interpolation between the measured sizes).
    const hopOverhead = median([1, 16, 64, 256, 1000].map((n) => hopBySize[n] - blockBySize[n]));
    const sizes = [1, 16, 64, 256, 1000];
    let crossover = sizes[sizes.length - 1];
    for (let k = 1; k < sizes.length; k += 1) {
      const [a, b] = [sizes[k - 1], sizes[k]];
      if (blockBySize[b] >= hopOverhead) {
        const f = (hopOverhead - blockBySize[a]) / (blockBySize[b] - blockBySize[a]);
        crossover = Math.round(a + Math.max(0, Math.min(1, f)) * (b - a));
        break;
      }
    }
    const ceilRps = median(ceiling.map((x) => x.rps));
    const row = (name: string, xs: LoadResult[]): string =>
      `| ${name} | ${fmt(median(xs.map((x) => x.rps)), 0)} | ${fmt(median(xs.map((x) => x.p50)))} | ${fmt(median(xs.map((x) => x.p90)))} | ${fmt(median(xs.map((x) => x.p99)))} | ${xs.reduce((a, x) => a + x.non2xx + x.errors, 0)} |`;
    const rawRows = median(rawRowsPerS);
    const httpRows = median(batchRows);
    lines.push(
      '## Scoring service',
      '',
      `Machine: ${describeMachine()}.`,
      'Command: `npx tsx bench/service.ts` (part of `npm run bench`).',
      `Method: the bundled service (server.js, as in the image; telemetry off) and a bare Express route in child processes on 127.0.0.1; autocannon in the bench process, ${CONNECTIONS} connections, ${DURATION_S} s per run; medians of ${RUNS} runs, ceiling and service variants in rotating order in the same run. Model: the real pipeline's GBDT on 50,000 seeded rows (${trained.manifest.metrics.trees} trees, ${pkg.manifest.input.featureNames.length} features).`,
      "**Noise:** the machine was otherwise quiet, but the load generator (autocannon, in the bench process) shares the 2 cores with the server, so part of every number is the generator's CPU; the ratios (measured back to back in the same run) are the meaningful part.",
      '',
      '### Single-row POST /score, saturated',
      '',
      '| target | req/s | p50 ms | p90 ms | p99 ms | non-2xx + errors |',
      '|---|---|---|---|---|---|',
      row('bare Express, same JSON parse, constant answer (ceiling)', ceiling),
      row('scoring service (micro-batching on, default)', service),
      row('scoring service, micro-batching off (MICRO_BATCH_MAX_ROWS=1)', unbatched),
      '',
      `Service / ceiling: **${fmt((100 * serviceRps) / ceilRps)} %** (target ≥ 65 %). Micro-batching gain: ${fmt((100 * serviceRps) / median(unbatched.map((x) => x.rps)) - 100)} % more req/s than one ORT run per request.`,
      '',
      '### At 80 % of the sustained rate (autocannon overallRate)',
      '',
      '| target | offered req/s | req/s | p50 ms | p90 ms | p99 ms | non-2xx + errors |',
      '|---|---|---|---|---|---|---|',
      `| scoring service, 80 % of its saturated rate | ${Math.round(serviceRps * 0.8)} ${row('', at80).slice(3)}`,
      `| bare Express ceiling, 80 % of its own saturated rate (the framework's latency floor here) | ${Math.round(ceilRate * 0.8)} ${row('', ceilingAt80).slice(3)}`,
      '',
      "Target: p99 ≤ 10 ms for the service. The ceiling row is the same measurement for a route that does no scoring: on this machine's 2 shared cores, tail latency at 80 % load is set mostly by CPU scheduling (load generator and other processes) rather than by the route's work.",
      '',
      '### Health probes while /score is saturated',
      '',
      `GET /health/ready every 50 ms on its own connection during a saturating run: ${probes.length} probes, p50 ${fmt(pct(probes, 50))} ms, p99 ${fmt(pct(probes, 99))} ms, max ${fmt(Math.max(...probes))} ms (target ≤ 100 ms).`,
      '',
      '### Batches of 1,000 rows',
      '',
      '| path | rows/s |',
      '|---|---|',
      `| raw in-process ORT, 1,000-row tensors, 1 intra-op thread (baseline) | ${fmt(rawRows, 0)} |`,
      `| POST /score {"instances": [1,000 rows]}, 4 connections, ORT in the worker thread (default) | ${fmt(httpRows, 0)} |`,
      `| the same, ORT on the main thread (ORT_WORKER_MIN_ROWS=0, the previous design) | ${fmt(median(mainRows), 0)} |`,
      '',
      `HTTP / raw ORT: **${fmt((100 * httpRows) / rawRows)} %** with the worker thread (target ≥ 70 %), ${fmt((100 * median(mainRows)) / rawRows)} % with ORT on the main thread. Batch request p50 ${fmt(median(batchLat.map((x) => x.p50)))} ms, p99 ${fmt(median(batchLat.map((x) => x.p99)))} ms with the worker; ${fmt(median(mainLat.map((x) => x.p50)))} / ${fmt(median(mainLat.map((x) => x.p99)))} ms without.`,
      '',
      `Where one 1,000-row request's CPU goes (in-process, median of 100; body ${fmt(batchBytes.length / 1024, 0)} KB):`,
      '',
      '| step | ms |',
      '|---|---|',
      ...steps.map(([name, ms]) => `| ${name} | ${fmt(ms, 3)} |`),
      '',
      `With the worker thread, the main thread decodes, parses, validates and writes features (${fmt(steps[0][1] + steps[1][1] + steps[2][1] + steps[3][1], 2)} ms of the steps above, plus HTTP and GC) while the worker runs ORT and writes the predictions (${fmt(steps[4][1] + steps[5][1], 2)} ms) for the previous request on the other core; on one thread the steps add up to ${fmt(
        steps.reduce((a, [, ms]) => a + ms, 0),
        2,
      )} ms, which bounded the old design near ${fmt((100 * steps[4][1]) / steps.reduce((a, [, ms]) => a + ms, 0), 0)} % of raw ORT. Now the main thread is the busier side (HTTP and GC included it is close to saturated, JSON.parse alone being about 40 % of its time in a CPU profile), and the load generator needs CPU on the same 2 cores: that is what remains between the measured ratio and 100 %.`,
      '',
      '### Event-loop block of one ORT run() vs the worker thread round trip (median of 200, in-process)',
      '',
      '| rows per run | 1 | 16 | 64 | 256 | 1000 |',
      '|---|---|---|---|---|---|',
      `| ORT run() on the main thread, ms (the event loop stands still) | ${[1, 16, 64, 256, 1000].map((n) => fmt(blockBySize[n], 3)).join(' | ')} |`,
      `| round trip through the ORT worker thread, ms (transfer, run, answer; the event loop is free meanwhile) | ${[1, 16, 64, 256, 1000].map((n) => fmt(hopBySize[n], 3)).join(' | ')} |`,
      '',
      `The hop itself (round trip minus the run) costs about ${fmt(hopOverhead, 2)} ms of latency (median over the sizes); moving a run to the worker frees the main thread for as long as the run takes. So the hop pays for runs longer than the hop, here from about ${crossover} rows (interpolated); shorter ones, like the micro-batched single rows, stay on the main thread. Hence \`ORT_WORKER_MIN_ROWS\` = 128 by default.`,
      '',
      'run() is synchronous native work deferred by setImmediate, so this is how long the event loop stands still per run. The micro-batcher keeps at most one run in flight and coalesces what arrived meanwhile (default at most 256 rows, about the time shown above), so probes and request parsing get a turn between runs.',
      '',
      '### Start and memory',
      '',
      `Process start -> ready (spawn to the 'ready' log line: bundle load, main-thread ORT session and the ORT worker thread with its own session, warm-up of both; telemetry off): median ${fmt(median(startTimes), 0)} ms wall from spawn, ${fmt(median(reported), 0)} ms by process uptime (target ≤ 1 s). With APPLICATIONINSIGHTS_CONNECTION_STRING set, loading the SDK adds about 1 s (PITFALLS.md §4).`,
      `RSS under load (sampled every 500 ms during saturated and batch runs): max ${fmt(Math.max(...rss), 0)} MB, median ${fmt(median(rss), 0)} MB (target ≤ 200 MB).`,
      '',
    );
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/service.md'), `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
