/**
 * Every stack the app synthesizes, built once per test file from the fixed test rollouts (never
 * the live stacks/rollout.ts), plus the variants that emit extra blocks: key rotation on (the
 * `terraform_data` generations, `regenerateKeys` actions and `replace_triggered_by`) and token
 * auth (no keys at all).
 */
import { TerraformStack, Testing } from 'cdktf';
import {
  ENV_NAMES,
  ENVIRONMENTS,
  EnvironmentConfig,
  EnvName,
  SHARED,
  SharedConfig,
} from '../../stacks/environments';
import { FraudStack, stackName } from '../../stacks/fraud-stack';
import { SHARED_STACK_NAME, SharedStack } from '../../stacks/shared-stack';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { testRollout } from '../helpers/test-rollouts';

export type Block = Record<string, unknown>;
/** Terraform JSON of one stack: `resource`, `data`, `ephemeral` are type -> name -> block. */
export interface TerraformJson {
  terraform?: Record<string, unknown>;
  provider?: Record<string, Block[]>;
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  ephemeral?: Record<string, Record<string, Block>>;
  moved?: { from: string; to: string }[];
  [key: string]: unknown;
}

export interface SynthesizedStack {
  /** `fraud-dev`, or `fraud-prod+key-rotation` for a variant. */
  readonly name: string;
  /** The cdk.tf.json text. */
  readonly json: string;
  readonly parsed: TerraformJson;
}

function synthesized(name: string, stack: TerraformStack): SynthesizedStack {
  const json = Testing.synth(stack);
  return { name, json, parsed: JSON.parse(json) as TerraformJson };
}

function synth(name: string, envName: EnvName, env: EnvironmentConfig): SynthesizedStack {
  // Fixed build contexts and code bundles: the same stacks as the app's, without esbuild.
  const stack = new FraudStack(Testing.app(), stackName(envName), {
    envName,
    env,
    rollout: testRollout(envName),
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  return synthesized(name, stack);
}

function synthShared(name: string, shared: SharedConfig): SynthesizedStack {
  return synthesized(name, new SharedStack(Testing.app(), SHARED_STACK_NAME, { shared }));
}

/**
 * The app's stacks as `buildApp` makes them (fraud-shared, then each environment), then the
 * variants: the shared stack with publishers and deployers, prod with key rotation on, prod with
 * token auth.
 */
export function synthesizeAllStacks(): SynthesizedStack[] {
  const stacks = [
    synthShared(SHARED_STACK_NAME, SHARED),
    ...ENV_NAMES.map((env) => synth(stackName(env), env, ENVIRONMENTS[env])),
  ];
  stacks.push(
    synthShared(`${SHARED_STACK_NAME}+grants`, {
      ...SHARED,
      registryPublishers: [{ name: 'github-retrain', objectId: '11111111-2222-3333-4444-555555555555' }],
      environmentDeployers: [
        { name: 'github-deploy-prod', objectId: '66666666-7777-8888-9999-000000000000' },
      ],
    }),
  );
  const prod = ENVIRONMENTS.prod;
  stacks.push(
    synth('fraud-prod+key-rotation', 'prod', {
      ...prod,
      serving: { ...prod.serving, authMode: 'Key', keyRotation: { primary: 1, secondary: 2 } },
    }),
    synth('fraud-prod+token-auth', 'prod', {
      ...prod,
      serving: { ...prod.serving, authMode: 'AMLToken', keyRotation: undefined },
    }),
  );
  return stacks;
}

/** Every block of the three addressable kinds, with its Terraform address. */
export function* allBlocks(
  parsed: TerraformJson,
): Generator<{ kind: 'resource' | 'data' | 'ephemeral'; type: string; address: string; block: Block }> {
  for (const kind of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, blocks] of Object.entries(parsed[kind] ?? {})) {
      for (const [name, block] of Object.entries(blocks)) {
        const address = kind === 'resource' ? `${type}.${name}` : `${kind}.${type}.${name}`;
        yield { kind, type, address, block };
      }
    }
  }
}
