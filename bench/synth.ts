/**
 * Synth benchmark (`tsx bench/synth.ts`): wall time AND CPU time (user + sys of the whole process
 * tree) of
 * - `npm run synth`, exactly as typed (npm's own start-up included);
 * - the app alone, `node -r ./scripts/register-ts.cjs main.ts` (what `npm run synth` runs);
 * - `npx cdktf synth` (the CLI, which runs the same app as a child), the baseline;
 * each with cold caches (a fresh temp folder per run: no transformed modules, no esbuild bundles,
 * no packed build contexts) and warm ones (a repeated synth with unchanged inputs), as the median
 * and range of RUNS runs, interleaved (run i of every command, then run i + 1), so a change of the
 * machine's load hits every command alike. The 1-minute load average is sampled before every run.
 * Also: in-process module loading and build + synth, bare `node`/`tsx` starts, and a cold
 * `tsc --noEmit`. It checks that every command writes the same cdktf.out, byte for byte.
 *
 * The synth commands run in a copy of the project, so work in progress in the tree cannot change
 * the output mid-benchmark, and their caches live in a temp folder of the benchmark's own
 * (TMPDIR), so cold runs never delete the caches of other processes. CPU time is reported because the machine is often shared: under
 * load, wall time measures the queue for the cores, while CPU time stays close to the wall time of
 * a quiet machine for this single-threaded work. Target: `npm run synth` <= 2 s, warm.
 * Writes bench/results/synth.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeMachine } from './machine';

const root = path.resolve(__dirname, '..');
const TSX = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const TSC = path.join(root, 'node_modules/typescript/bin/tsc');
/** Runs per synth command and cache state (BENCH_SYNTH_RUNS overrides, e.g. 1 for a smoke run). */
const RUNS = Number(process.env.BENCH_SYNTH_RUNS ?? 5);
/** Where the synth commands run: a copy of the project, made by main(). */
let project = root;

/**
 * Copies the project (node_modules linked) into `to`: edits of the working tree while the
 * benchmark runs (other work in progress) cannot change its output between runs.
 */
function copyProject(to: string): string {
  const skip = new Set(['node_modules', 'cdktf.out', '.git', '.tmp', '__tests__', 'dist']);
  for (const name of fs.readdirSync(root)) {
    if (!skip.has(name)) fs.cpSync(path.join(root, name), path.join(to, name), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(to, 'node_modules'));
  return to;
}

interface Times {
  readonly wall: number[];
  readonly cpu: number[];
}

interface Command {
  readonly name: string;
  readonly what: string;
  readonly argv: readonly string[];
  /** Environment for run `i` writing to `outdir`. */
  readonly env: (outdir: string) => NodeJS.ProcessEnv;
  readonly target: string;
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
 * Runs a command once under bash, whose `times` builtin reports the user and sys time of every
 * waited-for descendant. Returns wall and CPU seconds. Fails on a non-zero exit unless allowed.
 */
function timeOnce(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  allowFailure = false,
  cwd = root,
): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const res = spawnSync(
    'bash',
    ['-c', '"$@" >/dev/null 2>"$BENCH_ERR"; rc=$?; times >&3; exit $rc', 'bench', ...argv],
    {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', BENCH_ERR: '/dev/null', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    },
  );
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0 && !allowFailure) throw new Error(`${argv.join(' ')} exited ${res.status}`);
  const out = String((res.output as (string | null)[])[3] ?? '');
  const children = out.trim().split('\n')[1] ?? '';
  const [user, sys] = children.trim().split(/\s+/).map(seconds);
  return { wall, cpu: (user ?? NaN) + (sys ?? NaN) };
}

/** `times` runs of each command, interleaved; `prepare` runs before every run (not timed). */
function interleaved(
  commands: readonly Command[],
  runs: number,
  outdir: (c: Command, i: number) => string,
  prepare: (c: Command, i: number) => NodeJS.ProcessEnv,
  loads: number[],
): Map<Command, Times> {
  const times = new Map(commands.map((c) => [c, { wall: [] as number[], cpu: [] as number[] }]));
  for (let i = 0; i < runs; i++) {
    for (const c of commands) {
      const env = { ...prepare(c, i), ...c.env(outdir(c, i)) };
      loads.push(os.loadavg()[0]);
      const t = timeOnce(c.argv, env, false, project);
      times.get(c)!.wall.push(t.wall);
      times.get(c)!.cpu.push(t.cpu);
    }
  }
  return times;
}

/** In-process times (after module loading), printed by a child so each run is cold. */
function inProcessSynth(runs: number, outdir: string, tmp: string): { load: number[]; synth: number[] } {
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
      cwd: project,
      env: { ...process.env, TMPDIR: tmp },
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
  const loads: number[] = [];
  const loadBefore = os.loadavg()[0];
  let same = false;
  try {
    project = copyProject(path.join(tmp, 'project'));
    const commands: Command[] = [
      {
        name: '**`npm run synth`** (as typed, npm included)',
        what: 'every stack, written to cdktf.out',
        argv: ['npm', 'run', 'synth'],
        env: (out) => ({ CDKTF_OUTDIR: out }),
        target: '<= 2 s',
      },
      {
        name: 'the app alone: `node -r ./scripts/register-ts.cjs main.ts`',
        what: 'what `npm run synth` runs',
        argv: [process.execPath, '-r', './scripts/register-ts.cjs', 'main.ts'],
        env: (out) => ({ CDKTF_OUTDIR: out }),
        target: '-',
      },
      {
        name: 'baseline: `npx cdktf synth`',
        what: 'the CLI + the same app',
        argv: ['npx', 'cdktf', 'synth', '--output'],
        env: () => ({}),
        target: '-',
      },
    ];
    const out = (phase: string) => (c: Command, i: number) =>
      path.join(tmp, `${phase}-${commands.indexOf(c)}-${i}`);
    // cdktf synth takes the output folder as an argument; the others read CDKTF_OUTDIR.
    const withOutput = (phase: string): Command[] =>
      commands.map((c) => (c.argv[0] === 'npx' ? { ...c, argv: [...c.argv, out(phase)(c, -1)] } : c));

    console.error(`cold caches: a fresh temp folder for every run (${RUNS} runs each, interleaved)`);
    const coldCommands = withOutput('cold');
    const cold = interleaved(
      coldCommands,
      RUNS,
      out('cold'),
      (c, i) => {
        const fresh = path.join(tmp, `tmp-cold-${coldCommands.indexOf(c)}-${i}`);
        fs.mkdirSync(fresh, { recursive: true });
        return { TMPDIR: fresh };
      },
      loads,
    );

    console.error('warm caches: one temp folder, primed by one untimed run');
    const warmTmp = path.join(tmp, 'tmp-warm');
    fs.mkdirSync(warmTmp);
    timeOnce(
      [process.execPath, '-r', './scripts/register-ts.cjs', 'main.ts'],
      { TMPDIR: warmTmp, CDKTF_OUTDIR: path.join(tmp, 'prime') },
      false,
      project,
    );
    // A cached file is trusted by its stat only once it is 2 s old (stacks/file-digests.ts).
    spawnSync('sleep', ['2.5']);
    const warmCommands = withOutput('warm');
    const warm = interleaved(warmCommands, RUNS, out('warm'), () => ({ TMPDIR: warmTmp }), loads);

    const outputs = [
      ...coldCommands.map((c) => (c.argv[0] === 'npx' ? c.argv.at(-1)! : out('cold')(c, 0))),
      ...warmCommands.map((c) => (c.argv[0] === 'npx' ? c.argv.at(-1)! : out('warm')(c, RUNS - 1))),
    ];
    same = outputs.every((o) => sameTree(o, outputs[0]));

    console.error('baseline: node / tsx start');
    const nodeStart = interleaved(
      [{ name: 'node', what: '', argv: [process.execPath, '-e', ''], env: () => ({}), target: '-' }],
      RUNS,
      () => '',
      () => ({}),
      loads,
    );
    const tsxStart = interleaved(
      [{ name: 'tsx', what: '', argv: [process.execPath, TSX, '-e', ''], env: () => ({}), target: '-' }],
      3,
      () => '',
      () => ({}),
      loads,
    );
    console.error('in-process: module loading, build + synth (warm caches)');
    const inproc = inProcessSynth(3, path.join(tmp, 'inproc'), warmTmp);
    console.error('tsc --noEmit (cold, no incremental cache)');
    // Type errors (e.g. another change in progress) still take the full check: time it anyway.
    const tsc: Times = { wall: [], cpu: [] };
    for (let i = 0; i < 3; i++) {
      loads.push(os.loadavg()[0]);
      const t = timeOnce(
        [process.execPath, TSC, '--noEmit', '-p', 'tsconfig.json', '--incremental', 'false'],
        {},
        true,
      );
      tsc.wall.push(t.wall);
      tsc.cpu.push(t.cpu);
    }

    const wallOnly = (xs: number[]): Times => ({ wall: xs, cpu: [] });
    const only = (m: Map<Command, Times>): Times => [...m.values()][0];
    rows.push(
      ['baseline: `node -e ""`', 'start of a bare node', only(nodeStart), '-'],
      ['baseline: `tsx -e ""`', 'start of node + tsx loader', only(tsxStart), '-'],
      ...warmCommands.map(
        (c): Row => [`${c.name}, warm`, `${c.what}; caches from an earlier synth`, warm.get(c)!, c.target],
      ),
      ...coldCommands.map((c): Row => [`${c.name}, cold`, `${c.what}; empty caches`, cold.get(c)!, '-']),
      [
        '  in the app: module loading',
        'cdktf + provider lib/* + constructs (warm)',
        wallOnly(inproc.load),
        '-',
      ],
      ['  in the app: build + synth', 'buildApp() + app.synth() (warm)', wallOnly(inproc.synth), '-'],
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
    `Machine: ${describeMachine()}. Command: \`npx tsx bench/synth.ts\` (${RUNS} runs of each synth command,`,
    'interleaved, cold and warm caches separately; 3 of tsx, in-process and tsc). Load average',
    `(1 min): ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, ` +
      `${s(Math.min(...loads))}–${s(Math.max(...loads))} sampled before each run, on ${os.cpus().length} cores.`,
    'Under load the wall times measure the wait for a core; CPU time (user + sys of the process tree)',
    'is then the better estimate of a quiet machine. The baselines were measured in the same run.',
    '',
    'Cold: a fresh temp folder per run (no transformed modules, esbuild bundles or packed contexts).',
    'Warm: a repeated synth with unchanged inputs. The synth commands run in a copy of the project',
    '(node_modules linked), so edits of the working tree meanwhile cannot change their output.',
    '',
    `Same cdktf.out from every command, cold and warm (every file byte for byte): ${same ? 'yes' : 'NO'}.`,
    '',
    ...table,
    '',
  ].join('\n');
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/synth.md'), md);
  console.log(md);
}

main();
