/**
 * Fixed rollouts for tests. Tests never read the live constants of `stacks/rollout.ts`: an
 * operator's traffic edit there is checked by the rollout rules (and `npm run rollout`), never by
 * a snapshot or an assertion, so it can never break `npm test`.
 */
import type { EnvironmentRollout } from '../../constructs/serving/rollout-validation';
import type { EnvName } from '../../stacks/environments';

export const TEST_ROLLOUTS: Readonly<Record<EnvName, EnvironmentRollout>> = {
  dev: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS2_v2', instanceCount: 1 },
    },
    traffic: { blue: 100 },
  },
  staging: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
    },
    traffic: { blue: 100 },
  },
  prod: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
    },
    traffic: { blue: 100 },
  },
};

/** The fixed test rollout of one environment. */
export const testRollout = (env: EnvName): EnvironmentRollout => TEST_ROLLOUTS[env];
