import 'cdktf/lib/testing/adapters/jest';
import {
  ENDPOINT_TYPE,
  DEPLOYMENT_TYPE,
  onlineEndpointErrors,
} from '../../../constructs/serving/online-endpoint';
import { validateAzapiBody, validateSynthesizedAzapi } from '../../helpers/azapi-schema';
import { addressOf, byPath, spec, synthServing } from './harness';

const canary = {
  deployments: {
    blue: spec('fraud-detection-model:1'),
    green: spec('fraud-detection-model:2', 2),
    shadow: spec('fraud-detection-model:3', 2),
  },
  traffic: { blue: 90, green: 10, shadow: 0 },
  mirror: { shadow: 20 },
};

describe('OnlineEndpoint in the prod stack (blue/green canary + mirror)', () => {
  const { json, parsed } = synthServing(canary);
  const azapi = byPath(parsed, 'azapi_resource');
  const actions = byPath(parsed, 'azapi_resource_action');
  const updates = byPath(parsed, 'azapi_update_resource');
  const endpointAddress = addressOf(parsed, 'azapi_resource', 'Serving/Endpoint');
  const identityAddress = addressOf(parsed, 'azurerm_user_assigned_identity', 'Serving/Endpoint/Identity');
  const deploymentAddresses = ['blue', 'green', 'shadow'].map((d) =>
    addressOf(parsed, 'azapi_resource', `Serving/Endpoint/Deployments/${d}`),
  );

  test('every azapi body (merged with name/location/tags/identity) passes the 2026-05-01 schema', () => {
    expect(validateSynthesizedAzapi(json)).toEqual([]);
  });

  test('the endpoint starts with empty traffic, ignores drift in its traffic fields and exports scoringUri', () => {
    const endpoint = azapi['Serving/Endpoint'];
    expect(endpoint).toMatchObject({
      type: ENDPOINT_TYPE,
      identity: [{ type: 'UserAssigned', identity_ids: [`\${${identityAddress}.id}`] }],
      body: { properties: { authMode: 'Key', traffic: {}, mirrorTraffic: {} } },
      ignore_body_changes: ['properties.traffic', 'properties.mirrorTraffic'],
      response_export_values: ['properties.scoringUri'],
    });
  });

  test('one deployment per rollout entry with the managed body, probes, request settings, lock and long timeouts', () => {
    const green = azapi['Serving/Endpoint/Deployments/green'];
    expect(green).toMatchObject({
      type: DEPLOYMENT_TYPE,
      name: 'green',
      locks: ['${azapi_resource.Serving_Endpoint_6026893D.id}'],
      timeouts: { create: '90m', update: '90m', delete: '90m' },
      body: {
        sku: { name: 'Default', capacity: 2 },
        properties: {
          endpointComputeType: 'Managed',
          instanceType: 'Standard_DS3_v2',
          appInsightsEnabled: true,
          environmentVariables: { DEPLOYMENT_NAME: 'green' },
          requestSettings: { maxConcurrentRequestsPerInstance: 16, requestTimeout: 'PT5S' },
          livenessProbe: { initialDelay: 'PT10S', period: 'PT10S', timeout: 'PT2S', successThreshold: 1 },
          readinessProbe: { timeout: 'PT2S' },
        },
      },
    });
    const body = green.body as { properties: { model: string; environmentId: string } };
    // The version comes from the plan-time look-up of the shared registry (a missing one fails plan).
    expect(body.properties.model).toMatch(
      /^azureml:\/\/registries\/mlr-fraud-shared-[a-z0-9]{6}\/models\/fraud-detection-model\/versions\/\$\{data\.azapi_resource\.Serving_RegistryModels_green_Lookup_[0-9A-F]{8}\.name\}$/,
    );
    expect(body.properties.environmentId).toBe(
      '${azapi_resource.Serving_ScoringImage_EnvironmentVersion_052E06EC.id}',
    );
    // The App Insights connection string travels in sensitive_body, so the body itself stays readable in plans.
    expect(green.sensitive_body).toEqual({
      properties: {
        environmentVariables: {
          APPLICATIONINSIGHTS_CONNECTION_STRING: expect.stringContaining('connection_string'),
        },
      },
    });
    expect(JSON.stringify(green.body)).not.toContain('connection_string');
  });

  test('the traffic update depends on every deployment it names and sends the full maps, drained ones as 0', () => {
    const traffic = updates['Serving/Endpoint/Traffic'];
    expect(traffic.depends_on).toEqual(deploymentAddresses);
    expect(traffic).toMatchObject({
      type: ENDPOINT_TYPE,
      resource_id: `\${${endpointAddress}.id}`,
      locks: [`\${${endpointAddress}.id}`],
    });
    // GET-merge-PUT keeps keys we leave out: every declared deployment is listed, in both maps.
    expect(traffic.body).toEqual({
      properties: {
        traffic: { blue: 90, green: 10, shadow: 0 },
        mirrorTraffic: { blue: 0, green: 0, shadow: 20 },
      },
    });
    // Merged into the live endpoint, the body stays a valid endpoint body.
    expect(
      validateAzapiBody(ENDPOINT_TYPE, {
        name: 'fraud-prod-x',
        location: 'westeurope',
        properties: { authMode: 'Key', ...(traffic.body as { properties: object }).properties },
      }),
    ).toEqual([]);
  });

  test('traffic drift is visible and reverted: the split is a resource that reads the endpoint back', () => {
    // azapi_resource_action never reads back (its Read only re-saves state); azapi_update_resource
    // compares the remote traffic with stacks/rollout.ts on every plan (online-endpoint.ts).
    expect(actions['Serving/Endpoint/Traffic']).toBeUndefined();
    expect(updates['Serving/Endpoint/Traffic']).toBeDefined();
    // A re-created or changed endpoint gets the whole map again.
    expect(updates['Serving/Endpoint/Traffic'].lifecycle).toEqual({
      replace_triggered_by: [endpointAddress],
    });
  });

  test('a destroy-time PUT zeroes traffic before any deployment is deleted', () => {
    const drain = actions['Serving/Endpoint/DrainOnDestroy'];
    expect(drain).toMatchObject({
      when: 'destroy',
      method: 'PUT',
      body: { properties: { traffic: {}, mirrorTraffic: {} } },
    });
    // depends_on => Terraform destroys (runs) the drain before the deployments it depends on.
    expect(drain.depends_on).toEqual(deploymentAddresses);
    expect(validateAzapiBody(ENDPOINT_TYPE, { name: 'fraud-prod-x', ...(drain.body as object) })).toEqual([]);
  });

  test('the endpoint has a user-assigned identity whose every grant exists before the endpoint', () => {
    const grants = Object.entries(parsed.resource.azurerm_role_assignment ?? {}).filter(
      ([, g]) => g.principal_id === `\${${identityAddress}.principal_id}`,
    );
    expect(grants.map(([, g]) => g.role_definition_name).sort()).toEqual([
      'AcrPull',
      'AzureML Registry User',
      'Monitoring Metrics Publisher',
      'Storage Blob Data Reader',
    ]);
    for (const [, g] of grants) expect(g.principal_type).toBe('ServicePrincipal');
    const endpointDependsOn = azapi['Serving/Endpoint'].depends_on as string[];
    expect(endpointDependsOn).toEqual(
      expect.arrayContaining(grants.map(([logicalId]) => `azurerm_role_assignment.${logicalId}`)),
    );
  });

  test('deployments start only once the identity grants have had time to take effect (RBAC propagation)', () => {
    const identityGrants = Object.keys(parsed.resource.azurerm_role_assignment ?? {})
      .filter(
        (id) =>
          parsed.resource.azurerm_role_assignment[id].principal_id === `\${${identityAddress}.principal_id}`,
      )
      .map((id) => `azurerm_role_assignment.${id}`);
    const wait = addressOf(parsed, 'time_sleep', 'Serving/Endpoint/IdentityGrantsPropagation/Wait');
    const sleep = byPath(parsed, 'time_sleep')['Serving/Endpoint/IdentityGrantsPropagation/Wait'];
    expect(sleep.create_duration).toBe('10m');
    expect([...(sleep.depends_on as string[])].sort()).toEqual([...identityGrants].sort());
    expect(Object.values(sleep.triggers as Record<string, string>)).toHaveLength(identityGrants.length);
    for (const d of ['blue', 'green', 'shadow'])
      expect(azapi[`Serving/Endpoint/Deployments/${d}`].depends_on).toContain(wait);
    expect(
      (JSON.parse(json) as { terraform: { required_providers: Record<string, unknown> } }).terraform
        .required_providers.time,
    ).toEqual({
      source: 'hashicorp/time',
      version: '~> 0.12',
    });
  });

  test('no role assignment repeats one Azure ML makes by itself for a system-assigned endpoint identity', () => {
    // Azure ML grants a system-assigned endpoint identity these at endpoint creation; a second
    // assignment answers 409 RoleAssignmentExists, fatal in azurerm (see online-endpoint.ts).
    const automatic = ['AcrPull', 'Storage Blob Data Reader', 'AzureML Metrics Writer (preview)'];
    const systemIdentityGrants = Object.values(parsed.resource.azurerm_role_assignment ?? {}).filter(
      (g) =>
        String(g.principal_id).includes(`${endpointAddress}.identity`) &&
        automatic.includes(String(g.role_definition_name)),
    );
    expect(systemIdentityGrants).toEqual([]);
    expect(azapi['Serving/Endpoint'].identity).not.toEqual([
      expect.objectContaining({ type: 'SystemAssigned' }),
    ]);
  });

  test('no output exposes a key', () => {
    for (const [name, output] of Object.entries(parsed.output)) {
      expect({ name, value: JSON.stringify(output.value) }).not.toMatchObject({
        value: expect.stringMatching(/primaryKey|secondaryKey|ephemeral|listKeys/),
      });
    }
    expect(parsed.output.endpoint_scoring_uri.value).toContain('output.properties.scoringUri');
  });
});

describe('ordering on the synthesized graph', () => {
  const base = {
    deployments: { blue: spec('fraud-detection-model:1'), green: spec('fraud-detection-model:2') },
    traffic: { blue: 90, green: 10 },
  };

  test('a model bump on one deployment changes only that deployment (through its model look-up)', () => {
    const before = synthServing(base).parsed;
    const after = synthServing({
      ...base,
      deployments: { ...base.deployments, green: spec('fraud-detection-model:3') },
    }).parsed;
    const changed: string[] = [];
    for (const [type, resources] of Object.entries(after.resource)) {
      for (const [id, block] of Object.entries(resources)) {
        if (JSON.stringify(block) !== JSON.stringify(before.resource[type]?.[id]))
          changed.push(`${type}.${id}`);
      }
    }
    // The deployment's `model` references the version's plan-time look-up, so the only changed
    // block is green's look-up; at plan the new version flows into green's deployment alone.
    expect(changed).toEqual([]);
    const data = (p: typeof after) =>
      (p as unknown as { data: Record<string, Record<string, unknown>> }).data;
    const changedData = Object.entries(data(after).azapi_resource ?? {})
      .filter(([id, block]) => JSON.stringify(block) !== JSON.stringify(data(before).azapi_resource?.[id]))
      .map(([id]) => id);
    expect(changedData).toEqual([expect.stringMatching(/^Serving_RegistryModels_green_Lookup_/)]);
    const green = after.resource.azapi_resource[
      addressOf(after, 'azapi_resource', 'Serving/Endpoint/Deployments/green').split('.')[1]!
    ] as { body: { properties: { model: string } } };
    expect(green.body.properties.model).toContain(`data.azapi_resource.${changedData[0]}.name`);
    expect(JSON.stringify(after.ephemeral)).toBe(JSON.stringify(before.ephemeral));
  });

  test('a traffic shift changes only the traffic update', () => {
    const before = synthServing(base).parsed;
    const after = synthServing({ ...base, traffic: { blue: 65, green: 35 } }).parsed;
    const changed = Object.entries(after.resource).flatMap(([type, resources]) =>
      Object.entries(resources)
        .filter(([id, block]) => JSON.stringify(block) !== JSON.stringify(before.resource[type]?.[id]))
        .map(([id]) => `${type}.${id}`),
    );
    expect(changed).toEqual([addressOf(after, 'azapi_update_resource', 'Serving/Endpoint/Traffic')]);
  });

  test('retiring a drained deployment: traffic names only the survivors and no longer depends on it', () => {
    const { parsed } = synthServing({
      deployments: { green: spec('fraud-detection-model:2') },
      traffic: { green: 100 },
    });
    const traffic = byPath(parsed, 'azapi_update_resource')['Serving/Endpoint/Traffic'];
    expect(traffic.depends_on).toEqual([
      addressOf(parsed, 'azapi_resource', 'Serving/Endpoint/Deployments/green'),
    ]);
    expect((traffic.body as { properties: { traffic: unknown } }).properties.traffic).toEqual({ green: 100 });
    expect(byPath(parsed, 'azapi_resource')['Serving/Endpoint/Deployments/blue']).toBeUndefined();
  });
});

describe('onlineEndpointErrors', () => {
  const rollout = { deployments: {}, traffic: {} };
  test('accepts the defaults and rejects bad concurrency, durations and probe thresholds', () => {
    expect(onlineEndpointErrors({ name: 'fraud-prod-x', rollout, environmentId: 'x' })).toEqual([]);
    const errors = onlineEndpointErrors({
      name: 'fraud-prod-x',
      rollout,
      environmentId: 'x',
      maxConcurrentRequestsPerInstance: 0,
      requestTimeout: '5',
      livenessProbe: {
        initialDelay: 'PT10S',
        period: '10s',
        timeout: 'PT2S',
        failureThreshold: 0,
        successThreshold: 2,
      },
    });
    expect(errors).toEqual([
      'maxConcurrentRequestsPerInstance must be an integer 1..1000, got 0',
      'livenessProbe.failureThreshold must be a positive integer, got 0',
      'livenessProbe.successThreshold must be 1 (Azure fixes it), got 2',
      "requestTimeout '5' must be an ISO-8601 duration such as 'PT5S' (the REST API does not take seconds as numbers)",
      "livenessProbe.period '10s' must be an ISO-8601 duration such as 'PT5S' (the REST API does not take seconds as numbers)",
    ]);
  });
});
