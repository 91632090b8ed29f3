/**
 * Benchmarks for the rollout/serving area (not tests): the `rollout status` PR check and the
 * synth-time scoring-image packing. Writes bench/results/rollout.md with medians of repeated
 * runs, each next to a baseline measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tarGzDirectory } from '../constructs/serving/scoring-image-context';
import { diffRollout } from '../scripts/rollout-diff';
import { evaluateRolloutSource } from '../scripts/rollout-load';
import { bundleServiceSync } from '../service/bundle';
import { describeMachine } from './machine';

const ROOT = path.resolve(__dirname, '..');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function time(runs: number, fn: () => void): number {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(out);
}

const source = readFileSync(path.join(ROOT, 'stacks/rollout.ts'), 'utf8');
const head = evaluateRolloutSource(source, 'rollout.ts');
const rows: string[][] = [];
rows.push([
  'evaluate stacks/rollout.ts (esbuild + vm sandbox)',
  time(50, () => evaluateRolloutSource(source, 'rollout.ts')).toFixed(2),
  'JSON round trip of the same data',
  time(50, () => JSON.parse(JSON.stringify(head))).toFixed(3),
]);
rows.push([
  'diffRollout, 3 environments',
  time(200, () => diffRollout(head, head, { prod: { maxCanaryStep: 25 } })).toFixed(3),
  '-',
  '-',
]);
const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
rows.push([
  '`npm run rollout -- status --base HEAD` (tsx process)',
  time(5, () =>
    execFileSync(tsx, ['scripts/rollout.ts', 'status', '--base', 'HEAD'], { cwd: ROOT, stdio: 'ignore' }),
  ).toFixed(0),
  '`git show HEAD:./stacks/rollout.ts` alone',
  time(5, () =>
    execFileSync('git', ['show', 'HEAD:./stacks/rollout.ts'], { cwd: ROOT, stdio: 'ignore' }),
  ).toFixed(0),
]);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-rollout-'));
let n = 0;
rows.push([
  'scoring image context: bundleServiceSync + deterministic tar.gz',
  time(5, () => {
    const dir = path.join(tmp, `c${n++}`);
    mkdirSync(dir);
    bundleServiceSync({ outDir: dir });
    tarGzDirectory(dir);
  }).toFixed(0),
  'bundleServiceSync alone',
  time(5, () => {
    const dir = path.join(tmp, `b${n++}`);
    mkdirSync(dir);
    bundleServiceSync({ outDir: dir });
  }).toFixed(0),
]);
rmSync(tmp, { recursive: true, force: true });

const md = [
  '## Rollout and serving (issue 5)',
  '',
  `Machine: ${describeMachine()}.`,
  'Command: `npx tsx bench/rollout.ts`. Medians in milliseconds (50, 200 or 5 runs as noted by the rows).',
  'The machine is shared and noisy; each figure sits next to a baseline measured in the same run.',
  '',
  '| Measured | Median (ms) | Baseline | Baseline median (ms) |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
];
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench/results/rollout.md'), md.join('\n'));
console.log(md.join('\n'));
