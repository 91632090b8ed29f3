/** Guard rails for `npm run rollout -- status`, per environment, from stacks/environments.ts. */
import { ENVIRONMENTS, EnvironmentConfig } from '../stacks/environments';
import type { RolloutGuard } from './rollout-diff';

/** Environment -> guard rails (`serving.maxCanaryStep`; unset = unlimited). */
export function rolloutGuards(): Readonly<Record<string, RolloutGuard>> {
  const environments: Readonly<Record<string, EnvironmentConfig>> = ENVIRONMENTS;
  return Object.fromEntries(
    Object.entries(environments).map(([env, cfg]) => [env, { maxCanaryStep: cfg.serving?.maxCanaryStep }]),
  );
}
