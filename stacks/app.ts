/**
 * Builds the cdktf app: checks the whole configuration once (every environment's settings and
 * the rollout constants, stacks/configuration.ts), then `fraud-shared` (the registry every
 * environment deploys from; deployed first) and one `fraud-<env>` stack per environment.
 * Pure (no `process.env`): `main.ts` passes the backend it read from the environment.
 */
import { App } from 'cdktf';
import type { RolloutConfig } from '../constructs/serving/rollout-validation';
import { StateBackend } from './backend';
import { validateConfiguration } from './configuration';
import { ENV_NAMES, ENVIRONMENTS, EnvironmentConfig, EnvName, SHARED, SharedConfig } from './environments';
import { FraudStack, stackName } from './fraud-stack';
import { ROLLOUT } from './rollout';
import { SHARED_STACK_NAME, SharedStack } from './shared-stack';

export interface BuildAppOptions {
  /** @default - cdktf's default (`cdktf.out`, or what the cdktf CLI passes) */
  readonly outdir?: string;
  /** @default { kind: 'local' } */
  readonly backend?: StateBackend;
  /** @default ENVIRONMENTS */
  readonly environments?: Readonly<Record<EnvName, EnvironmentConfig>>;
  /** @default ROLLOUT (stacks/rollout.ts); tests pass fixed rollouts */
  readonly rollout?: RolloutConfig;
  /** @default SHARED */
  readonly shared?: SharedConfig;
}

/** Throws a ConfigurationError listing every problem before any stack is built. */
export function buildApp(options: BuildAppOptions = {}): {
  app: App;
  shared: SharedStack;
  stacks: FraudStack[];
} {
  const environments = options.environments ?? ENVIRONMENTS;
  const sharedConfig = options.shared ?? SHARED;
  const rollout = validateConfiguration(environments, options.rollout ?? ROLLOUT, sharedConfig);
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const shared = new SharedStack(app, SHARED_STACK_NAME, { shared: sharedConfig, backend: options.backend });
  const stacks = ENV_NAMES.map(
    (envName) =>
      new FraudStack(app, stackName(envName), {
        envName,
        env: environments[envName],
        rollout: rollout[envName] as NonNullable<RolloutConfig[string]>,
        backend: options.backend,
        shared: sharedConfig,
      }),
  );
  return { app, shared, stacks };
}
