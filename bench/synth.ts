/**
 * Synth benchmark (`tsx bench/synth.ts`): wall time of
 * - the app process (`node -r ./scripts/register-ts.cjs main.ts`, what `cdktf synth` runs; tsx as baseline) and, inside it, the synth itself;
 * - `npx cdktf synth` end to end;
 * - a cold `tsc --noEmit` of the whole project;
 * each the median of several runs, next to a baseline measured in the same run (a bare `node`
 * and a bare `tsx` start). Writes bench/results/synth.md. Targets: app <= 1 s, cdktf synth <= 6 s,
 * type-check <= 15 s.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeMachine } from './machine';

const root = path.resolve(__dirname, '..');
const TSX = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const CDKTF = path.join(root, 'node_modules/.bin/cdktf');
const TSC = path.join(root, 'node_modules/typescript/bin/tsc');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command `runs` times; returns wall times in ms. Fails loudly on a non-zero exit. */
function timeCommand(cmd: string, args: string[], runs: number, env: NodeJS.ProcessEnv = {}): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const res = spawnSync(cmd, args, {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr.slice(-2000)}`);
    }
    times.push(ms);
  }
  return times;
}

/** In-process synth time (after module loading), printed by a child so each run is cold. */
function inProcessSynth(runs: number, outdir: string): { load: number[]; synth: number[] } {
  const script = `
    const t0 = process.hrtime.bigint();
    const { buildApp } = require('./stacks/app');
    const t1 = process.hrtime.bigint();
    buildApp({ outdir: ${JSON.stringify(outdir)} }).app.synth();
    const t2 = process.hrtime.bigint();
    console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, synth: Number(t2 - t1) / 1e6 }));`;
  const load: number[] = [];
  const synth: number[] = [];
  for (let i = 0; i < runs; i++) {
    const res = spawnSync(process.execPath, [TSX, '-e', script], { cwd: root, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`in-process synth failed: ${res.stderr.slice(-2000)}`);
    const line = res.stdout.trim().split('\n').pop() ?? '{}';
    const r = JSON.parse(line) as { load: number; synth: number };
    load.push(r.load);
    synth.push(r.synth);
  }
  return { load, synth };
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const fmt = (xs: number[]): string => `${(median(xs) / 1000).toFixed(2)} s`;
  const rows: [string, string, number[], string][] = [];
  try {
    const n = 5;
    console.error('baseline: node / tsx start');
    const nodeStart = timeCommand(process.execPath, ['-e', ''], n);
    const tsxStart = timeCommand(process.execPath, [TSX, '-e', ''], n);
    console.error('app process: node -r scripts/register-ts.cjs main.ts (what cdktf.json runs)');
    const app = timeCommand(process.execPath, ['-r', './scripts/register-ts.cjs', 'main.ts'], n, {
      CDKTF_OUTDIR: path.join(tmp, 'app'),
    });
    console.error('app process under tsx (the loader it replaced)');
    const appTsx = timeCommand(process.execPath, [TSX, 'main.ts'], n, {
      CDKTF_OUTDIR: path.join(tmp, 'tsx'),
    });
    console.error('in-process synth');
    const inproc = inProcessSynth(n, path.join(tmp, 'inproc'));
    console.error('cdktf synth');
    const cdktf = timeCommand(CDKTF, ['synth', '--quiet', '--output', path.join(tmp, 'cdktf')], 3);
    console.error('tsc --noEmit (cold, no incremental cache)');
    const tsc = timeCommand(
      process.execPath,
      [TSC, '--noEmit', '-p', 'tsconfig.json', '--incremental', 'false'],
      3,
    );
    rows.push(
      ['baseline: `node -e ""`', 'start of a bare node', nodeStart, '-'],
      ['baseline: `tsx -e ""`', 'start of node + tsx loader', tsxStart, '-'],
      [
        'app process: `node -r ./scripts/register-ts.cjs main.ts`',
        'all 3 stacks, written to disk',
        app,
        '<= 1 s',
      ],
      ['baseline: `tsx main.ts`', 'the same app under tsx', appTsx, '-'],
      ['  of which: module loading', 'cdktf + provider lib/* + constructs', inproc.load, '-'],
      ['  of which: build + synth', 'buildApp() + app.synth()', inproc.synth, '-'],
      ['`npx cdktf synth`', 'CLI wall time, incl. the app process', cdktf, '<= 6 s'],
      ['`tsc --noEmit -p tsconfig.json`', 'whole project, cold', tsc, '<= 15 s'],
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const table = [
    '| measurement | what | median | runs (s) | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      ([name, what, xs, target]) =>
        `| ${name} | ${what} | ${fmt(xs)} | ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')} | ${target} |`,
    ),
  ];
  const md = [
    '## Synth (infrastructure)',
    '',
    `Machine: ${describeMachine()}. Command: \`tsx bench/synth.ts\` (medians; the app process and`,
    'in-process synth 5 runs each, `cdktf synth` and `tsc` 3 runs each). Other work may share the cores',
    'while this runs, so treat small differences as noise; the baselines were measured in the same run.',
    '',
    ...table,
    '',
  ].join('\n');
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/synth.md'), md);
  console.log(md);
}

main();
