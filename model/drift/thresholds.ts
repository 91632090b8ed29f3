/**
 * When a feature counts as drifted. One place validates these settings (`resolveDriftThresholds`);
 * the CLI flags and any caller go through it.
 */

export interface DriftThresholds {
  /**
   * A KS (numeric features, scores) or chi-square (categoricals) p-value below this flags drift.
   * @default 0.1 (the original's rule)
   */
  readonly pValue?: number;
  /**
   * A PSI at or above this also flags drift; 0 turns the PSI rule off (PSI is still reported).
   * @default 0.25 (the customary "significant shift" level)
   */
  readonly psi?: number;
  /**
   * Correction of the p-value threshold for testing many features at once: 'bonferroni' divides
   * it by the number of tests.
   * @default 'none' (the original's per-feature rule)
   */
  readonly correction?: 'none' | 'bonferroni';
  /** Fewer current rows than this is an error (exit 2), not a verdict. @default 100 */
  readonly minRows?: number;
}

export type ResolvedDriftThresholds = Required<DriftThresholds>;

export const DEFAULT_DRIFT_THRESHOLDS: ResolvedDriftThresholds = {
  pValue: 0.1,
  psi: 0.25,
  correction: 'none',
  minRows: 100,
};

/** Fills defaults and throws one error naming every bad setting. */
export function resolveDriftThresholds(t: DriftThresholds = {}): ResolvedDriftThresholds {
  const r: ResolvedDriftThresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...stripUndefined(t) };
  const problems: string[] = [];
  if (!(r.pValue > 0 && r.pValue < 1)) problems.push(`pValue must be in (0, 1), got ${r.pValue}`);
  if (!(r.psi >= 0 && Number.isFinite(r.psi))) problems.push(`psi must be a number >= 0, got ${r.psi}`);
  if (r.correction !== 'none' && r.correction !== 'bonferroni') {
    problems.push(`correction must be one of none, bonferroni, got '${String(r.correction)}'`);
  }
  if (!(Number.isInteger(r.minRows) && r.minRows >= 1)) {
    problems.push(`minRows must be an integer >= 1, got ${r.minRows}`);
  }
  if (problems.length > 0) throw new Error(`invalid drift thresholds: ${problems.join('; ')}`);
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
