/**
 * Test-suite benchmark (`tsx bench/tests.ts`): wall time of the whole `npm test` (type-check,
 * eslint, prettier --check, jest) and of its parts, so that the "a few minutes on 2 cores" budget
 * is watched like any other target. Medians of 3 runs; writes bench/results/tests.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeMachine } from './machine';

const root = path.resolve(__dirname, '..');
const RUNS = 3;

function timeNpm(script: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'ignore' });
    if (res.status !== 0) throw new Error(`npm run ${script} failed (exit ${res.status ?? res.signal})`);
    times.push((performance.now() - t0) / 1000);
  }
  return times;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const rows: [string, string, number[]][] = [
    ['`npm run typecheck`', 'tsc --noEmit, whole project (incremental cache warm)', timeNpm('typecheck')],
    ['`npm run lint`', 'eslint, whole project', timeNpm('lint')],
    ['`npm run format:check`', 'prettier --check', timeNpm('format:check')],
    ['`npm run test:unit`', 'jest, all suites, 2 workers', timeNpm('test:unit')],
    ['`npm test`', 'all of the above in sequence', timeNpm('test')],
  ];
  const md = [
    '## Test suite',
    '',
    `Machine: ${describeMachine()}. Command: \`tsx bench/tests.ts\` (medians of ${RUNS} runs each).`,
    'Target: the whole `npm test` in a few minutes on 2 cores.',
    '',
    '| command | what | median | runs (s) |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ([cmd, what, xs]) =>
        `| ${cmd} | ${what} | ${median(xs).toFixed(1)} s | ${xs.map((x) => x.toFixed(1)).join(', ')} |`,
    ),
    '',
  ].join('\n');
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/tests.md'), md);
  console.log(md);
}

main();
