/**
 * Types and pure validation for the canary rollout constants (`stacks/rollout.ts`).
 *
 * This module is pure data checking: no cdktf, no I/O. The synth (through the serving
 * constructs), the tests and `npm run rollout` all call it, and it also has to cope with
 * an untyped object evaluated from an older git revision, so every check looks at the
 * runtime type of the value too.
 *
 * Rules (DESIGN.md "Canary rollout", FACTS.md §2.1, §2.2 and §4):
 * - traffic sums to 100; it sums to 0 only for an endpoint marked `notLiveYet: true` (and then
 *   must), so `blue 100 -> 0` can never pass as "not live yet";
 * - every percentage is an integer 0..100;
 * - traffic and mirror name only declared deployments, and every declared deployment has an
 *   explicit traffic entry (0 when drained), so the traffic resource can send the full map;
 * - mirror: at most one deployment with a non-zero share, at most 50 %, never a deployment
 *   with live traffic, and only when there is live traffic to copy;
 * - models are pinned `name:version` references (never `latest`);
 * - deployment names are valid Azure names (3..32 characters, see {@link DEPLOYMENT_NAME_RULE});
 * - instanceType is on the documented managed online endpoint SKU list (managed-online-skus.ts);
 * - at most 20 deployments per endpoint (Azure limit, FACTS.md §2.1).
 */

import { formatValue, isRecord } from '../core/values';
import { isManagedOnlineSku, similarManagedOnlineSkus } from './managed-online-skus';

export { MANAGED_ONLINE_ENDPOINT_SKUS } from './managed-online-skus';

/** One deployment (a blue/green slot) on the environment's online endpoint. */
export interface DeploymentSpec {
  /**
   * Registry model reference `name:version`, e.g. `fraud-detector:3`. Versions are immutable,
   * so a model bump is a new version here, never a re-upload under the same version.
   */
  readonly model: string;
  /**
   * Azure VM size of each instance, e.g. `Standard_DS3_v2`: one of {@link MANAGED_ONLINE_ENDPOINT_SKUS}.
   * Cannot change in place in Azure: add a new deployment instead.
   */
  readonly instanceType: string;
  /**
   * Instances at creation. When autoscale is on for the environment, autoscale owns the count
   * afterwards and this is only the starting capacity.
   */
  readonly instanceCount: number;
}

/** Deployment name -> percentage (integers). */
export type TrafficSplit = Readonly<Record<string, number>>;

/** The rollout constants of one environment. */
export interface EnvironmentRollout {
  /**
   * Marks an endpoint that serves no live traffic yet: the only case in which `traffic` may sum
   * to 0 (and then it must). Remove it in the change that gives the endpoint its first traffic.
   * `npm run rollout -- status --base <ref>` refuses setting it on an endpoint that had live
   * traffic in the base: that would be a full outage.
   * @default - the endpoint is live: traffic sums to 100
   */
  readonly notLiveYet?: true;
  /** Deployment name -> what it runs. At most 20. */
  readonly deployments: Readonly<Record<string, DeploymentSpec>>;
  /** Live traffic: every declared deployment, summing to 100 (0 only with `notLiveYet: true`). */
  readonly traffic: TrafficSplit;
  /**
   * Shadow (mirrored) traffic: copies of live requests sent to one deployment without live
   * traffic; its answers are discarded.
   * @default - no mirroring
   */
  readonly mirror?: TrafficSplit;
}

/** Environment name -> rollout constants. */
export type RolloutConfig = Readonly<Record<string, EnvironmentRollout>>;

/** Azure: at most 20 deployments per online endpoint (FACTS.md §2.1, quota docs). */
export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;
/** Azure: mirrored traffic is capped at 50 % (FACTS.md §0.2). */
export const MAX_MIRROR_PERCENT = 50;
/**
 * Instances per deployment. Azure documents 20 (older quota page) or 50 (newer page);
 * unverified which applies to a subscription, so the safe choice is the lower one.
 */
export const MAX_INSTANCES_PER_DEPLOYMENT = 20;

/**
 * Deployment names: 3..32 characters, a lowercase letter first, then lowercase letters, digits
 * and single dashes, not ending in a dash. Azure's endpoint/deployment rule (FACTS.md §2.1)
 * allows upper case too; we are stricter because ARM names are case-insensitive while the
 * `traffic` map keys are not, and the name also appears in metric dimensions and the
 * `azureml-model-deployment` header.
 */
export const DEPLOYMENT_NAME_RULE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** Model name: the registry container rule (FACTS.md §2.8). */
export const MODEL_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
/** Model version: a pinned version string such as `3` or `1.2.0`. */
export const MODEL_VERSION_RULE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
/** A parsed `name:version` model reference. */
export interface ModelRef {
  readonly name: string;
  readonly version: string;
}

/** The outcome of a parse: the value, or one problem sentence (no cast needed at the call site). */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/**
 * Parses `name:version`. The problem reads after the word "model", e.g. `model version "latest"
 * in "m:latest" must be pinned`.
 */
export function parseModelRef(ref: unknown): ParseResult<ModelRef> {
  const fail = (problem: string): ParseResult<ModelRef> => ({ ok: false, problem });
  if (typeof ref !== 'string') return fail(`must be a 'name:version' string, got ${formatValue(ref)}`);
  const parts = ref.split(':');
  if (parts.length !== 2) return fail(`must be 'name:version' (exactly one ':'), got ${formatValue(ref)}`);
  const [name, version] = parts as [string, string];
  if (!MODEL_NAME_RULE.test(name)) {
    return fail(`name ${formatValue(name)} in ${formatValue(ref)} must match ${MODEL_NAME_RULE.source}`);
  }
  if (!MODEL_VERSION_RULE.test(version)) {
    return fail(
      `version ${formatValue(version)} in ${formatValue(ref)} must match ${MODEL_VERSION_RULE.source}`,
    );
  }
  if (version.toLowerCase() === 'latest') {
    return fail(`version in ${formatValue(ref)} must be pinned; 'latest' is not a version`);
  }
  return { ok: true, value: { name, version } };
}

/**
 * The model reference of a deployment that already passed {@link environmentRolloutProblems}
 * (the constructs get validated input); throws for a malformed one all the same.
 */
export function modelRefOf(ref: string): ModelRef {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) throw new Error(`model ${parsed.problem}`);
  return parsed.value;
}

/** Checks a deployment name against {@link DEPLOYMENT_NAME_RULE}; returns the problem or undefined. */
export function deploymentNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 32) {
    return `name must be 3..32 characters, got ${name.length}`;
  }
  if (!DEPLOYMENT_NAME_RULE.test(name)) {
    return 'name must start with a lowercase letter and use only lowercase letters, digits and single dashes, not ending in a dash';
  }
  return undefined;
}

/** Every problem of one environment's rollout, each naming environment, deployment and rule. */
export function environmentRolloutProblems(env: string, rollout: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(rollout)) return [`${env}: rollout must be an object, got ${formatValue(rollout)}`];
  const deployments = rollout.deployments;
  if (!isRecord(deployments)) {
    problems.push(
      `${env}: 'deployments' must be an object of name -> deployment, got ${formatValue(deployments)}`,
    );
  }
  const declared = isRecord(deployments) ? Object.keys(deployments) : [];
  if (declared.length > MAX_DEPLOYMENTS_PER_ENDPOINT) {
    problems.push(
      `${env}: at most ${MAX_DEPLOYMENTS_PER_ENDPOINT} deployments per endpoint (Azure limit), got ${declared.length}`,
    );
  }
  for (const name of declared) {
    const at = `${env}: deployment '${name}'`;
    const nameProblem = deploymentNameProblem(name);
    if (nameProblem) problems.push(`${at}: ${nameProblem}`);
    const spec = (deployments as Record<string, unknown>)[name];
    if (!isRecord(spec)) {
      problems.push(
        `${at}: must be an object {model, instanceType, instanceCount}, got ${formatValue(spec)}`,
      );
      continue;
    }
    const model = parseModelRef(spec.model);
    if (!model.ok) problems.push(`${at}: model ${model.problem}`);
    if (typeof spec.instanceType !== 'string' || !isManagedOnlineSku(spec.instanceType)) {
      const hint =
        typeof spec.instanceType === 'string'
          ? ` (similar: ${similarManagedOnlineSkus(spec.instanceType).join(', ')})`
          : '';
      problems.push(
        `${at}: instanceType ${formatValue(spec.instanceType)} is not a managed online endpoint VM size` +
          ` on Azure's documented list (constructs/serving/managed-online-skus.ts)${hint}`,
      );
    }
    if (!isIntegerIn(spec.instanceCount, 1, MAX_INSTANCES_PER_DEPLOYMENT)) {
      problems.push(
        `${at}: instanceCount must be an integer 1..${MAX_INSTANCES_PER_DEPLOYMENT}, got ${formatValue(spec.instanceCount)}`,
      );
    }
  }

  const traffic = rollout.traffic;
  let live: Record<string, number> = {};
  if (!isRecord(traffic)) {
    problems.push(
      `${env}: 'traffic' must be an object of deployment -> percent, got ${formatValue(traffic)}`,
    );
  } else {
    live = checkSplit(env, 'traffic', traffic, declared, 100, problems);
    for (const name of declared) {
      if (!(name in traffic)) {
        problems.push(
          `${env}: deployment '${name}': traffic must list every declared deployment (write ${name}: 0 to drain it)`,
        );
      }
    }
    const values = Object.values(traffic);
    if (values.every((v) => typeof v === 'number')) {
      const total = values.reduce((a, b) => a + (b as number), 0);
      if (rollout.notLiveYet === true && total !== 0) {
        problems.push(
          `${env}: traffic sums to ${total} (${fmtSplit(traffic)}) but the endpoint is marked notLiveYet; ` +
            `remove notLiveYet in the change that gives it live traffic`,
        );
      } else if (rollout.notLiveYet !== true && total !== 100) {
        const zero =
          total === 0
            ? '; a total of 0 takes the endpoint offline, allowed only for an endpoint marked notLiveYet: true'
            : '';
        problems.push(`${env}: traffic must sum to 100, got ${total} (${fmtSplit(traffic)})${zero}`);
      }
    }
  }
  if (rollout.notLiveYet !== undefined && rollout.notLiveYet !== true) {
    problems.push(`${env}: notLiveYet must be true or left out, got ${formatValue(rollout.notLiveYet)}`);
  }

  const mirror = rollout.mirror;
  if (mirror !== undefined) {
    if (!isRecord(mirror)) {
      problems.push(
        `${env}: 'mirror' must be an object of deployment -> percent, got ${formatValue(mirror)}`,
      );
    } else {
      const shares = checkSplit(env, 'mirror', mirror, declared, MAX_MIRROR_PERCENT, problems);
      const targets = Object.keys(shares).filter((name) => (shares[name] ?? 0) > 0);
      if (targets.length > 1) {
        problems.push(
          `${env}: mirror may target at most one deployment, got ${targets.length} (${targets.join(', ')}); set the others to 0`,
        );
      }
      const liveTotal = Object.values(live).reduce((a, b) => a + b, 0);
      for (const name of targets) {
        if ((live[name] ?? 0) > 0) {
          problems.push(
            `${env}: deployment '${name}': mirror must not target a deployment with live traffic (it has ${live[name]} %)`,
          );
        }
        if (liveTotal === 0) {
          problems.push(
            `${env}: deployment '${name}': mirror needs live traffic to copy, but traffic sums to 0`,
          );
        }
      }
    }
  }
  return problems;
}

/** Every problem of a whole rollout config (all environments, in declaration order). */
export function rolloutProblems(config: unknown, expectedEnvs?: readonly string[]): string[] {
  if (!isRecord(config))
    return [`rollout must be an object of environment -> rollout, got ${formatValue(config)}`];
  const problems: string[] = [];
  for (const env of expectedEnvs ?? []) {
    if (!(env in config)) {
      problems.push(
        `${env}: missing from ROLLOUT; every environment needs an entry (its deployments and traffic)`,
      );
    }
  }
  for (const [env, rollout] of Object.entries(config)) {
    if (expectedEnvs && !expectedEnvs.includes(env)) {
      problems.push(`${env}: unknown environment (known: ${expectedEnvs.join(', ')})`);
    }
    problems.push(...environmentRolloutProblems(env, rollout));
  }
  return problems;
}

/**
 * Throws ONE error listing every problem of the rollout constants, or returns the config
 * unchanged when it is valid.
 */
export function validateRollout<T extends RolloutConfig>(config: T, expectedEnvs?: readonly string[]): T {
  const problems = rolloutProblems(config, expectedEnvs);
  if (problems.length > 0) {
    throw new Error(
      `invalid rollout constants (stacks/rollout.ts), ${problems.length} problem(s):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  return config;
}

/**
 * The full traffic map the endpoint must carry: every declared deployment, drained ones as 0.
 * (FACTS.md §4: a GET-merge-PUT keeps keys that are left out, so zeros must be explicit.)
 */
export function fullTrafficMap(rollout: EnvironmentRollout): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(rollout.deployments)) out[name] = rollout.traffic[name] ?? 0;
  return out;
}

/** The full mirror map: every declared deployment, 0 unless it is the mirror target. */
export function fullMirrorMap(rollout: EnvironmentRollout): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(rollout.deployments)) out[name] = rollout.mirror?.[name] ?? 0;
  return out;
}

/** `blue 90, green 10` */
export function fmtSplit(split: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(split);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k} ${String(v)}`).join(', ');
}

function checkSplit(
  env: string,
  field: 'traffic' | 'mirror',
  split: Record<string, unknown>,
  declared: readonly string[],
  max: number,
  problems: string[],
): Record<string, number> {
  const valid: Record<string, number> = {};
  for (const [name, value] of Object.entries(split)) {
    const at = `${env}: deployment '${name}'`;
    if (!declared.includes(name)) {
      problems.push(
        `${at}: ${field} names an undeclared deployment (declared: ${declared.join(', ') || 'none'})`,
      );
    }
    if (!isIntegerIn(value, 0, max)) {
      const what =
        field === 'mirror'
          ? `an integer percent 0..${max} (Azure caps mirroring at 50 %)`
          : 'an integer percent 0..100';
      problems.push(`${at}: ${field} must be ${what}, got ${formatValue(value)}`);
    } else {
      valid[name] = value as number;
    }
  }
  return valid;
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
