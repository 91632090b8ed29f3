/**
 * The one place the configuration is checked: every environment's settings
 * (stacks/environments.ts) and the rollout constants (stacks/rollout.ts), including the rules that
 * need both (autoscale range vs instanceCount, local model packages). `buildApp` runs it before
 * any stack is built, and `npm run rollout -- status` runs the same rollout rules, so synth and the
 * PR check can never disagree. The constructs below take the checked, typed values and do not
 * check them again.
 *
 * Pure: no cdktf, no I/O. Tests call it with broken copies of the constants.
 */
import { rolloutProblems, type RolloutConfig } from '../constructs/serving/rollout-validation';
import { isRecord } from '../constructs/core/values';
import {
  environmentErrors,
  type EnvironmentConfig,
  SHARED,
  type SharedConfig,
  sharedErrors,
} from './environments';
import { servingRolloutErrors } from './serving-settings';

/** Where each kind of problem is fixed. */
export const ENVIRONMENTS_FILE = 'stacks/environments.ts';
export const ROLLOUT_FILE = 'stacks/rollout.ts';

/** Every problem, grouped by the file an operator edits to fix it. */
export interface ConfigurationProblems {
  readonly [file: string]: readonly string[];
}

/** Thrown by {@link validateConfiguration}; main.ts prints `message` alone (no stack trace). */
export class ConfigurationError extends Error {
  constructor(public readonly problems: ConfigurationProblems) {
    super(formatProblems(problems));
    this.name = 'ConfigurationError';
  }
}

/**
 * Every rollout rule, for every environment: the structural rules of
 * constructs/serving/rollout-validation.ts (traffic, mirror, models, SKUs, names, counts), an
 * entry per environment and no unknown ones, and the cross-checks against each environment's
 * serving settings. `rollout` may be untyped (evaluated from an older git revision).
 */
export function rolloutRuleProblems(
  rollout: unknown,
  environments: Readonly<Record<string, EnvironmentConfig>>,
): string[] {
  const problems = rolloutProblems(rollout, Object.keys(environments));
  if (!isRecord(rollout)) return problems;
  for (const [env, cfg] of Object.entries(environments)) {
    if (env in rollout) problems.push(...servingRolloutErrors(env, cfg.serving, rollout[env]));
  }
  return unique(problems);
}

/** Every problem of the whole configuration, grouped by file; empty when it is valid. */
export function configurationProblems(
  environments: Readonly<Record<string, EnvironmentConfig>>,
  rollout: unknown,
  shared: SharedConfig = SHARED,
): ConfigurationProblems {
  const envProblems: string[] = [...sharedErrors(shared)];
  if (Object.keys(environments).length === 0) {
    envProblems.push('environments: at least one environment is required');
  }
  for (const [name, cfg] of Object.entries(environments)) envProblems.push(...environmentErrors(name, cfg));
  const out: Record<string, readonly string[]> = {};
  if (envProblems.length > 0) out[ENVIRONMENTS_FILE] = unique(envProblems);
  const rolloutList = rolloutRuleProblems(rollout, environments);
  if (rolloutList.length > 0) out[ROLLOUT_FILE] = rolloutList;
  return out;
}

/**
 * Throws ONE {@link ConfigurationError} listing every problem of every environment, or returns
 * the rollout typed when everything holds.
 */
export function validateConfiguration(
  environments: Readonly<Record<string, EnvironmentConfig>>,
  rollout: unknown,
  shared: SharedConfig = SHARED,
): RolloutConfig {
  const problems = configurationProblems(environments, rollout, shared);
  if (Object.keys(problems).length > 0) throw new ConfigurationError(problems);
  return rollout as RolloutConfig;
}

function formatProblems(problems: ConfigurationProblems): string {
  const count = Object.values(problems).reduce((n, list) => n + list.length, 0);
  const lines = [`invalid configuration, ${count} problem(s); nothing was synthesized:`];
  for (const [file, list] of Object.entries(problems)) {
    lines.push(`${file}:`, ...list.map((p) => `  - ${p}`));
  }
  return lines.join('\n');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
