import 'cdktf/lib/testing/adapters/jest';
import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Testing } from 'cdktf';
import { ExistingModelRegistry } from '../../constructs/platform/model-registry';
import { ENV_NAMES, ENVIRONMENTS, EnvName } from '../../stacks/environments';
import { FraudStack, stackName } from '../../stacks/fraud-stack';
import { validateSynthesizedAzapi } from '../helpers/azapi-schema';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';
import { testRollout } from '../helpers/test-rollouts';

type StackJson = {
  terraform: { backend: Record<string, unknown>; required_providers: Record<string, { version: string }> };
  locals?: Record<string, unknown>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string; sensitive?: boolean }>;
};

function synthEnv(envName: EnvName) {
  // Fixed scoring-image, job image and trainer writers keep the snapshots independent of service/
  // and model/ changes, and
  // a fixed test rollout keeps them independent of an operator's edit to stacks/rollout.ts.
  const stack = new FraudStack(Testing.app(), stackName(envName), {
    envName,
    env: ENVIRONMENTS[envName],
    rollout: testRollout(envName),
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

/** The plan-time guard of stacks/backend.ts (other terraform_data resources are not guards). */
const localStateGuards = (parsed: StackJson): Record<string, unknown>[] =>
  Object.entries(parsed.resource.terraform_data ?? {})
    .filter(([id]) => id.startsWith('LocalStateGuard'))
    .map(([, block]) => block);

const synths = Object.fromEntries(ENV_NAMES.map((e) => [e, synthEnv(e)])) as Record<
  EnvName,
  ReturnType<typeof synthEnv>
>;

describe.each(ENV_NAMES)('FraudStack %s', (envName) => {
  const { stack, json, parsed } = synths[envName];

  test('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('every azapi body passes the 2026-05-01 schema', () => {
    expect(validateSynthesizedAzapi(json)).toEqual([]);
  });

  test('pins both providers and uses local state by default', () => {
    expect(parsed.terraform.required_providers.azapi.version).toBe('~> 2.12');
    expect(parsed.terraform.required_providers.azurerm.version).toBe('4.55.0');
    expect(parsed.terraform.backend).toEqual({
      local: { path: `../../../terraform.fraud-${envName}.tfstate` },
    });
  });

  test('local state: only dev may plan against it; the others carry the plan-time guard', () => {
    const guards = localStateGuards(parsed);
    if (envName === 'dev') {
      expect(guards).toEqual([]);
    } else {
      expect(guards).toHaveLength(1);
      expect(JSON.stringify(guards[0])).toContain(`fraud-${envName} would plan against LOCAL state`);
      expect(parsed.locals).toEqual({ state_backend: 'local' });
    }
  });

  test('every taggable resource carries the environment tags', () => {
    for (const [type, resources] of Object.entries(parsed.resource)) {
      for (const [id, r] of Object.entries(resources)) {
        if (!('tags' in r)) continue;
        expect({ type, id, tags: r.tags }).toMatchObject({
          tags: { environment: envName, owner: 'ml-platform', costCentre: `cc-fraud-${envName}` },
        });
      }
    }
  });

  test('stateful resources have prevent_destroy', () => {
    for (const cls of [AzKeyVault, StorageAccount, MachineLearningWorkspace]) {
      expect(json).toHaveResourceWithProperties(cls, { lifecycle: { prevent_destroy: true } });
    }
  });

  test('diagnostics go to the environment Log Analytics workspace', () => {
    const diags = Object.values(parsed.resource.azurerm_monitor_diagnostic_setting);
    // 5 platform resources + the endpoint's traffic log (stacks/monitoring.ts)
    expect(diags).toHaveLength(6);
    expect(json).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: expect.stringContaining('azurerm_key_vault') as unknown as string,
    });
  });

  test('exposes typed platform fields', () => {
    expect(stack.envName).toBe(envName);
    expect(stack.names.workspace).toBe(`mlw-fraud-${envName}`);
    expect(stack.platform.workspace.location).toBe(ENVIRONMENTS[envName].location);
    expect(stack.modelRegistry).toBeInstanceOf(ExistingModelRegistry);
    for (const token of [
      stack.platform.resourceGroup.id,
      stack.platform.logAnalytics.workspaceResourceId,
      stack.platform.appInsights.connectionString,
      stack.platform.keyVault.keyVaultId,
      stack.platform.storage.storageAccountId,
      stack.platform.containerRegistry.loginServer,
      stack.platform.workspace.workspaceId,
      stack.platform.workspace.principalId,
      stack.modelRegistry.registryId,
    ]) {
      expect(token).toContain('TfToken');
    }
  });

  test('outputs name the main resources; the connection string is sensitive', () => {
    expect(Object.keys(parsed.output).sort()).toEqual([
      'app_insights_connection_string',
      'container_registry_login_server',
      'endpoint_key_secret_names',
      'endpoint_name',
      'endpoint_scoring_uri',
      'key_vault_uri',
      'model_registry_name',
      'resource_group_name',
      'scoring_image_version',
      'storage_account_name',
      'training_data_blob',
      'workspace_id',
      'workspace_name',
    ]);
    expect(parsed.output.app_insights_connection_string.sensitive).toBe(true);
  });
});

describe('FraudStack per-environment differences', () => {
  test('prod storage is geo-redundant, dev is not; no environment owns a registry (fraud-shared does)', () => {
    expect(synths.prod.json).toHaveResourceWithProperties(StorageAccount, {
      account_replication_type: 'GRS',
    });
    expect(synths.dev.json).toHaveResourceWithProperties(StorageAccount, { account_replication_type: 'LRS' });
    for (const e of ENV_NAMES) {
      const types = Object.values(synths[e].parsed.resource.azapi_resource).map((r) => r.type as string);
      expect(types.filter((t) => t.startsWith('Microsoft.MachineLearningServices/registries@'))).toEqual([]);
    }
  });

  test('globally unique names differ per environment', () => {
    const names = ENV_NAMES.map((e) => synths[e].stack.names.storageAccount);
    expect(new Set(names).size).toBe(3);
  });

  test('the stack is built from the settings it is given, not from the committed constants', () => {
    const env = { ...ENVIRONMENTS.dev, location: 'northeurope', namePrefix: 'fraudx', logRetentionDays: 45 };
    const stack = new FraudStack(Testing.app(), 'fraud-dev', {
      envName: 'dev',
      env,
      rollout: testRollout('dev'),
      writeBuildContext: fixedBuildContext,
    });
    expect(stack.env).toEqual(env);
    expect(stack.names.workspace).toBe('mlw-fraudx-dev');
    const parsed = JSON.parse(Testing.synth(stack)) as StackJson;
    const rg = Object.values(parsed.resource.azurerm_resource_group)[0];
    expect(rg.location).toBe('northeurope');
    const logs = Object.values(parsed.resource.azurerm_log_analytics_workspace)[0];
    expect(logs.retention_in_days).toBe(45);
  });

  test('protectStatefulResources: false drops prevent_destroy', () => {
    const stack = new FraudStack(Testing.app(), 'fraud-dev', {
      envName: 'dev',
      env: { ...ENVIRONMENTS.dev, protectStatefulResources: false },
      rollout: testRollout('dev'),
      writeBuildContext: fixedBuildContext,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AzKeyVault, {
      lifecycle: { prevent_destroy: false },
    });
  });

  test('TF_STATE_ALLOW_LOCAL=1 (allowAllEnvironments) lets prod use local state without the guard', () => {
    const stack = new FraudStack(Testing.app(), 'fraud-prod', {
      envName: 'prod',
      env: ENVIRONMENTS.prod,
      rollout: testRollout('prod'),
      writeBuildContext: fixedBuildContext,
      backend: { kind: 'local', allowAllEnvironments: true },
    });
    const parsed = JSON.parse(Testing.synth(stack)) as StackJson;
    expect(parsed.terraform.backend).toEqual({ local: { path: '../../../terraform.fraud-prod.tfstate' } });
    expect(localStateGuards(parsed)).toEqual([]);
  });

  test('remote backend: one state blob per stack, Entra ID auth', () => {
    const stack = new FraudStack(Testing.app(), 'fraud-prod', {
      envName: 'prod',
      env: ENVIRONMENTS.prod,
      rollout: testRollout('prod'),
      writeBuildContext: fixedBuildContext,
      backend: {
        kind: 'azurerm',
        resourceGroupName: 'rg-tfstate',
        storageAccountName: 'sttfstate',
        containerName: 'tfstate',
        keyPrefix: 'fraud/',
      },
    });
    const parsed = JSON.parse(Testing.synth(stack)) as StackJson;
    expect(localStateGuards(parsed)).toEqual([]);
    expect(parsed.terraform.backend).toEqual({
      azurerm: {
        resource_group_name: 'rg-tfstate',
        storage_account_name: 'sttfstate',
        container_name: 'tfstate',
        key: 'fraud/fraud-prod.tfstate',
        use_azuread_auth: true,
      },
    });
  });
});
