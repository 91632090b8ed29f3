/**
 * Guard rails for `npm run rollout -- status`, per environment.
 * TEMPORARY: until stacks/environments.ts carries `maxCanaryStep`, the values live here.
 */
import type { RolloutGuard } from './rollout-diff';

/** Environment -> guard rails. prod: a canary moves up by at most 25 points per change. */
export function rolloutGuards(): Readonly<Record<string, RolloutGuard>> {
  return { dev: {}, staging: {}, prod: { maxCanaryStep: 25 } };
}
