/**
 * Synth benchmark (`tsx bench/synth.ts`): wall time AND CPU time (user + sys of the whole process
 * tree) of
 * - `npm run synth`, i.e. the app process run directly (`node -r ./scripts/register-ts.cjs main.ts`);
 * - `npx cdktf synth --quiet` (the previous `npm run synth`: the CLI, which runs the same app as a
 *   child), as the baseline measured in the same run, and the app under tsx;
 * - inside the app: module loading and buildApp() + synth;
 * - a cold `tsc --noEmit` of the whole project;
 * each the median of several runs with the range, next to bare `node` and `tsx` starts. It also
 * checks that both synth paths write the same cdktf.out (byte for byte).
 *
 * CPU time is reported because the machine is often shared: under load, wall time measures the
 * queue for the cores, while CPU time stays close to the wall time of a quiet machine for this
 * single-threaded work. Target: `npm run synth` <= 2 s on a quiet machine; type-check <= 15 s.
 * Writes bench/results/synth.md.
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

interface Times {
  readonly wall: number[];
  readonly cpu: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `0m1.234s` -> seconds. */
const seconds = (t: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/**
 * Runs a command `runs` times under bash, whose `times` builtin reports the user and sys time of
 * every waited-for descendant. Returns wall and CPU seconds. Fails on a non-zero exit unless allowed.
 */
function timeCommand(
  cmd: string,
  args: string[],
  runs: number,
  env: NodeJS.ProcessEnv = {},
  allowFailure = false,
): Times {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const res = spawnSync(
      'bash',
      ['-c', '"$@" >/dev/null 2>"$BENCH_ERR"; rc=$?; times >&3; exit $rc', 'bench', cmd, ...args],
      {
        cwd: root,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', BENCH_ERR: '/dev/null', ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    wall.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (res.status !== 0 && !allowFailure) {
      throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}`);
    }
    const out = String((res.output as (string | null)[])[3] ?? '');
    const children = out.trim().split('\n')[1] ?? '';
    const [user, sys] = children.trim().split(/\s+/).map(seconds);
    cpu.push((user ?? NaN) + (sys ?? NaN));
  }
  return { wall, cpu };
}

/** In-process times (after module loading), printed by a child so each run is cold. */
function inProcessSynth(runs: number, outdir: string): { load: number[]; synth: number[] } {
  const script = `
    const t0 = process.hrtime.bigint();
    const { buildApp } = require('./stacks/app');
    const t1 = process.hrtime.bigint();
    buildApp({ outdir: ${JSON.stringify(outdir)} }).app.synth();
    const t2 = process.hrtime.bigint();
    console.log(JSON.stringify({ load: Number(t1 - t0) / 1e9, synth: Number(t2 - t1) / 1e9 }));`;
  const load: number[] = [];
  const synth: number[] = [];
  for (let i = 0; i < runs; i++) {
    const res = spawnSync(process.execPath, ['-r', './scripts/register-ts.cjs', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`in-process synth failed: ${res.stderr.slice(-2000)}`);
    const line = res.stdout.trim().split('\n').pop() ?? '{}';
    const r = JSON.parse(line) as { load: number; synth: number };
    load.push(r.load);
    synth.push(r.synth);
  }
  return { load, synth };
}

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function sameTree(a: string, b: string): boolean {
  const ta = tree(a);
  const tb = tree(b);
  return ta.size === tb.size && [...ta].every(([k, v]) => tb.get(k)?.equals(v) === true);
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const s = (x: number): string => x.toFixed(2);
  const fmt = (xs: number[]): string => `${s(median(xs))} s (${s(Math.min(...xs))}–${s(Math.max(...xs))})`;
  type Row = [name: string, what: string, t: Times, target: string];
  const rows: Row[] = [];
  const loadBefore = os.loadavg()[0];
  let same = false;
  try {
    const n = 5;
    console.error('baseline: node / tsx start');
    const nodeStart = timeCommand(process.execPath, ['-e', ''], n);
    const tsxStart = timeCommand(process.execPath, [TSX, '-e', ''], 3);
    console.error('npm run synth: node -r scripts/register-ts.cjs main.ts');
    const app = timeCommand(process.execPath, ['-r', './scripts/register-ts.cjs', 'main.ts'], n, {
      CDKTF_OUTDIR: path.join(tmp, 'app'),
    });
    console.error('baseline: npx cdktf synth --quiet');
    const cdktf = timeCommand(CDKTF, ['synth', '--quiet', '--output', path.join(tmp, 'cdktf')], n);
    same = sameTree(path.join(tmp, 'app'), path.join(tmp, 'cdktf'));
    console.error('baseline: the app under tsx');
    const appTsx = timeCommand(process.execPath, [TSX, 'main.ts'], 3, {
      CDKTF_OUTDIR: path.join(tmp, 'tsx'),
    });
    console.error('in-process: module loading, build + synth');
    const inproc = inProcessSynth(3, path.join(tmp, 'inproc'));
    console.error('tsc --noEmit (cold, no incremental cache)');
    // Type errors (e.g. another change in progress) still take the full check: time it anyway.
    const tsc = timeCommand(
      process.execPath,
      [TSC, '--noEmit', '-p', 'tsconfig.json', '--incremental', 'false'],
      3,
      {},
      true,
    );
    const wallOnly = (xs: number[]): Times => ({ wall: xs, cpu: [] });
    rows.push(
      ['baseline: `node -e ""`', 'start of a bare node', nodeStart, '-'],
      ['baseline: `tsx -e ""`', 'start of node + tsx loader', tsxStart, '-'],
      [
        '**`npm run synth`** = `node -r ./scripts/register-ts.cjs main.ts`',
        'every stack, written to cdktf.out',
        app,
        '<= 2 s',
      ],
      ['baseline: `npx cdktf synth --quiet`', 'the old `npm run synth`: CLI + the same app', cdktf, '-'],
      ['baseline: `tsx main.ts`', 'the same app under tsx', appTsx, '-'],
      ['  in the app: module loading', 'cdktf + provider lib/* + constructs', wallOnly(inproc.load), '-'],
      ['  in the app: build + synth', 'buildApp() + app.synth()', wallOnly(inproc.synth), '-'],
      ['`tsc --noEmit -p tsconfig.json`', 'whole project, cold', tsc, '<= 15 s'],
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg()[0];
  const table = [
    '| measurement | what | wall: median (range) | CPU user+sys: median (range) | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      ([name, what, t, target]) =>
        `| ${name} | ${what} | ${fmt(t.wall)} | ${t.cpu.length ? fmt(t.cpu) : '-'} | ${target} |`,
    ),
  ];
  const md = [
    '## Synth (infrastructure)',
    '',
    `Machine: ${describeMachine()}. Command: \`tsx bench/synth.ts\` (5 runs of node, \`npm run synth\``,
    'and `cdktf synth`; 3 of the others). Load average (1 min) before/after: ' +
      `${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)} on ${os.cpus().length} cores. Under load the`,
    'wall times measure the wait for a core; CPU time (user + sys of the process tree) is then the',
    'better estimate of a quiet machine. The baselines were measured in the same run.',
    '',
    `Same cdktf.out from \`npm run synth\` and \`cdktf synth\` (every file byte for byte): ${same ? 'yes' : 'NO'}.`,
    '',
    ...table,
    '',
  ].join('\n');
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/synth.md'), md);
  console.log(md);
}

main();
