/**
 * Pure comparison of two versions of the rollout constants (base git ref vs working tree):
 * one human line per environment (`prod: blue 90 -> 50, green 10 -> 50`) and the changes that
 * are unsafe to apply in one go. No I/O, so the rules are unit- and property-tested.
 */
import { fmtSplit } from '../constructs/serving/rollout-validation';

/** Per-environment guard rails (from stacks/environments.ts). */
export interface RolloutGuard {
  /**
   * Largest increase, in percentage points, of a canary's live traffic in one change.
   * A canary is any deployment that did not carry the largest share in the base; the
   * deployment(s) with the largest base share may always grow (that is a rollback).
   * @default - unlimited
   */
  readonly maxCanaryStep?: number;
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
    return `${env}: ${fmtSplit(view.traffic)}${mirrorText} [${models || 'no deployments'}]`;
  });
}

/** Compares the base rollout (an untyped value evaluated from git, or undefined) with the head. */
export function diffRollout(
  base: unknown,
  head: unknown,
  guards: Readonly<Record<string, RolloutGuard | undefined>>,
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
    problems.push(...stepProblems(env, before, now, guards[env]?.maxCanaryStep));
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

/** Canary growth per change is limited by the environment's maxCanaryStep. */
function stepProblems(env: string, before: EnvView, now: EnvView, maxStep: number | undefined): string[] {
  if (maxStep === undefined) return [];
  const baseValues = Object.values(before.traffic);
  const baseTotal = baseValues.reduce((a, b) => a + b, 0);
  // Going live for the first time (nothing served yet) is not a canary jump.
  if (baseTotal === 0) return [];
  const top = Math.max(...baseValues);
  const problems: string[] = [];
  for (const [name, to] of Object.entries(now.traffic)) {
    const from = before.traffic[name] ?? 0;
    const incumbent = from === top;
    if (incumbent || to - from <= maxStep) continue;
    problems.push(
      `${env}: deployment '${name}' live traffic ${from} -> ${to} jumps by ${to - from} points, more than ` +
        `${env}'s maxCanaryStep of ${maxStep}; raise it in steps of at most ${maxStep} (rolling back is always allowed)`,
    );
  }
  return problems;
}

function viewOf(rollout: unknown): EnvView {
  const r = asRecord(rollout);
  const deployments: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(asRecord(r.deployments))) deployments[name] = asRecord(spec);
  return { deployments, traffic: numbers(r.traffic), mirror: numbers(r.mirror) };
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(asRecord(value)))
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
