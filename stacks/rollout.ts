/**
 * THE canary rollout constants: the one file an operator edits to add a canary, shift traffic,
 * promote, roll back or retire a deployment. Everything else (endpoint, deployments, traffic
 * ordering, autoscale, keys) is derived from it at synth.
 *
 * Per environment:
 * - `deployments`: name -> { model `name:version`, instanceType, instanceCount }.
 *   Names: 3..32 characters, lowercase letters, digits and single dashes (`blue`, `green`).
 *   A model bump is a new pinned version (`fraud-detection-model:4`), never `latest`.
 *   `instanceType`: a managed online endpoint VM size (constructs/serving/managed-online-skus.ts);
 *   it cannot change in place in Azure: to change it, add a new deployment.
 *   With autoscale on (stacks/environments.ts), `instanceCount` is only the starting count.
 * - `traffic`: EVERY declared deployment -> integer percent; the total is 100. Drained deployments
 *   stay listed as 0. A total of 0 only with `notLiveYet: true` (an endpoint not serving yet).
 * - `mirror` (optional): copies of live requests sent to ONE deployment that has no live traffic,
 *   at most 50 %; its answers are discarded. Set it to 0 (or remove it) to stop mirroring.
 *
 * Recipes (docs/rollout.md has them step by step):
 * - add a canary:   add `green: { model: 'fraud-detection-model:2', ... }` and `green: 0` in traffic
 *                   (optionally `mirror: { green: 10 }` first), apply, then shift traffic;
 * - shift/promote:  change the numbers only (`blue: 90, green: 10` -> `blue: 50, green: 50`);
 *                   prod may move ANY deployment up by at most its `maxCanaryStep` per change;
 * - roll back:      give the old deployment its traffic back (`blue: 100, green: 0`); a move larger
 *                   than the step needs `npm run rollout -- status --base origin/main --rollback`;
 * - retire:         TWO changes: first drain it to 0 (apply), then delete its entries (apply).
 *                   `npm run rollout -- status --base origin/main` refuses a removal that skips
 *                   the drain.
 *
 * This file must stay pure data with type-only imports: `npm run rollout -- status --base <ref>`
 * evaluates the version of this file from an older git revision on its own.
 */
import type { EnvironmentRollout } from '../constructs/serving/rollout-validation';
import type { EnvName } from './environments';

export const ROLLOUT = {
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
} as const satisfies Record<EnvName, EnvironmentRollout>;
