/**
 * Automated canary analysis: each deployment with live or mirrored traffic is compared with the
 * stable one (the deployment with the most live traffic) over the same window, on volume, error
 * rate (one-sided two-proportion test), p95 latency (ratio) and the score distribution (KS).
 * Every canary gets one verdict (promote, hold, roll back) with its evidence and the exact next
 * edit to stacks/rollout.ts. Pure: data comes in through a CanaryDataSource (source.ts).
 */
import { ks2samp } from '../drift/ks';
import { quantile, twoProportionTest } from './stats';
import { resolveCanaryThresholds, type CanaryThresholds, type ResolvedCanaryThresholds } from './thresholds';

/** What one deployment did in the window. */
export interface DeploymentWindow {
  readonly deployment: string;
  /** `name:version` seen in its telemetry, when known. */
  readonly model?: string;
  /** Completed requests (successes and server errors). */
  readonly requests: number;
  /** Server errors (5xx). */
  readonly errors: number;
  /** Latencies (ms) of successful requests; or give `p95LatencyMs`. */
  readonly latencyMs?: ArrayLike<number>;
  /** A p95 computed at the source (e.g. by KQL). @default - from latencyMs */
  readonly p95LatencyMs?: number;
  /** Predicted probabilities (all, or a sample). */
  readonly scores?: ArrayLike<number>;
}

/** The rollout constants of one environment, as far as the analysis needs them (stacks/rollout.ts). */
export interface RolloutState {
  readonly deployments: Readonly<Record<string, { readonly model: string }>>;
  readonly traffic: Readonly<Record<string, number>>;
  readonly mirror?: Readonly<Record<string, number>>;
}

export type Verdict = 'promote' | 'hold' | 'rollback';
export type CheckName = 'volume' | 'error-rate' | 'latency-p95' | 'score-distribution';
export type CheckOutcome = 'ok' | 'hold' | 'rollback' | 'not enough data' | 'skipped';

export interface Evidence {
  readonly check: CheckName;
  readonly outcome: CheckOutcome;
  readonly detail: string;
  readonly values: Readonly<Record<string, number>>;
}

export interface NextEdit {
  /** False for hold: leave stacks/rollout.ts as it is. */
  readonly changed: boolean;
  readonly summary: string;
  readonly traffic: Record<string, number>;
  /** The mirror after the edit; undefined when the edit removes it (or there was none). */
  readonly mirror?: Record<string, number>;
  /** The edit as removed (-) and added (+) lines of the environment's block. */
  readonly diff: string[];
}

export interface CanaryVerdict {
  readonly canary: string;
  readonly stable: string;
  readonly canaryModel: string;
  readonly stableModel: string;
  /** The canary's live share and mirror share now. */
  readonly traffic: number;
  readonly mirror: number;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly evidence: Evidence[];
  readonly nextEdit: NextEdit;
}

export interface CanaryAnalysis {
  readonly environment: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly source: string;
  readonly stable?: string;
  readonly verdicts: CanaryVerdict[];
  readonly thresholds: ResolvedCanaryThresholds;
  /** 1 when any canary should be rolled back, else 0. */
  readonly exitCode: 0 | 1;
}

export interface AnalyzeOptions {
  readonly environment: string;
  readonly rollout: RolloutState;
  readonly data: ReadonlyMap<string, DeploymentWindow>;
  readonly window: { readonly start: Date; readonly end: Date };
  readonly source: string;
  /** Largest increase of a canary's live share per change. @default - unlimited (promote to 100) */
  readonly maxStep?: number;
  readonly thresholds?: CanaryThresholds;
}

/** Scores per side below which the KS check is skipped. */
const MIN_SCORES = 20;

/** The stable deployment (most live traffic; declaration order breaks ties) and the canaries. */
export function canaryRoles(rollout: RolloutState): { stable?: string; canaries: string[] } {
  const names = Object.keys(rollout.deployments);
  let stable: string | undefined;
  for (const n of names)
    if (
      (rollout.traffic[n] ?? 0) > 0 &&
      (stable === undefined || rollout.traffic[n] > rollout.traffic[stable])
    )
      stable = n;
  const canaries = names.filter(
    (n) => n !== stable && ((rollout.traffic[n] ?? 0) > 0 || (rollout.mirror?.[n] ?? 0) > 0),
  );
  return { stable, canaries };
}

export function analyzeCanaries(options: AnalyzeOptions): CanaryAnalysis {
  const t = resolveCanaryThresholds(options.thresholds);
  const { rollout } = options;
  const { stable, canaries } = canaryRoles(rollout);
  const verdicts: CanaryVerdict[] = [];
  if (stable !== undefined) {
    const empty = (deployment: string): DeploymentWindow => ({ deployment, requests: 0, errors: 0 });
    const s = options.data.get(stable) ?? empty(stable);
    for (const canary of canaries) {
      const c = options.data.get(canary) ?? empty(canary);
      const evidence = collectEvidence(c, s, t);
      const rollbacks = evidence.filter((e) => e.outcome === 'rollback');
      const lacking = evidence.find((e) => e.outcome === 'not enough data');
      const holds = evidence.filter((e) => e.outcome === 'hold');
      const verdict: Verdict =
        rollbacks.length > 0 ? 'rollback' : lacking || holds.length > 0 ? 'hold' : 'promote';
      const reason =
        verdict === 'rollback'
          ? rollbacks.map((e) => e.detail).join('; ')
          : lacking
            ? `not enough data: ${lacking.detail}`
            : verdict === 'hold'
              ? holds.map((e) => e.detail).join('; ')
              : 'every check passed';
      verdicts.push({
        canary,
        stable,
        canaryModel: rollout.deployments[canary].model,
        stableModel: rollout.deployments[stable].model,
        traffic: rollout.traffic[canary] ?? 0,
        mirror: rollout.mirror?.[canary] ?? 0,
        verdict,
        reason,
        evidence,
        nextEdit: nextEdit(options.environment, rollout, canary, stable, verdict, options.maxStep),
      });
    }
  }
  return {
    environment: options.environment,
    window: { start: options.window.start.toISOString(), end: options.window.end.toISOString() },
    source: options.source,
    ...(stable !== undefined ? { stable } : {}),
    verdicts,
    thresholds: t,
    exitCode: verdicts.some((v) => v.verdict === 'rollback') ? 1 : 0,
  };
}

function collectEvidence(c: DeploymentWindow, s: DeploymentWindow, t: ResolvedCanaryThresholds): Evidence[] {
  const evidence: Evidence[] = [];
  const volumeOk = c.requests >= t.minRequests && s.requests >= t.minRequests;
  evidence.push({
    check: 'volume',
    outcome: volumeOk ? 'ok' : 'not enough data',
    detail: `${c.deployment} ${c.requests} vs ${s.deployment} ${s.requests} requests (minimum ${t.minRequests} each)`,
    values: { canaryRequests: c.requests, stableRequests: s.requests, minRequests: t.minRequests },
  });

  if (c.requests > 0 && s.requests > 0) {
    const p = twoProportionTest(c.errors, c.requests, s.errors, s.requests);
    const increase = p.rate1 - p.rate2;
    const significant = p.pValue < t.errorRatePValue && increase >= t.minErrorRateIncrease;
    const overCeiling = p.rate1 > t.maxErrorRate && p.rate1 > p.rate2;
    const outcome: CheckOutcome = significant || overCeiling ? 'rollback' : 'ok';
    evidence.push({
      check: 'error-rate',
      outcome,
      detail: `error rate ${pct(p.rate1)} vs ${pct(p.rate2)} (one-sided p = ${p.pValue.toPrecision(3)}${overCeiling ? `, above ${pct(t.maxErrorRate)}` : ''})`,
      values: { canaryErrorRate: p.rate1, stableErrorRate: p.rate2, z: p.z, pValue: p.pValue },
    });
  } else {
    evidence.push({ check: 'error-rate', outcome: 'skipped', detail: 'no requests on one side', values: {} });
  }

  const p95c = c.p95LatencyMs ?? (c.latencyMs && c.latencyMs.length > 0 ? quantile(c.latencyMs, 0.95) : NaN);
  const p95s = s.p95LatencyMs ?? (s.latencyMs && s.latencyMs.length > 0 ? quantile(s.latencyMs, 0.95) : NaN);
  if (p95c >= 0 && p95s > 0) {
    const ratio = p95c / p95s;
    const outcome: CheckOutcome =
      ratio > t.maxLatencyRatio ? 'rollback' : ratio > t.holdLatencyRatio ? 'hold' : 'ok';
    evidence.push({
      check: 'latency-p95',
      outcome,
      detail: `p95 latency ${p95c.toFixed(1)} ms vs ${p95s.toFixed(1)} ms (ratio ${ratio.toFixed(2)}; hold above ${t.holdLatencyRatio}, roll back above ${t.maxLatencyRatio})`,
      values: { canaryP95Ms: p95c, stableP95Ms: p95s, ratio },
    });
  } else {
    evidence.push({
      check: 'latency-p95',
      outcome: 'skipped',
      detail: 'no latency data on one side',
      values: {},
    });
  }

  const nc = c.scores?.length ?? 0;
  const ns = s.scores?.length ?? 0;
  if (nc >= MIN_SCORES && ns >= MIN_SCORES && c.scores && s.scores) {
    const ks = ks2samp(c.scores, s.scores);
    const significant = ks.pValue < t.scorePValue;
    const outcome: CheckOutcome =
      significant && ks.statistic >= t.maxScoreShift
        ? 'rollback'
        : significant && ks.statistic >= t.holdScoreShift
          ? 'hold'
          : 'ok';
    evidence.push({
      check: 'score-distribution',
      outcome,
      detail: `score distribution KS D = ${ks.statistic.toFixed(3)}, p = ${ks.pValue.toPrecision(3)} over ${nc} vs ${ns} scores (hold at D >= ${t.holdScoreShift}, roll back at D >= ${t.maxScoreShift}, when p < ${t.scorePValue})`,
      values: { statistic: ks.statistic, pValue: ks.pValue, canaryScores: nc, stableScores: ns },
    });
  } else {
    evidence.push({
      check: 'score-distribution',
      outcome: 'skipped',
      detail: `too few scores (${nc} vs ${ns}, need ${MIN_SCORES} each)`,
      values: { canaryScores: nc, stableScores: ns },
    });
  }
  return evidence;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

/** The next change to the environment's traffic constants for this verdict. */
export function nextEdit(
  env: string,
  rollout: RolloutState,
  canary: string,
  stable: string,
  verdict: Verdict,
  maxStep?: number,
): NextEdit {
  const traffic: Record<string, number> = {};
  for (const name of Object.keys(rollout.deployments)) traffic[name] = rollout.traffic[name] ?? 0;
  let mirror: Record<string, number> | undefined = rollout.mirror ? { ...rollout.mirror } : undefined;
  const dropMirror = (): void => {
    if (!mirror) return;
    delete mirror[canary];
    if (Object.values(mirror).every((v) => !v)) mirror = undefined;
  };
  const share = traffic[canary];
  let summary: string;
  if (verdict === 'hold') {
    return {
      changed: false,
      summary: `hold: leave ${env} in stacks/rollout.ts as it is and analyse again later`,
      traffic,
      ...(mirror ? { mirror } : {}),
      diff: [],
    };
  }
  if (verdict === 'rollback') {
    traffic[stable] += share;
    traffic[canary] = 0;
    dropMirror();
    summary = `roll back: give ${stable} the ${canary}'s ${share} %${(rollout.mirror?.[canary] ?? 0) > 0 ? ' and stop mirroring to it' : ''} (a rollback is never step-limited); keep ${canary} declared at 0 until it is retired`;
  } else {
    const step = Math.min(maxStep ?? 100, traffic[stable]);
    traffic[canary] = share + step;
    traffic[stable] -= step;
    dropMirror();
    summary =
      traffic[stable] === 0
        ? `promote: move the last ${step} % to ${canary}; ${stable} is drained and can be retired (remove it in a separate change)`
        : `promote: move ${step} % from ${stable} to ${canary}${maxStep !== undefined ? ` (the environment's maxCanaryStep is ${maxStep})` : ''}${share === 0 ? ' and stop mirroring (a deployment with live traffic cannot be mirrored to)' : ''}`;
  }
  const before = [`    traffic: ${fmtSplit(rollout.traffic, rollout.deployments)},`];
  const after = [`    traffic: ${fmtSplit(traffic, rollout.deployments)},`];
  if (rollout.mirror) before.push(`    mirror: ${fmtSplit(rollout.mirror, rollout.mirror)},`);
  if (mirror) after.push(`    mirror: ${fmtSplit(mirror, mirror)},`);
  return {
    changed: true,
    summary,
    traffic,
    ...(mirror ? { mirror } : {}),
    diff: [`stacks/rollout.ts, ROLLOUT.${env}:`, ...before.map((l) => `-${l}`), ...after.map((l) => `+${l}`)],
  };
}

function fmtSplit(split: Readonly<Record<string, number>>, order: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(order).filter((k) => split[k] !== undefined);
  return `{ ${keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${split[k]}`).join(', ')} }`;
}
