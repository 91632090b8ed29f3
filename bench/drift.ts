/**
 * Benchmarks for drift statistics and canary analysis (issue 11 targets), written to
 * bench/results/drift.md:
 * - KS + PSI over 10 numeric features, 1,000,000 baseline rows against 1,000,000 current rows
 *   (target <= 2 s wall); baseline: the same statistics with the built-in typed-array sort;
 * - `npm run canary -- analyze` on 1,000,000 local request records (target <= 3 s), in process
 *   (file read + parse + statistics), next to a JSON.parse-per-line read of the same file.
 * Medians of several runs with the range; the machine is shared, so each figure sits next to a
 * baseline measured in the same run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ksAndPsi } from '../model/drift/ks-psi';
import { ks2sampSorted } from '../model/drift/ks';
import { binSortedCounts, psiFromCounts, quantileEdges } from '../model/drift/psi';
import { Rng } from '../model/data/rng';
import { runCanaryCli } from '../scripts/canary';
import { describeMachine } from './machine';

const ROOT = path.resolve(__dirname, '..');
const ROWS = 1_000_000;
const FEATURES = 10;
const RUNS = 5;

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
type Timing = { median: number; min: number; max: number; cpu: number };
/** Wall time per run, plus the median CPU time of this (single-threaded) process per run. */
async function timeRuns(runs: number, fn: () => unknown): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { ...stats(wall), cpu: stats(cpu).median };
}
const fmt = (r: Timing): string =>
  `${(r.median / 1000).toFixed(2)} (${(r.min / 1000).toFixed(2)}-${(r.max / 1000).toFixed(2)}); CPU ${(r.cpu / 1000).toFixed(2)}`;

/** Ten feature-like columns (float32, as the feature matrix holds them): shapes, ties, a shift. */
function columns(seed: number, shift: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: FEATURES }, (_, f) => {
    const col = new Float32Array(ROWS);
    for (let i = 0; i < ROWS; i += 1) {
      const z = rng.normal();
      col[i] =
        f % 3 === 0
          ? Math.exp(0.8 * z + shift) // amount-like, log-normal
          : f % 3 === 1
            ? Math.floor(rng.next() * 24 + shift * 3) // hour-like integers: heavy ties
            : z + shift; // standardised
    }
    return col;
  });
}

async function main(): Promise<void> {
  const base = columns(1, 0);
  const cur = columns(2, 0.01);
  const rows: string[] = [];

  let results: ReturnType<typeof ksAndPsi>[] = [];
  const ours = await timeRuns(RUNS, () => {
    results = base.map((b, f) => ksAndPsi(b, cur[f]));
  });
  const naive = await timeRuns(1, () => {
    base.forEach((b, f) => {
      const a = Float64Array.from(b).sort();
      const c = Float64Array.from(cur[f]).sort();
      ks2sampSorted(a, c);
      const edges = quantileEdges(a, 10);
      psiFromCounts(binSortedCounts(a, edges), binSortedCounts(c, edges));
    });
  });
  rows.push(
    `| KS + PSI, 10 numeric features, 1M baseline vs 1M current rows (ksAndPsi: radix sort + merge walk) | ${fmt(ours)} | <= 2 s | same statistics with Float64Array.prototype.sort (1 run) | ${fmt(naive)} |`,
  );
  const example = results[0];
  const method = example.ks.method;

  // 1M request records in the local sink's format, two deployments.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-canary-'));
  try {
    const telemetry = path.join(dir, 'telemetry');
    fs.mkdirSync(telemetry);
    const now = Date.now();
    const rng = new Rng(3);
    for (const [name, model, slow] of [
      ['blue', 'fraud-detection-model:1', 1],
      ['green', 'fraud-detection-model:2', 1.05],
    ] as const) {
      const lines: string[] = [];
      for (let i = 0; i < ROWS / 2; i += 1) {
        const ts = now - Math.floor(rng.next() * 3_000_000);
        if (rng.next() < 0.002) {
          lines.push(`{"type":"request","ts":${ts},"deployment":"${name}","model":"${model}","status":500}`);
        } else {
          const ms = Math.round((2 + rng.next() * 6) * slow * 1000) / 1000;
          const p = Math.round(rng.next() ** 4 * 1e6) / 1e6;
          lines.push(
            `{"type":"request","ts":${ts},"deployment":"${name}","model":"${model}","status":200,"durationMs":${ms},"scores":[${p}]}`,
          );
        }
      }
      fs.writeFileSync(path.join(telemetry, `${name}.jsonl`), `${lines.join('\n')}\n`);
    }
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'stacks'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'stacks', 'rollout.ts'),
      `export const ROLLOUT = {
  dev: { deployments: { blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS2_v2', instanceCount: 1 } }, traffic: { blue: 100 } },
  staging: { deployments: { blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 1 } }, traffic: { blue: 100 } },
  prod: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
      green: { model: 'fraud-detection-model:2', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
    },
    traffic: { blue: 90, green: 10 },
  },
};
`,
    );
    let output = '';
    let code = -1;
    const analyze = await timeRuns(RUNS, async () => {
      output = '';
      code = await runCanaryCli(['analyze', '--env', 'prod', '--window', '1h', '--telemetry', telemetry], {
        out: (t) => (output += t),
        err: (t) => (output += t),
        cwd: root,
        env: {},
      });
    });
    if (code === 2) throw new Error(`canary analyze failed: ${output}`);
    const parseAll = await timeRuns(3, () => {
      let n = 0;
      for (const f of fs.readdirSync(telemetry)) {
        for (const line of fs.readFileSync(path.join(telemetry, f), 'utf8').split('\n')) {
          if (line) n += (JSON.parse(line) as { status: number }).status > 0 ? 1 : 0;
        }
      }
      return n;
    });
    const verdict = /: (PROMOTE|HOLD|ROLL BACK)/.exec(output)?.[1] ?? '?';
    rows.push(
      `| canary analyze (runCanaryCli in process), 1M local request records in 2 files, 2 deployments | ${fmt(analyze)} | <= 3 s | reading the same files with JSON.parse per line, nothing else (3 runs) | ${fmt(parseAll)} |`,
    );
    const md = [
      '## Drift statistics and canary analysis (issue 11)',
      '',
      `Machine: ${describeMachine()}.`,
      `Command: \`npx tsx bench/drift.ts\`. Seconds: median of ${RUNS} runs (min-max) unless noted.`,
      'The machine is shared and noisy; each figure sits next to a baseline measured in the same run.',
      `Load average when the run ended: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ', ',
        )} (1, 5, 15 min) on ${os.availableParallelism()} cores. CPU = median CPU seconds of this single-threaded process per run: what the run costs without other processes competing for the cores.`,
      `KS p-values at 1M x 1M use scipy's asymptotic method (auto resolved to '${method}'). The canary verdict of the synthetic data was ${verdict}.`,
      '',
      '| Measured | Wall s: median (range); CPU s | Target (wall) | Baseline | Baseline wall s; CPU s |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ];
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/drift.md'), md.join('\n'));
    console.log(md.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
