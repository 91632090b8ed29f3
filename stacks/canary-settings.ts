/**
 * Canary analysis thresholds per environment (`npm run canary -- analyze --env <env>`).
 *
 * Defaults live with the analysis (model/canary/thresholds.ts, DEFAULT_CANARY_THRESHOLDS): at
 * least 200 requests per side; roll back on an error rate 1 point above stable's at p < 0.05 or
 * above 5 %, on a p95 latency ratio above 1.5, or on a score shift KS D >= 0.25 at p < 0.01;
 * hold on a p95 ratio above 1.2 or KS D >= 0.1. An environment overrides only what differs.
 * The step a promotion may take is the environment's `serving.maxCanaryStep`
 * (stacks/serving-settings.ts), the same limit `npm run rollout -- status` enforces.
 * `canarySettingsErrors` is the one check of these values (model/canary/thresholds.ts rules).
 */
import { canaryThresholdProblems, type CanaryThresholds } from '../model/canary/thresholds';
import type { EnvName } from './environments';

export type CanarySettings = CanaryThresholds;

export const CANARY_SETTINGS = {
  // Few requests reach dev: decide on less data there.
  dev: { minRequests: 50 },
  staging: {},
  // Prod is the one that hurts: hold sooner on latency.
  prod: { holdLatencyRatio: 1.15 },
} as const satisfies Record<EnvName, CanarySettings>;

/** Every problem with one environment's canary settings, each naming env, field, value and rule. */
export function canarySettingsErrors(env: string, settings: CanarySettings | undefined): string[] {
  return canaryThresholdProblems(`${env}.canary`, settings);
}
