/**
 * Types and pure validation for the canary rollout constants (`stacks/rollout.ts`).
 *
 * This module is pure data checking: no cdktf, no I/O. The synth (through the serving
 * constructs), the tests and `npm run rollout` all call it, and it also has to cope with
 * an untyped object evaluated from an older git revision, so every check looks at the
 * runtime type of the value too.
 *
 * Rules (DESIGN.md "Canary rollout", FACTS.md §2.1, §2.2 and §4):
 * - traffic sums to 100, or to 0 for an endpoint with no live traffic yet;
 * - every percentage is an integer 0..100;
 * - traffic and mirror name only declared deployments, and every declared deployment has an
 *   explicit traffic entry (0 when drained), so the traffic resource can send the full map;
 * - mirror: at most one deployment with a non-zero share, at most 50 %, never a deployment
 *   with live traffic, and only when there is live traffic to copy;
 * - models are pinned `name:version` references (never `latest`);
 * - deployment names are valid Azure names (3..32 characters, see {@link DEPLOYMENT_NAME_RULE});
 * - at most 20 deployments per endpoint (Azure limit, FACTS.md §2.1).
 */

/** One deployment (a blue/green slot) on the environment's online endpoint. */
export interface DeploymentSpec {
  /**
   * Registry model reference `name:version`, e.g. `fraud-detector:3`. Versions are immutable,
   * so a model bump is a new version here, never a re-upload under the same version.
   */
  readonly model: string;
  /** Azure VM size of each instance, e.g. `Standard_DS3_v2`. Cannot change in place in Azure. */
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
  /** Deployment name -> what it runs. At most 20. */
  readonly deployments: Readonly<Record<string, DeploymentSpec>>;
  /** Live traffic: every declared deployment, summing to 100 (or 0 before go-live). */
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
/** Azure VM sizes as Azure ML managed endpoints name them. */
export const INSTANCE_TYPE_RULE = /^Standard_[A-Za-z0-9_]+$/;

/** A parsed `name:version` model reference. */
export interface ModelRef {
  readonly name: string;
  readonly version: string;
}

/** Parses `name:version`; returns a problem string instead when the reference is malformed. */
export function parseModelRef(ref: unknown): ModelRef | string {
  if (typeof ref !== 'string') return `must be a 'name:version' string, got ${show(ref)}`;
  const parts = ref.split(':');
  if (parts.length !== 2) return `must be 'name:version' (exactly one ':'), got ${show(ref)}`;
  const [name, version] = parts as [string, string];
  if (!MODEL_NAME_RULE.test(name)) {
    return `model name '${name}' in ${show(ref)} must match ${MODEL_NAME_RULE.source}`;
  }
  if (!MODEL_VERSION_RULE.test(version)) {
    return `model version '${version}' in ${show(ref)} must match ${MODEL_VERSION_RULE.source}`;
  }
  if (version.toLowerCase() === 'latest') {
    return `model version in ${show(ref)} must be pinned; 'latest' is not a version`;
  }
  return { name, version };
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
  if (!isRecord(rollout)) return [`${env}: rollout must be an object, got ${show(rollout)}`];
  const deployments = rollout.deployments;
  if (!isRecord(deployments)) {
    problems.push(`${env}: 'deployments' must be an object of name -> deployment, got ${show(deployments)}`);
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
      problems.push(`${at}: must be an object {model, instanceType, instanceCount}, got ${show(spec)}`);
      continue;
    }
    const model = parseModelRef(spec.model);
    if (typeof model === 'string') problems.push(`${at}: model ${model}`);
    if (typeof spec.instanceType !== 'string' || !INSTANCE_TYPE_RULE.test(spec.instanceType)) {
      problems.push(
        `${at}: instanceType must be an Azure VM size like 'Standard_DS3_v2' (${INSTANCE_TYPE_RULE.source}), got ${show(spec.instanceType)}`,
      );
    }
    if (!isIntegerIn(spec.instanceCount, 1, MAX_INSTANCES_PER_DEPLOYMENT)) {
      problems.push(
        `${at}: instanceCount must be an integer 1..${MAX_INSTANCES_PER_DEPLOYMENT}, got ${show(spec.instanceCount)}`,
      );
    }
  }

  const traffic = rollout.traffic;
  let live: Record<string, number> = {};
  if (!isRecord(traffic)) {
    problems.push(`${env}: 'traffic' must be an object of deployment -> percent, got ${show(traffic)}`);
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
      if (total !== 0 && total !== 100) {
        problems.push(
          `${env}: traffic must sum to 100 (or 0 before go-live), got ${total} (${fmtSplit(traffic)})`,
        );
      }
    }
  }

  const mirror = rollout.mirror;
  if (mirror !== undefined) {
    if (!isRecord(mirror)) {
      problems.push(`${env}: 'mirror' must be an object of deployment -> percent, got ${show(mirror)}`);
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
  if (!isRecord(config)) return [`rollout must be an object of environment -> rollout, got ${show(config)}`];
  const problems: string[] = [];
  for (const env of expectedEnvs ?? []) {
    if (!(env in config)) problems.push(`${env}: missing from the rollout constants`);
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
      problems.push(`${at}: ${field} must be ${what}, got ${show(value)}`);
    } else {
      valid[name] = value as number;
    }
  }
  return valid;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
