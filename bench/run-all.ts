/**
 * `npm run bench`: runs every area benchmark (bench/<area>.ts) one after another, so they never
 * compete for the two cores, then concatenates their sections (bench/results/<area>.md) into
 * BENCHMARKS.md. Each area writes its own machine description, command and medians; this file
 * only orders and joins them. `npm run bench -- model service` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Areas in the order they run; synth first because it is the quickest. */
const AREAS = ['synth', 'rollout', 'model', 'drift', 'service', 'score', 'tests'] as const;

const root = path.resolve(__dirname, '..');

function main(argv: readonly string[]): number {
  const unknown = argv.filter((a) => !(AREAS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark area(s): ${unknown.join(', ')}; known: ${AREAS.join(', ')}`);
    return 2;
  }
  const selected = argv.length > 0 ? AREAS.filter((a) => argv.includes(a)) : [...AREAS];
  let failed = 0;
  for (const area of selected) {
    const script = path.join(root, 'bench', `${area}.ts`);
    if (!existsSync(script)) {
      console.error(`bench/${area}.ts does not exist`);
      failed++;
      continue;
    }
    console.error(`\n=== bench: ${area} ===`);
    const res = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), script], {
      cwd: root,
      stdio: 'inherit',
    });
    if (res.status !== 0) {
      console.error(`bench/${area}.ts exited with ${res.status ?? res.signal}`);
      failed++;
    }
  }
  // Always rebuild BENCHMARKS.md from every section on disk, so a partial run keeps the others.
  const sections = AREAS.map((a) => path.join(root, 'bench', 'results', `${a}.md`))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8').trim());
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run-all.ts); each section comes from `bench/<area>.ts` and names',
    'its machine, command and medians. Speed targets live here, not in unit tests: the machines are',
    'shared and noisy, so every figure is compared with a baseline measured in the same run.',
    '',
  ].join('\n');
  writeFileSync(path.join(root, 'BENCHMARKS.md'), `${header}\n${sections.join('\n\n')}\n`);
  console.error(`\nBENCHMARKS.md written (${sections.length} section(s))`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
