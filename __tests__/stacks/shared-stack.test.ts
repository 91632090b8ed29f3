/**
 * fraud-shared and how the environments use it: one registry (regions from SHARED), found by
 * name from the same settings; least-privilege grants; every deployment's model is a Terraform
 * reference to a resource or data source of its own stack; every environment has the jobs.
 */
import 'cdktf/lib/testing/adapters/jest';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Testing } from 'cdktf';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ENV_NAMES,
  ENVIRONMENTS,
  EnvironmentConfig,
  EnvName,
  SHARED,
  SharedConfig,
  sharedErrors,
} from '../../stacks/environments';
import { FraudStack, stackName } from '../../stacks/fraud-stack';
import { SHARED_STACK_NAME, SharedStack, sharedRegistryName } from '../../stacks/shared-stack';
import { validateSynthesizedAzapi } from '../helpers/azapi-schema';
import { TEST_ROLLOUTS, testRollout } from '../helpers/test-rollouts';
import { validateConfiguration } from '../../stacks/configuration';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';

type Block = Record<string, unknown>;
interface StackJson {
  data?: Record<string, Record<string, Block>>;
  resource: Record<string, Record<string, Block>>;
  output: Record<string, { value: unknown }>;
  removed?: { from: string; lifecycle: { destroy: boolean } }[];
}

const PUBLISHER = { name: 'github-retrain', objectId: '11111111-2222-3333-4444-555555555555' };
const DEPLOYER = { name: 'github-deploy-prod', objectId: '66666666-7777-8888-9999-000000000000' };

function synthShared(shared: SharedConfig = SHARED) {
  const stack = new SharedStack(Testing.app(), SHARED_STACK_NAME, { shared });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

function synthEnv(envName: EnvName, env: EnvironmentConfig = ENVIRONMENTS[envName]) {
  const stack = new FraudStack(Testing.app(), stackName(envName), {
    envName,
    env,
    rollout: testRollout(envName),
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

const azapi = (parsed: StackJson, armType: string): Block[] =>
  Object.values(parsed.resource.azapi_resource ?? {}).filter(
    (r) => (r.type as string).split('@')[0] === `Microsoft.MachineLearningServices/${armType}`,
  );

describe('fraud-shared', () => {
  const { stack, json, parsed } = synthShared();

  test('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('one registry with its replica regions and storage from SHARED, protected from destroy', () => {
    const [registry] = azapi(parsed, 'registries');
    expect(registry).toMatchObject({
      name: sharedRegistryName(),
      location: SHARED.location,
      lifecycle: { prevent_destroy: true },
    });
    const regions = (registry!.body as { properties: { regionDetails: Block[] } }).properties.regionDetails;
    expect(regions.map((r) => r.location)).toEqual([SHARED.location, ...SHARED.registry.replicaLocations]);
    expect(JSON.stringify(regions)).toContain(`Standard_${SHARED.registry.storageReplication}`);
    expect(stack.modelRegistry.registryName).toMatch(/^mlr-fraud-shared-[0-9a-z]{6}$/);
    expect(Object.keys(parsed.output).sort()).toEqual([
      'model_registry_discovery_url',
      'model_registry_id',
      'model_registry_name',
      'resource_group_name',
    ]);
  });

  test('every azapi body passes the schema; no grants without principals in the settings', () => {
    expect(validateSynthesizedAzapi(json)).toEqual([]);
    expect(parsed.resource.azurerm_role_assignment).toBeUndefined();
  });

  test('publishers may register; environment deployers may read and assign only AzureML Registry User', () => {
    const { json: withPrincipals, parsed: p } = synthShared({
      ...SHARED,
      registryPublishers: [PUBLISHER],
      environmentDeployers: [DEPLOYER],
    });
    const roles = Object.values(p.resource.azurerm_role_assignment ?? {});
    expect(roles.map((r) => [r.principal_id, r.role_definition_name]).sort()).toEqual(
      [
        [DEPLOYER.objectId, 'Reader'],
        [DEPLOYER.objectId, 'Role Based Access Control Administrator'],
        [PUBLISHER.objectId, 'AzureML Registry User'],
      ].sort(),
    );
    for (const r of roles) expect(r.scope).toContain('azapi_resource.ModelRegistry');
    expect(withPrincipals).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Role Based Access Control Administrator',
      condition_version: '2.0',
    });
    const rbac = roles.find((r) => r.role_definition_name === 'Role Based Access Control Administrator')!;
    const condition = rbac.condition as string;
    expect(condition).toContain("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}");
    expect(condition).toContain("ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}");
    expect(
      condition.match(
        /GuidEquals \{\$\{data\.azurerm_role_definition\.RegistryUserRole\.role_definition_id\}\}/g,
      ),
    ).toHaveLength(2);
  });

  test('bad shared settings are listed together', () => {
    const errors = sharedErrors({
      ...SHARED,
      tags: { ...SHARED.tags, environment: 'prod' },
      registry: { replicaLocations: ['westeurope', 'North Europe'], storageReplication: 'X' as never },
      registryPublishers: [{ name: 'ci', objectId: 'not-a-guid' }],
    });
    expect(errors).toEqual([
      `shared.tags.environment = "prod": must be 'shared'`,
      'shared.registry.replicaLocations[0] = "westeurope": must differ from location and from the other replicas',
      expect.stringMatching(
        /^shared\.registry\.replicaLocations\[1\] = "North Europe": must be an Azure region/,
      ),
      expect.stringMatching(/^shared\.registry\.storageReplication = "X": must be one of/),
      'shared.registryPublishers[0].objectId = "not-a-guid": must be an Entra object id (a GUID)',
    ]);
    // The same rules run with every environment's, in the one configuration check of buildApp.
    expect(() =>
      validateConfiguration(ENVIRONMENTS, TEST_ROLLOUTS, { ...SHARED, location: 'West Europe' }),
    ).toThrow(/stacks\/environments\.ts[\s\S]*shared\.location = "West Europe": must be an Azure region/);
  });
});

const envs = Object.fromEntries(ENV_NAMES.map((e) => [e, synthEnv(e)])) as Record<
  EnvName,
  ReturnType<typeof synthEnv>
>;

/** Terraform addresses (`type.id`, `data.type.id`) a string interpolates. */
function references(value: string): string[] {
  return [...value.matchAll(/\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_]+)\./g)].map(
    (m) => `${m[1] ?? ''}${m[2]}.${m[3]}`,
  );
}
function exists(parsed: StackJson, address: string): boolean {
  const [a, b, c] = address.split('.');
  return a === 'data' ? Boolean(parsed.data?.[b!]?.[c!]) : Boolean(parsed.resource[a!]?.[b!]);
}
const deploymentModels = (parsed: StackJson): string[] =>
  azapi(parsed, 'workspaces/onlineEndpoints/deployments').map(
    (d) => (d.body as { properties: { model: string } }).properties.model,
  );

describe.each(ENV_NAMES)('fraud-%s and the shared registry', (envName) => {
  const { stack, parsed, json } = envs[envName];

  test('looks the registry up by the name the shared stack gives it, never by a copied id', () => {
    const lookups = Object.values(parsed.data?.azapi_resource ?? {}).filter(
      (d) => (d.type as string).split('@')[0] === 'Microsoft.MachineLearningServices/registries',
    );
    expect(lookups).toEqual([
      expect.objectContaining({
        name: synthShared().stack.modelRegistry.registryName,
        parent_id: expect.stringMatching(
          /^\/subscriptions\/\$\{data\.azurerm_client_config\.ClientConfig\.subscription_id\}\/resourceGroups\/rg-fraud-shared$/,
        ),
        ignore_not_found: true,
        lifecycle: {
          postcondition: [
            {
              condition: '${self.exists}',
              error_message: expect.stringContaining('npx cdktf deploy fraud-shared'),
            },
          ],
        },
      }),
    ]);
    expect(json).not.toMatch(/\/providers\/Microsoft\.MachineLearningServices\/registries\//);
    // The old per-environment registry is forgotten, never destroyed.
    expect(parsed.removed).toEqual([
      { from: 'azapi_resource.ModelRegistry_B238A970', lifecycle: { destroy: false } },
    ]);
  });

  test('workspace, endpoint and drift-job identities get AzureML Registry User on the shared registry, and nothing else there', () => {
    const onRegistry = Object.values(parsed.resource.azurerm_role_assignment).filter((r) =>
      (r.scope as string).includes('data.azapi_resource.SharedModelRegistry_Lookup'),
    );
    expect(onRegistry.map((r) => r.role_definition_name)).toEqual([
      'AzureML Registry User',
      'AzureML Registry User',
      'AzureML Registry User',
    ]);
    const principals = onRegistry.map((r) => r.principal_id as string).sort();
    // The jobs cluster (the daily drift job reads its model), the workspace's identity and the
    // endpoint's identity (whatever kind the endpoint uses).
    expect(principals).toEqual([
      expect.stringMatching(/^\$\{azapi_resource\.Jobs_Cluster_[0-9A-F]+\.[a-z_[\]0-9.]*principal_id\}$/),
      expect.stringMatching(
        /^\$\{azurerm_machine_learning_workspace\.Platform_Workspace_[0-9A-F]+\.identity\[0\]\.principal_id\}$/,
      ),
      expect.stringMatching(/^\$\{[a-z_]+\.Serving_Endpoint_[A-Za-z0-9_]+\.[a-z_[\]0-9.]*principal_id\}$/),
    ]);
  });

  test("every deployment's model is a Terraform reference to a resource or data source of this stack", () => {
    const models = deploymentModels(parsed);
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      const refs = references(model);
      expect({ model, refs }).toEqual({ model, refs: expect.arrayContaining([expect.any(String)]) });
      for (const ref of refs) expect({ ref, exists: exists(parsed, ref) }).toEqual({ ref, exists: true });
    }
  });

  test('a registry version missing at plan fails with the version and the register command', () => {
    const versions = Object.values(parsed.data?.azapi_resource ?? {}).filter((d) =>
      (d.type as string).startsWith('Microsoft.MachineLearningServices/registries/models/versions@'),
    );
    expect(versions.length).toBeGreaterThan(0);
    const [first] = versions;
    const ref = testRollout(envName).deployments.blue!.model;
    const [name, version] = ref.split(':');
    expect(first).toMatchObject({ name: version, ignore_not_found: true });
    const message = (first!.lifecycle as { postcondition: { error_message: string }[] }).postcondition[0]!
      .error_message;
    expect(message).toContain(`Model version ${ref} is not in the registry '${sharedRegistryName()}'`);
    expect(message).toContain(
      `npm run register -- --package models/${name}/${version} --registry ${sharedRegistryName()}`,
    );
  });

  test('has the compute cluster, job image, code asset, data asset, training job and weekly schedule', () => {
    expect(azapi(parsed, 'workspaces/computes')).toHaveLength(1);
    expect(azapi(parsed, 'workspaces/environments/versions').map((v) => v.name)).toContain(
      stack.jobs.image.version,
    );
    // the trainer and the drift CLI (stacks/drift-job.ts)
    expect(azapi(parsed, 'workspaces/codes/versions')).toHaveLength(2);
    expect(azapi(parsed, 'workspaces/data/versions')).toHaveLength(1);
    const [schedule] = azapi(parsed, 'workspaces/schedules');
    const p = (schedule!.body as { properties: Block }).properties as {
      isEnabled: boolean;
      trigger: Block;
      action: { jobDefinition: { jobType: string; command: string } };
    };
    expect(p.trigger).toMatchObject({ expression: '0 5 * * 1', timeZone: 'UTC' });
    expect(p.action.jobDefinition.jobType).toBe('Command');
    expect(p.action.jobDefinition.command).toContain('node train.cjs');
    expect(p.isEnabled).toBe({ dev: true, staging: false, prod: false }[envName]);
  });
});

describe('dev with a local package', () => {
  test('the deployment references the workspace model version created in the same apply', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-pkg-'));
    try {
      const pkg = path.join(dir, 'fraud-detection-model', '1');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, 'model.json'),
        JSON.stringify({ name: 'fraud-detection-model', version: '1' }),
      );
      writeFileSync(path.join(pkg, 'model.onnx'), 'onnx');
      const { parsed } = synthEnv('dev', {
        ...ENVIRONMENTS.dev,
        serving: { ...ENVIRONMENTS.dev.serving, localModelPackages: { blue: pkg } },
      });
      const [model] = deploymentModels(parsed);
      expect(references(model!)).toEqual([
        expect.stringMatching(/^azapi_resource\.Serving_LocalModels_blue_Version_/),
      ]);
      expect(exists(parsed, references(model!)[0]!)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
