/**
 * The scikit-learn side of bench/model.ts: runs bench/sklearn_hgb.py with Debian's python3,
 * python3-sklearn and python3-pandas when they are present. Nothing is installed: when they are
 * absent, `sklearnAvailable()` says why and the bench prints a notice instead of the comparison.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'sklearn_hgb.py');

/** Versions, or the reason the comparison is skipped. */
export function sklearnAvailable(): { versions?: string; missing?: string } {
  if (!fs.existsSync(PYTHON)) return { missing: `${PYTHON} is not installed` };
  const r = spawnSync(PYTHON, [SCRIPT, 'check'], { encoding: 'utf8' });
  if (r.status !== 0) return { missing: `${PYTHON} ${SCRIPT} check failed: ${r.stderr.trim()}` };
  const out = JSON.parse(r.stdout.trim()) as Record<string, string>;
  if (out.missing) return { missing: out.missing };
  return { versions: `scikit-learn ${out.sklearn}, pandas ${out.pandas}, numpy ${out.numpy}` };
}

/** HistGradientBoostingClassifier parameters (JSON for the script). */
export type HgbParams = Record<string, number | string | boolean | number[]>;

function run<T>(args: string[], threads: number): T {
  // OMP_NUM_THREADS sizes HGB's OpenMP pool; OPENBLAS_* stay as set here (HGB does not use BLAS).
  const r = spawnSync(PYTHON, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`sklearn_hgb.py ${args[0]} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as T;
}

/** Fit only, on the feature matrix file bench/model.ts wrote. */
export function hgbFit(
  matrix: string,
  params: HgbParams,
  threads = 2,
): { fitSeconds: number; maxRssMB: number } {
  return run(['fit', matrix, String(threads), JSON.stringify(params)], threads);
}

/** pandas read_csv + the same 11 features + fit. */
export function hgbEndToEnd(
  csv: string,
  params: HgbParams,
  threads = 2,
): { totalSeconds: number; maxRssMB: number } {
  return run(['e2e', csv, JSON.stringify(params)], threads);
}

/**
 * Fit on a train matrix, ROC AUC on a test matrix. One thread by default: the model does not
 * depend on the thread count, and OpenMP's 2-thread barriers crawl on a busy machine.
 */
export function hgbQuality(
  train: string,
  test: string,
  params: HgbParams,
  threads = 1,
): { rocAuc: number; trees: number } {
  return run(['quality', train, test, JSON.stringify(params)], threads);
}
