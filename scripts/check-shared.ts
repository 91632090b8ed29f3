/**
 * `npm run check:shared`: the vendored copies of the team's reference files are byte-identical
 * to `../shared`. The tests always use the vendored copies; this check is its own explicit step
 * (.ci/run calls it when ../shared exists, as on the team's machines and CI; GitHub Actions has
 * no ../shared). Exits 0 when every pair matches, 1 naming each file that differs or is missing,
 * 2 when ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Vendored file (relative to the project) -> its reference copy (relative to ../shared). */
export const VENDORED_COPIES: Readonly<Record<string, string>> = {
  'schemas/azure-api/machinelearningservices-2026-05-01.azapi-types.json':
    'azure-api/machinelearningservices-2026-05-01.azapi-types.json',
  '__tests__/fixtures/original_txs.csv': 'reference/original_txs.csv',
};

/** Problems (one line each) comparing every vendored copy under `root` with `sharedDir`. */
export function sharedCopyProblems(
  root: string,
  sharedDir: string,
  copies: Readonly<Record<string, string>> = VENDORED_COPIES,
): string[] {
  const problems: string[] = [];
  for (const [vendored, reference] of Object.entries(copies)) {
    const ours = path.join(root, vendored);
    const theirs = path.join(sharedDir, reference);
    if (!existsSync(ours)) problems.push(`${vendored}: the vendored copy is missing`);
    else if (!existsSync(theirs)) problems.push(`${vendored}: no reference copy at ${theirs}`);
    else if (!readFileSync(ours).equals(readFileSync(theirs))) {
      problems.push(`${vendored}: differs from ${theirs}; copy the reference file over it`);
    }
  }
  return problems;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const sharedDir = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared'));
  if (!existsSync(sharedDir)) {
    console.error(`check:shared: no reference folder at ${sharedDir}`);
    process.exitCode = 2;
  } else {
    const problems = sharedCopyProblems(root, sharedDir);
    for (const p of problems) console.error(`check:shared: ${p}`);
    if (problems.length === 0) {
      console.log(`check:shared: ${Object.keys(VENDORED_COPIES).length} vendored copies match ${sharedDir}`);
    }
    process.exitCode = problems.length === 0 ? 0 : 1;
  }
}
