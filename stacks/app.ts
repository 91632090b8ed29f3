/**
 * Builds the cdktf app: validates every environment, then one `fraud-<env>` stack per
 * environment. Pure (no `process.env`): `main.ts` passes the backend it read from the environment.
 */
import { App } from 'cdktf';
import { StateBackend } from './backend';
import { ENV_NAMES, ENVIRONMENTS, EnvironmentConfig, EnvName, validateEnvironments } from './environments';
import { FraudStack, stackName } from './fraud-stack';

export interface BuildAppOptions {
  /** @default - cdktf's default (`cdktf.out`, or what the cdktf CLI passes) */
  readonly outdir?: string;
  /** @default { kind: 'local' } */
  readonly backend?: StateBackend;
  /** @default ENVIRONMENTS */
  readonly environments?: Readonly<Record<EnvName, EnvironmentConfig>>;
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stacks: FraudStack[] } {
  const environments = options.environments ?? ENVIRONMENTS;
  validateEnvironments(environments);
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stacks = ENV_NAMES.map(
    (envName) =>
      new FraudStack(app, stackName(envName), {
        envName,
        env: environments[envName],
        backend: options.backend,
      }),
  );
  return { app, stacks };
}
