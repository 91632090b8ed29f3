import 'cdktf/lib/testing/adapters/jest';
import { autoscaleErrors } from '../../../constructs/serving/autoscale-settings';
import { keyRotationErrors } from '../../../constructs/serving/endpoint-keys-rotation';
import { ENDPOINT_TYPE } from '../../../constructs/serving/online-endpoint';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { validateConfiguration } from '../../../stacks/configuration';
import { servingSettingsErrors } from '../../../stacks/serving-settings';
import { TEST_ROLLOUTS } from '../../helpers/test-rollouts';
import { addressOf, byPath, spec, synthServing } from './harness';

const blueGreen = {
  deployments: { blue: spec('fraud-detection-model:1', 2), green: spec('fraud-detection-model:2', 3) },
  traffic: { blue: 50, green: 50 },
};

describe('autoscale per deployment', () => {
  const { parsed } = synthServing(blueGreen, { autoscale: { minInstances: 2, maxInstances: 10 } });
  const settings = byPath(parsed, 'azurerm_monitor_autoscale_setting');

  test('targets each deployment with CPU rules and the environment min/max', () => {
    expect(Object.keys(settings).sort()).toEqual(['Serving/Autoscale/blue', 'Serving/Autoscale/green']);
    const green = settings['Serving/Autoscale/green'];
    const greenId = `\${${addressOf(parsed, 'azapi_resource', 'Serving/Endpoint/Deployments/green')}.id}`;
    expect(green).toMatchObject({
      target_resource_id: greenId,
      enabled: true,
      profile: [
        {
          capacity: { default: 3, minimum: 2, maximum: 10 },
          rule: [
            {
              metric_trigger: {
                metric_name: 'CpuUtilizationPercentage',
                metric_resource_id: greenId,
                operator: 'GreaterThan',
                threshold: 70,
                time_window: 'PT5M',
              },
              scale_action: { direction: 'Increase', type: 'ChangeCount', value: 1, cooldown: 'PT5M' },
            },
            {
              metric_trigger: { operator: 'LessThan', threshold: 25 },
              scale_action: { direction: 'Decrease', value: 1 },
            },
          ],
        },
      ],
    });
  });

  test('deployments then ignore the capacity autoscale changes', () => {
    const blue = byPath(parsed, 'azapi_resource')['Serving/Endpoint/Deployments/blue'];
    expect(blue.lifecycle).toEqual({ ignore_changes: ['body.sku.capacity'] });
    expect(blue.ignore_body_changes).toEqual(['sku.capacity']);
  });

  test('autoscale false keeps the fixed count and no ignore', () => {
    const off = synthServing(blueGreen, { autoscale: false }).parsed;
    expect(off.resource.azurerm_monitor_autoscale_setting).toBeUndefined();
    const blue = byPath(off, 'azapi_resource')['Serving/Endpoint/Deployments/blue'];
    expect(blue.lifecycle).toBeUndefined();
    expect(blue.ignore_body_changes).toBeUndefined();
  });

  test('the default is the original 1..10 with CPU 70/25', () => {
    expect(autoscaleErrors('x', {})).toEqual([]);
    const { parsed: d } = synthServing(blueGreen, { authMode: 'Key' });
    const capacity = (
      byPath(d, 'azurerm_monitor_autoscale_setting')['Serving/Autoscale/blue'].profile as Array<{
        capacity: unknown;
      }>
    )[0].capacity;
    expect(capacity).toEqual({ default: 2, minimum: 1, maximum: 10 });
  });
});

describe('endpoint keys in Key Vault', () => {
  test('listKeys is ephemeral and feeds write-only secrets: no key value in state or outputs', () => {
    const { parsed, json } = synthServing(blueGreen);
    const ephemeral = parsed.ephemeral?.azapi_resource_action ?? {};
    const [address, block] = Object.entries(ephemeral)[0] ?? [];
    expect(block).toMatchObject({
      type: ENDPOINT_TYPE,
      action: 'listKeys',
      response_export_values: ['primaryKey', 'secondaryKey'],
    });
    expect(block?.depends_on).toBeUndefined();
    const secrets = byPath(parsed, 'azurerm_key_vault_secret');
    expect(secrets['Serving/Keys/PrimarySecret']).toMatchObject({
      name: expect.stringMatching(/^fraud-prod-[a-z0-9]{6}-primary-key$/),
      value_wo: `\${ephemeral.azapi_resource_action.${address}.output.primaryKey}`,
      value_wo_version: expect.stringContaining('terraform_data.Serving_Keys_PrimaryIssued_'),
    });
    expect(secrets['Serving/Keys/SecondarySecret'].value_wo).toContain('output.secondaryKey');
    for (const secret of Object.values(secrets)) expect(secret.value).toBeUndefined();
    expect(json).not.toMatch(/sensitive_output\.(primary|secondary)Key/);
  });

  test('bumping a rotation generation regenerates that key, re-reads the keys and re-sends the secret', () => {
    const { parsed } = synthServing(blueGreen, { keyRotation: { secondary: 2 } });
    const actions = byPath(parsed, 'azapi_resource_action');
    const regen = actions['Serving/Keys/RegenerateSecondary'];
    expect(regen).toMatchObject({ action: 'regenerateKeys', method: 'POST', body: { keyType: 'Secondary' } });
    expect(actions['Serving/Keys/RegeneratePrimary']).toBeUndefined();
    const generation = addressOf(parsed, 'terraform_data', 'Serving/Keys/SecondaryGeneration');
    // A bare traversal: Terraform rejects `"${...}"` here while loading the config (PITFALLS §8).
    expect(regen.lifecycle).toEqual({ replace_triggered_by: [generation] });
    expect(byPath(parsed, 'terraform_data')['Serving/Keys/SecondaryGeneration'].input).toEqual({
      generation: 2,
    });
    const listKeys = Object.values(parsed.ephemeral?.azapi_resource_action ?? {})[0];
    expect(listKeys?.depends_on).toEqual([
      addressOf(parsed, 'azapi_resource_action', 'Serving/Keys/RegenerateSecondary'),
    ]);
    const markers = byPath(parsed, 'terraform_data');
    expect(markers['Serving/Keys/SecondaryIssued'].triggers_replace).toEqual({ generation: 2 });
    expect(markers['Serving/Keys/PrimaryIssued'].triggers_replace).toEqual({ generation: 0 });
  });

  test('the vault gets fresh keys when a key is regenerated or the endpoint is re-created', () => {
    // value_wo is re-sent only when value_wo_version changes. The version is derived from a
    // per-key marker that is replaced on a rotation bump (triggers_replace) and when the endpoint
    // is replaced (its id counts as changed only then), so both events refresh the secret.
    const { parsed } = synthServing(blueGreen, { keyRotation: { secondary: 1 } });
    const endpoint = addressOf(parsed, 'azapi_resource', 'Serving/Endpoint');
    const secrets = byPath(parsed, 'azurerm_key_vault_secret');
    const markers = byPath(parsed, 'terraform_data');
    for (const [key, keyType, generation] of [
      ['primary', 'Primary', 0],
      ['secondary', 'Secondary', 1],
    ] as const) {
      const marker = addressOf(parsed, 'terraform_data', `Serving/Keys/${keyType}Issued`);
      expect(markers[`Serving/Keys/${keyType}Issued`]).toEqual({
        triggers_replace: { generation },
        lifecycle: { replace_triggered_by: [`${endpoint}.id`] },
      });
      expect(
        secrets[`Serving/Keys/${key === 'primary' ? 'Primary' : 'Secondary'}Secret`].value_wo_version,
      ).toBe(`\${(parseint(substr(sha256(${marker}.id), 0, 12), 16) + 1)}`);
    }
  });

  test("secrets are written only once the deployer's Key Vault grant has had time to take effect", () => {
    const { parsed } = synthServing(blueGreen);
    const grant = addressOf(parsed, 'azurerm_role_assignment', 'Platform/KeyVault/DeployerSecretsOfficer');
    const wait = addressOf(parsed, 'time_sleep', 'Serving/Keys/WriterGrantsPropagation/Wait');
    expect(byPath(parsed, 'time_sleep')['Serving/Keys/WriterGrantsPropagation/Wait']).toMatchObject({
      create_duration: '10m',
      depends_on: [grant],
      triggers: { grant_0: `\${${grant}.id}` },
    });
    for (const secret of Object.values(byPath(parsed, 'azurerm_key_vault_secret')))
      expect(secret.depends_on).toEqual(expect.arrayContaining([grant, wait]));
  });

  test('token-auth endpoints have no keys', () => {
    const { parsed } = synthServing(blueGreen, { authMode: 'AMLToken' });
    expect(parsed.ephemeral).toBeUndefined();
    expect(parsed.resource.azurerm_key_vault_secret).toBeUndefined();
    expect(parsed.output.endpoint_key_secret_names).toBeUndefined();
  });
});

describe('serving settings validation', () => {
  test('the committed serving settings pass their rules', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      expect(servingSettingsErrors(env, ENVIRONMENTS[env].serving)).toEqual([]);
    }
  });

  test('every bad setting is named with environment, field, value and rule', () => {
    const errors = servingSettingsErrors('prod', {
      authMode: 'Basic' as never,
      autoscale: {
        minInstances: 0,
        maxInstances: 30,
        scaleOutCpuPercent: 50,
        scaleInCpuPercent: 60,
        cooldown: '5m',
      },
      maxCanaryStep: 0,
      keyRotation: { primary: -1 },
      localModelPackages: { blue: '' },
    });
    expect(errors).toEqual([
      'prod.serving.authMode = "Basic": must be one of "Key", "AMLToken", "AADToken"',
      'prod.serving.autoscale.minInstances = 0: must be an integer 1..20',
      'prod.serving.autoscale.maxInstances = 30: must be an integer 1..20',
      'prod.serving.autoscale.scaleInCpuPercent = 60: must be below scaleOutCpuPercent (50) or the rules flap',
      "prod.serving.autoscale.cooldown = '5m': must be minutes as ISO-8601, e.g. 'PT5M'",
      'prod.serving.maxCanaryStep = 0: must be an integer 1..100 (percentage points per change)',
      'prod.serving.keyRotation.primary = -1: must be a non-negative integer generation (bump it by 1 to rotate)',
      'prod.serving.keyRotation = {"primary":-1}: only applies to authMode "Key"',
      'prod.serving.localModelPackages.blue = "": must be a folder path',
    ]);
    expect(keyRotationErrors('r', { secondary: 1.5 })).toEqual([
      'r.secondary = 1.5: must be a non-negative integer generation (bump it by 1 to rotate)',
    ]);
  });

  test('the configuration check refuses an instance count outside the autoscale range or a package for an undeclared deployment', () => {
    // Checked once for the whole app (stacks/configuration.ts), before any stack is built.
    const prod = {
      ...ENVIRONMENTS.prod,
      serving: { autoscale: { minInstances: 1, maxInstances: 2 }, localModelPackages: { red: 'models/x' } },
    };
    expect(() =>
      validateConfiguration({ ...ENVIRONMENTS, prod }, { ...TEST_ROLLOUTS, prod: blueGreen }),
    ).toThrow(
      /stacks\/rollout\.ts:\n {2}- prod: deployment 'green': instanceCount 3 must lie within prod\.serving\.autoscale 1\.\.2[^\n]*\n {2}- prod\.serving\.localModelPackages\.red: names a deployment that stacks\/rollout\.ts does not declare/,
    );
    const overfull = { deployments: blueGreen.deployments, traffic: { blue: 50, green: 60 } };
    expect(() => validateConfiguration(ENVIRONMENTS, { ...TEST_ROLLOUTS, prod: overfull })).toThrow(
      /prod: traffic must sum to 100, got 110/,
    );
  });
});
