/**
 * Builds the cdktf app: checks the whole configuration once (every environment's settings and
 * the rollout constants, stacks/configuration.ts), then one `fraud-<env>` stack per environment.
 * Pure (no `process.env`): `main.ts` passes the backend it read from the environment.
 */
import { App } from 'cdktf';
import type { RolloutConfig } from '../constructs/serving/rollout-validation';
import { StateBackend } from './backend';
import { validateConfiguration } from './configuration';
import { ENV_NAMES, ENVIRONMENTS, EnvironmentConfig, EnvName } from './environments';
import { FraudStack, stackName } from './fraud-stack';
import { ROLLOUT } from './rollout';

export interface BuildAppOptions {
  /** @default - cdktf's default (`cdktf.out`, or what the cdktf CLI passes) */
  readonly outdir?: string;
  /** @default { kind: 'local' } */
  readonly backend?: StateBackend;
  /** @default ENVIRONMENTS */
  readonly environments?: Readonly<Record<EnvName, EnvironmentConfig>>;
  /** @default ROLLOUT (stacks/rollout.ts); tests pass fixed rollouts */
  readonly rollout?: RolloutConfig;
}

/** Throws a ConfigurationError listing every problem before any stack is built. */
export function buildApp(options: BuildAppOptions = {}): { app: App; stacks: FraudStack[] } {
  const environments = options.environments ?? ENVIRONMENTS;
  const rollout = validateConfiguration(environments, options.rollout ?? ROLLOUT);
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stacks = ENV_NAMES.map(
    (envName) =>
      new FraudStack(app, stackName(envName), {
        envName,
        env: environments[envName],
        rollout: rollout[envName] as NonNullable<RolloutConfig[string]>,
        backend: options.backend,
      }),
  );
  return { app, stacks };
}
