/**
 * When a canary is promoted, held or rolled back. The defaults follow the original's alert
 * levels where one exists (error rate 5 %); `resolveCanaryThresholds` is the one place these
 * are validated (stacks/canary-settings.ts feeds environment overrides through it).
 */
export interface CanaryThresholds {
  /** Fewer requests than this on either side: verdict hold, "not enough data". @default 200 */
  readonly minRequests?: number;
  /** One-sided two-proportion test: canary error rate above stable's with p below this rolls back. @default 0.05 */
  readonly errorRatePValue?: number;
  /** ...but only when the error rates differ by at least this much (absolute). @default 0.01 */
  readonly minErrorRateIncrease?: number;
  /** A canary error rate above this rolls back regardless of the stable one (the alert's level). @default 0.05 */
  readonly maxErrorRate?: number;
  /** Canary p95 latency / stable p95 above this holds. @default 1.2 */
  readonly holdLatencyRatio?: number;
  /** ...and above this rolls back. @default 1.5 */
  readonly maxLatencyRatio?: number;
  /** Score distributions (KS) count as different when p is below this. @default 0.01 */
  readonly scorePValue?: number;
  /** A significant KS statistic at or above this holds (expected for a new model, but look). @default 0.1 */
  readonly holdScoreShift?: number;
  /** A significant KS statistic at or above this rolls back. @default 0.25 */
  readonly maxScoreShift?: number;
}

export type ResolvedCanaryThresholds = Required<CanaryThresholds>;

export const DEFAULT_CANARY_THRESHOLDS: ResolvedCanaryThresholds = {
  minRequests: 200,
  errorRatePValue: 0.05,
  minErrorRateIncrease: 0.01,
  maxErrorRate: 0.05,
  holdLatencyRatio: 1.2,
  maxLatencyRatio: 1.5,
  scorePValue: 0.01,
  holdScoreShift: 0.1,
  maxScoreShift: 0.25,
};

/** Problems with the settings, each naming `at`.field, the value and the rule (empty when fine). */
export function canaryThresholdProblems(at: string, t: CanaryThresholds | undefined): string[] {
  if (t === undefined) return [];
  const problems: string[] = [];
  const r = { ...DEFAULT_CANARY_THRESHOLDS, ...definedOnly(t) };
  const unit = (k: keyof CanaryThresholds): void => {
    const v = r[k];
    if (!(typeof v === 'number' && v > 0 && v < 1))
      problems.push(`${at}.${k} = ${String(v)}: must be a number in (0, 1)`);
  };
  const known = Object.keys(DEFAULT_CANARY_THRESHOLDS);
  for (const k of Object.keys(t))
    if (!known.includes(k)) problems.push(`${at}.${k}: unknown setting; use one of ${known.join(', ')}`);
  if (!(Number.isInteger(r.minRequests) && r.minRequests >= 1)) {
    problems.push(`${at}.minRequests = ${String(r.minRequests)}: must be an integer >= 1`);
  }
  (
    [
      'errorRatePValue',
      'minErrorRateIncrease',
      'maxErrorRate',
      'scorePValue',
      'holdScoreShift',
      'maxScoreShift',
    ] as const
  ).forEach(unit);
  if (!(r.holdLatencyRatio >= 1))
    problems.push(`${at}.holdLatencyRatio = ${String(r.holdLatencyRatio)}: must be a number >= 1`);
  if (!(r.maxLatencyRatio >= r.holdLatencyRatio)) {
    problems.push(
      `${at}.maxLatencyRatio = ${String(r.maxLatencyRatio)}: must be >= holdLatencyRatio (${String(r.holdLatencyRatio)})`,
    );
  }
  if (r.maxScoreShift < r.holdScoreShift) {
    problems.push(
      `${at}.maxScoreShift = ${String(r.maxScoreShift)}: must be >= holdScoreShift (${String(r.holdScoreShift)})`,
    );
  }
  return problems;
}

/** Fills defaults; throws one error listing every problem. */
export function resolveCanaryThresholds(
  t: CanaryThresholds | undefined,
  at = 'canary',
): ResolvedCanaryThresholds {
  const problems = canaryThresholdProblems(at, t);
  if (problems.length > 0) throw new Error(`invalid canary thresholds: ${problems.join('; ')}`);
  return { ...DEFAULT_CANARY_THRESHOLDS, ...definedOnly(t ?? {}) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
