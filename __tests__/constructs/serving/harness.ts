/** Synthesizes one FraudStack with a given rollout / serving settings for the serving tests. */
import { Testing } from 'cdktf';
import type { EnvironmentRollout } from '../../../constructs/serving/rollout-validation';
import { ENVIRONMENTS, EnvironmentConfig, EnvName } from '../../../stacks/environments';
import { FraudStack, stackName } from '../../../stacks/fraud-stack';
import type { ServingSettings } from '../../../stacks/serving-settings';
import { fixedJobImageContext, fixedTrainerCode } from '../jobs/fixtures';
import { fixedDriftCode } from '../monitoring/fixtures';
import { fixedBuildContext } from './build-context-fixture';

export type Block = Record<string, unknown>;
export interface StackJson {
  resource: Record<string, Record<string, Block>>;
  ephemeral?: Record<string, Record<string, Block>>;
  output: Record<string, { value: unknown; sensitive?: boolean }>;
}

export const spec = (model: string, instanceCount = 2) => ({
  model,
  instanceType: 'Standard_DS3_v2',
  instanceCount,
});

export function synthServing(
  rollout: EnvironmentRollout,
  serving?: ServingSettings,
  envName: EnvName = 'prod',
): { stack: FraudStack; json: string; parsed: StackJson } {
  const env: EnvironmentConfig = { ...ENVIRONMENTS[envName], ...(serving ? { serving } : {}) };
  const stack = new FraudStack(Testing.app(), stackName(envName), {
    envName,
    env,
    rollout,
    // Fixed contexts and code bundles: no esbuild run per synth.
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

/** cdktf logical ids are the construct path joined by `_` plus an 8-hex hash. */
function pathOf(logicalId: string): string {
  return logicalId.replace(/_[0-9A-F]{8}$/, '').replace(/_/g, '/');
}

/** Resources of one type keyed by their construct path below the stack (e.g. `Serving/Endpoint/Traffic`). */
export function byPath(parsed: StackJson, type: string): Record<string, Block> {
  const out: Record<string, Block> = {};
  for (const [logicalId, block] of Object.entries(parsed.resource[type] ?? {}))
    out[pathOf(logicalId)] = block;
  return out;
}

/** The Terraform address of a resource given its construct path. */
export function addressOf(parsed: StackJson, type: string, pathBelowStack: string): string {
  for (const logicalId of Object.keys(parsed.resource[type] ?? {})) {
    if (pathOf(logicalId) === pathBelowStack) return `${type}.${logicalId}`;
  }
  throw new Error(`no ${type} at ${pathBelowStack}`);
}
