/**
 * Pure comparison of two versions of the rollout constants (base git ref vs working tree):
 * one human line per environment (`prod: blue 90 -> 50, green 10 -> 50`) and the changes that
 * are unsafe to apply in one go. No I/O, so the rules are unit- and property-tested.
 */
import { asRecord } from '../constructs/core/values';
import { fmtSplit } from '../constructs/serving/rollout-validation';

/** Per-environment guard rails (from stacks/environments.ts). */
export interface RolloutGuard {
  /**
   * Largest increase, in percentage points, of ANY deployment's live traffic in one change, at
   * any share (60 -> 100 is a 40-point jump like 0 -> 40). Exempt: an endpoint marked
   * `notLiveYet` in the base going live, and a change confirmed as a rollback
   * ({@link DiffOptions.rollback}).
   * @default - unlimited
   */
  readonly maxCanaryStep?: number;
}

export interface DiffOptions {
  /**
   * The operator confirms the change is a rollback (`--rollback`): the step limit is not applied,
   * every other rule is. A rollback and a promotion look the same in the split (40/60 -> 100/0
   * vs 40/60 -> 0/100), so only the operator can say which one it is.
   * @default false
   */
  readonly rollback?: boolean;
}

export interface RolloutDiff {
  /** One line per environment, in the head's order, then environments only in the base. */
  readonly lines: string[];
  /** Unsafe changes; the command exits non-zero when there is any. */
  readonly problems: string[];
}

interface EnvView {
  readonly deployments: Record<string, Record<string, unknown>>;
  readonly traffic: Record<string, number>;
  readonly mirror: Record<string, number>;
  readonly notLiveYet: boolean;
}

/** One line per environment with the current split, for `status` without a base. */
export function describeRollout(head: unknown): string[] {
  return Object.entries(asRecord(head)).map(([env, rollout]) => {
    const view = viewOf(rollout);
    const mirror = Object.entries(view.mirror).filter(([, v]) => v > 0);
    const mirrorText = mirror.length > 0 ? `; mirror ${fmtSplit(Object.fromEntries(mirror))}` : '';
    const models = Object.entries(view.deployments)
      .map(([name, spec]) => `${name}=${String(spec.model)}`)
      .join(', ');
    const notLive = view.notLiveYet ? ' (not live yet)' : '';
    return `${env}: ${fmtSplit(view.traffic)}${mirrorText}${notLive} [${models || 'no deployments'}]`;
  });
}

/** Compares the base rollout (an untyped value evaluated from git, or undefined) with the head. */
export function diffRollout(
  base: unknown,
  head: unknown,
  guards: Readonly<Record<string, RolloutGuard | undefined>>,
  options: DiffOptions = {},
): RolloutDiff {
  const baseEnvs = asRecord(base);
  const headEnvs = asRecord(head);
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [env, rollout] of Object.entries(headEnvs)) {
    const now = viewOf(rollout);
    if (!(env in baseEnvs)) {
      lines.push(`${env}: new environment: ${fmtSplit(now.traffic)}`);
      continue;
    }
    const before = viewOf(baseEnvs[env]);
    lines.push(`${env}: ${describeChange(before, now)}`);
    problems.push(...removalProblems(env, before, now));
    problems.push(...inPlaceProblems(env, before, now));
    problems.push(...outageProblems(env, before, now));
    if (!options.rollback) problems.push(...stepProblems(env, before, now, guards[env]?.maxCanaryStep));
  }
  for (const env of Object.keys(baseEnvs)) {
    if (!(env in headEnvs)) {
      lines.push(`${env}: environment removed`);
      const before = viewOf(baseEnvs[env]);
      problems.push(...removalProblems(env, before, viewOf({})));
    }
  }
  return { lines, problems };
}

function describeChange(before: EnvView, now: EnvView): string {
  const parts: string[] = [];
  // Base order first, so a line reads left to right as "what was there -> what is there now".
  const names = unique([
    ...Object.keys(before.traffic),
    ...Object.keys(before.deployments),
    ...Object.keys(now.traffic),
    ...Object.keys(now.deployments),
  ]);
  for (const name of names) {
    const wasDeclared = name in before.deployments || name in before.traffic;
    const isDeclared = name in now.deployments || name in now.traffic;
    const from = wasDeclared ? String(before.traffic[name] ?? 0) : '(new)';
    const to = isDeclared ? String(now.traffic[name] ?? 0) : '(removed)';
    if (from !== to) parts.push(`${name} ${from} -> ${to}`);
  }
  if (before.notLiveYet !== now.notLiveYet) parts.push(now.notLiveYet ? 'marked notLiveYet' : 'goes live');
  for (const name of unique([...Object.keys(before.mirror), ...Object.keys(now.mirror)])) {
    const from = before.mirror[name] ?? 0;
    const to = now.mirror[name] ?? 0;
    if (from !== to) parts.push(`mirror ${name} ${from} -> ${to}`);
  }
  for (const [name, spec] of Object.entries(now.deployments)) {
    const old = before.deployments[name];
    if (!old) continue;
    for (const field of ['model', 'instanceType', 'instanceCount'] as const) {
      if (old[field] !== spec[field])
        parts.push(`${name} ${field} ${String(old[field])} -> ${String(spec[field])}`);
    }
  }
  return parts.length > 0 ? parts.join(', ') : `unchanged (${fmtSplit(now.traffic)})`;
}

/** A deployment that still had live or mirrored traffic in the base cannot be removed in the same change. */
function removalProblems(env: string, before: EnvView, now: EnvView): string[] {
  const problems: string[] = [];
  for (const name of unique([...Object.keys(before.deployments), ...Object.keys(before.traffic)])) {
    if (name in now.deployments) continue;
    const live = before.traffic[name] ?? 0;
    const mirrored = before.mirror[name] ?? 0;
    if (live > 0) {
      problems.push(
        `${env}: deployment '${name}' is removed but still had ${live} % live traffic in the base; ` +
          `drain it to 0 in one change and remove it in a later one (Azure refuses to delete a deployment with traffic)`,
      );
    }
    if (mirrored > 0) {
      problems.push(
        `${env}: deployment '${name}' is removed but still had ${mirrored} % mirrored traffic in the base; ` +
          `set its mirror to 0 in one change and remove it in a later one`,
      );
    }
  }
  return problems;
}

/**
 * Every deployment's growth in live share per change is limited by the environment's
 * maxCanaryStep, past 50 % too. Only an endpoint marked notLiveYet in the base may go live in one
 * step (it served nothing, so nothing shifts); a total of 0 without the mark is not enough, or
 * `blue 100 -> 0` then `0 -> 100` would skip the limit.
 */
function stepProblems(env: string, before: EnvView, now: EnvView, maxStep: number | undefined): string[] {
  if (maxStep === undefined || before.notLiveYet) return [];
  const problems: string[] = [];
  for (const [name, to] of Object.entries(now.traffic)) {
    const from = before.traffic[name] ?? 0;
    if (to - from <= maxStep) continue;
    problems.push(
      `${env}: deployment '${name}' live traffic ${from} -> ${to} jumps by ${to - from} points, more than ` +
        `${env}'s maxCanaryStep of ${maxStep}; move it in steps of at most ${maxStep} ` +
        `(for a rollback, confirm with --rollback)`,
    );
  }
  return problems;
}

/** Azure refuses an instanceType change on an existing deployment (docs/rollout.md). */
function inPlaceProblems(env: string, before: EnvView, now: EnvView): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(now.deployments)) {
    const old = before.deployments[name];
    if (!old || old.instanceType === spec.instanceType) continue;
    problems.push(
      `${env}: deployment '${name}': instanceType ${String(old.instanceType)} -> ${String(spec.instanceType)} ` +
        `cannot change in place (Azure refuses it); add a new deployment with the new size and shift traffic to it`,
    );
  }
  return problems;
}

/** Marking a live endpoint notLiveYet (traffic 0) would be a full outage. */
function outageProblems(env: string, before: EnvView, now: EnvView): string[] {
  const baseTotal = Object.values(before.traffic).reduce((a, b) => a + b, 0);
  if (!now.notLiveYet || before.notLiveYet || baseTotal === 0) return [];
  return [
    `${env}: marked notLiveYet, but the endpoint had live traffic in the base (${fmtSplit(before.traffic)}); ` +
      `taking all traffic away is a full outage. Keep the split at 100 and drain deployments one by one`,
  ];
}

function viewOf(rollout: unknown): EnvView {
  const r = asRecord(rollout);
  const deployments: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(asRecord(r.deployments))) deployments[name] = asRecord(spec);
  return {
    deployments,
    traffic: numbers(r.traffic),
    mirror: numbers(r.mirror),
    notLiveYet: r.notLiveYet === true,
  };
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(asRecord(value)))
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
