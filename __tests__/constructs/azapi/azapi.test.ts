import 'cdktf/lib/testing/adapters/jest';
import { TerraformStack, Testing } from 'cdktf';
import {
  AzapiProvider,
  AzapiResource,
  AzapiResourceAction,
  AzapiUpdateResource,
  DataAzapiResourceAction,
  EphemeralAzapiResourceAction,
  mlType,
} from '../../../constructs/azapi';
import { validateAzapiBlocks } from '../../helpers/azapi-schema-blocks';

const ENDPOINT = mlType('workspaces/onlineEndpoints');

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AzapiProvider(s, 'azapi');
  return s;
}

function endpoint(s: TerraformStack, extra: Partial<ConstructorParameters<typeof AzapiResource>[2]> = {}) {
  return new AzapiResource(s, 'endpoint', {
    type: ENDPOINT,
    name: 'fraud-ep',
    parentId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w',
    location: 'westeurope',
    body: { properties: { authMode: 'Key', traffic: {}, mirrorTraffic: {} } },
    ...extra,
  });
}

type Synth = {
  terraform: {
    required_providers: Record<string, { source: string; version: string }>;
    required_version?: string;
  };
  provider: Record<string, unknown[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
};
const synth = (s: TerraformStack): Synth => JSON.parse(Testing.synth(s)) as Synth;

describe('AzapiProvider', () => {
  test('pins azure/azapi ~> 2.12 in required_providers and emits a provider block', () => {
    const out = synth(stack());
    expect(out.terraform.required_providers.azapi).toEqual({ source: 'azure/azapi', version: '~> 2.12' });
    expect(out.provider.azapi).toHaveLength(1);
  });

  test('requires Terraform >= 1.11 (ephemeral resources, write-only attributes) and < 2', () => {
    expect(synth(stack()).terraform.required_version).toBe('>= 1.11.0, < 2.0.0');
  });

  test('emits alias and settings in snake_case', () => {
    const s = new TerraformStack(Testing.app(), 't');
    new AzapiProvider(s, 'second', { alias: 'other', subscriptionId: 'sub', useOidc: true });
    expect(synth(s).provider.azapi[0]).toEqual({ alias: 'other', subscription_id: 'sub', use_oidc: true });
  });
});

describe('AzapiResource', () => {
  test('body stays an object (never a JSON string), empty maps included', () => {
    const s = stack();
    endpoint(s);
    const ep = synth(s).resource.azapi_resource.endpoint;
    expect(typeof ep.body).toBe('object');
    expect(ep.body).toEqual({ properties: { authMode: 'Key', traffic: {}, mirrorTraffic: {} } });
    expect(Testing.synth(s)).not.toContain('jsonencode');
  });

  test('emits every typed input with its Terraform name', () => {
    const s = stack();
    endpoint(s, {
      identity: { type: 'SystemAssigned' },
      tags: { costCentre: 'cc1' },
      responseExportValues: ['properties.scoringUri'],
      locks: ['lock-a'],
      timeouts: { create: '60m', update: '1h30m' },
      ignoreBodyChanges: ['properties.traffic'],
      schemaValidationEnabled: true,
      retry: { errorMessageRegex: ['OperationCanceled'], intervalSeconds: 5, maxIntervalSeconds: 60 },
      replaceTriggersRefs: ['properties.authMode'],
    });
    expect(Testing.synth(s)).toHaveResourceWithProperties(AzapiResource, {
      type: ENDPOINT,
      name: 'fraud-ep',
      location: 'westeurope',
      identity: [{ type: 'SystemAssigned' }],
      tags: { costCentre: 'cc1' },
      response_export_values: ['properties.scoringUri'],
      locks: ['lock-a'],
      timeouts: { create: '60m', update: '1h30m' },
      ignore_body_changes: ['properties.traffic'],
      schema_validation_enabled: true,
      retry: { error_message_regex: ['OperationCanceled'], interval_seconds: 5, max_interval_seconds: 60 },
      replace_triggers_refs: ['properties.authMode'],
    });
  });

  test('later edits of the caller body object do not leak into the synthesized body', () => {
    const s = stack();
    const body = { properties: { authMode: 'Key' } };
    new AzapiResource(s, 'ep', { type: ENDPOINT, name: 'n', parentId: 'p', location: 'westeurope', body });
    body.properties.authMode = 'AMLToken';
    expect(synth(s).resource.azapi_resource.ep.body).toEqual({ properties: { authMode: 'Key' } });
  });

  test('emits lifecycle and depends_on', () => {
    const s = stack();
    const first = endpoint(s);
    new AzapiResource(s, 'dep', {
      type: mlType('workspaces/onlineEndpoints/deployments'),
      name: 'blue',
      parentId: first.id,
      location: 'westeurope',
      body: { sku: { name: 'Default', capacity: 1 } },
      dependsOn: [first],
      lifecycle: { ignoreChanges: ['body.sku.capacity'], preventDestroy: true },
    });
    const dep = synth(s).resource.azapi_resource.dep;
    expect(dep.depends_on).toEqual(['azapi_resource.endpoint']);
    expect(dep.lifecycle).toEqual({ ignore_changes: ['body.sku.capacity'], prevent_destroy: true });
    expect(dep.parent_id).toBe('${azapi_resource.endpoint.id}');
  });

  test('outputAttribute reads the dynamic output by path (no jsondecode)', () => {
    const s = stack();
    const ep = endpoint(s, { responseExportValues: ['properties.scoringUri'] });
    new AzapiResource(s, 'consumer', {
      type: ENDPOINT,
      name: 'c',
      parentId: 'p',
      body: {
        uri: ep.outputAttribute('properties.scoringUri'),
        first: ep.outputAttribute('items.0.name'),
        principal: ep.identityPrincipalId,
      },
    });
    expect(synth(s).resource.azapi_resource.consumer.body).toEqual({
      uri: '${azapi_resource.endpoint.output.properties.scoringUri}',
      first: '${azapi_resource.endpoint.output.items[0].name}',
      principal: '${azapi_resource.endpoint.identity[0].principal_id}',
    });
  });

  test('rejects a malformed output path', () => {
    const ep = endpoint(stack());
    expect(() => ep.outputAttribute('properties..scoringUri')).toThrow(
      /output path 'properties..scoringUri'/,
    );
    expect(() => ep.outputAttribute('')).toThrow(/output path/);
  });

  test('has the static tfResourceType the cdktf matchers need', () => {
    expect(AzapiResource.tfResourceType).toBe('azapi_resource');
  });

  test.each([
    [{ type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints' }, /type '.*' must look like/],
    [{ type: 'onlineEndpoints@2026-05-01' }, /must look like/],
    [{ timeouts: { create: '60 minutes' } }, /timeouts.create '60 minutes' must be a Go duration/],
    [{ retry: { errorMessageRegex: [] } }, /retry.errorMessageRegex must list at least one/],
    [
      { retry: { errorMessageRegex: ['x'], intervalSeconds: 0 } },
      /retry.intervalSeconds must be an integer 1..120 \(azapi 2.12\), got 0/,
    ],
    [
      { retry: { errorMessageRegex: ['x'], intervalSeconds: 121 } },
      /retry.intervalSeconds must be an integer 1..120 \(azapi 2.12\), got 121/,
    ],
    [
      { retry: { errorMessageRegex: ['x'], maxIntervalSeconds: 301 } },
      /retry.maxIntervalSeconds must be an integer 1..300 \(azapi 2.12\), got 301/,
    ],
    [{ identity: { type: 'UserAssigned' as const } }, /identity.identityIds must list at least one id/],
    [{ name: ' ' }, /name must not be empty/],
  ])('rejects bad input %j', (extra, message) => {
    expect(() => endpoint(stack(), extra)).toThrow(message);
  });

  test('lists every problem in one error', () => {
    expect(() => endpoint(stack(), { type: 'bad', timeouts: { read: 'soon' } })).toThrow(
      /type 'bad'[\s\S]*timeouts.read 'soon'/,
    );
  });
});

describe('AzapiUpdateResource', () => {
  test('synthesizes resource_id, body object, locks and depends_on', () => {
    const s = stack();
    const ep = endpoint(s);
    new AzapiUpdateResource(s, 'traffic', {
      type: ENDPOINT,
      resourceId: ep.id,
      body: { properties: { traffic: { blue: 90, green: 10 }, mirrorTraffic: {} } },
      locks: [ep.id],
      dependsOn: [ep],
      timeouts: { update: '30m' },
    });
    const t = synth(s).resource.azapi_update_resource.traffic;
    expect(t).toMatchObject({
      type: ENDPOINT,
      resource_id: '${azapi_resource.endpoint.id}',
      body: { properties: { traffic: { blue: 90, green: 10 }, mirrorTraffic: {} } },
      locks: ['${azapi_resource.endpoint.id}'],
      depends_on: ['azapi_resource.endpoint'],
      timeouts: { update: '30m' },
    });
  });

  test('accepts parentId + name instead of resourceId', () => {
    const s = stack();
    new AzapiUpdateResource(s, 'u', { type: ENDPOINT, parentId: 'p', name: 'n', body: {} });
    expect(synth(s).resource.azapi_update_resource.u).toMatchObject({ parent_id: 'p', name: 'n' });
  });

  test.each([
    [{}, /got neither/],
    [{ resourceId: 'r', name: 'n', parentId: 'p' }, /got both/],
    [{ name: 'n' }, /parentId and name must be given together/],
  ])('rejects target %j', (target, message) => {
    expect(() => new AzapiUpdateResource(stack(), 'u', { type: ENDPOINT, body: {}, ...target })).toThrow(
      message,
    );
  });
});

describe('AzapiResourceAction', () => {
  test("emits when = 'destroy', method PUT and the body object", () => {
    const s = stack();
    const ep = endpoint(s);
    new AzapiResourceAction(s, 'drain', {
      type: ENDPOINT,
      resourceId: ep.id,
      method: 'PUT',
      when: 'destroy',
      body: { location: 'westeurope', properties: { authMode: 'Key', traffic: {} } },
      locks: [ep.id],
    });
    expect(Testing.synth(s)).toHaveResourceWithProperties(AzapiResourceAction, {
      type: ENDPOINT,
      resource_id: '${azapi_resource.endpoint.id}',
      method: 'PUT',
      when: 'destroy',
      body: { location: 'westeurope', properties: { authMode: 'Key', traffic: {} } },
    });
  });

  test('regenerateKeys action with response values and its outputs', () => {
    const s = stack();
    const ep = endpoint(s);
    const rotate = new AzapiResourceAction(s, 'rotate', {
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'regenerateKeys',
      body: { keyType: 'Secondary' },
      responseExportValues: ['status'],
      sensitiveResponseExportValues: ['keyValue'],
    });
    expect(rotate.outputAttribute('status')).toContain('TfToken');
    const r = synth(s).resource.azapi_resource_action.rotate;
    expect(r).toMatchObject({ action: 'regenerateKeys', body: { keyType: 'Secondary' } });
    expect(r.when).toBeUndefined();
  });

  test('rejects an action path with a leading slash', () => {
    expect(
      () => new AzapiResourceAction(stack(), 'a', { type: ENDPOINT, resourceId: 'r', action: '/listKeys' }),
    ).toThrow(/action '\/listKeys' must be an action name/);
  });
});

describe('DataAzapiResourceAction', () => {
  test('listKeys data source exposes sensitive_output by path', () => {
    const s = stack();
    const ep = endpoint(s);
    const keys = new DataAzapiResourceAction(s, 'keys', {
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'listKeys',
      sensitiveResponseExportValues: ['primaryKey', 'secondaryKey'],
    });
    new AzapiResource(s, 'sink', {
      type: ENDPOINT,
      name: 'x',
      parentId: 'p',
      body: { k: keys.sensitiveOutputAttribute('primaryKey'), o: keys.outputAttribute('a') },
    });
    const out = synth(s);
    expect(out.data?.azapi_resource_action.keys).toMatchObject({
      type: ENDPOINT,
      resource_id: '${azapi_resource.endpoint.id}',
      action: 'listKeys',
      sensitive_response_export_values: ['primaryKey', 'secondaryKey'],
    });
    expect(out.resource.azapi_resource.sink.body).toEqual({
      k: '${data.azapi_resource_action.keys.sensitive_output.primaryKey}',
      o: '${data.azapi_resource_action.keys.output.a}',
    });
    expect(Testing.synth(s)).toHaveDataSourceWithProperties(DataAzapiResourceAction, { action: 'listKeys' });
  });
});

describe('EphemeralAzapiResourceAction', () => {
  test('writes a top-level ephemeral block with bare depends_on and exposes output by path', () => {
    const s = stack();
    const ep = endpoint(s);
    const rotate = new AzapiResourceAction(s, 'rotate', {
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'regenerateKeys',
    });
    const keys = new EphemeralAzapiResourceAction(s, 'keys', {
      name: 'endpoint_keys',
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'listKeys',
      responseExportValues: ['primaryKey'],
      timeouts: { open: '2m' },
      dependsOn: [rotate],
    });
    expect(keys.address).toBe('ephemeral.azapi_resource_action.endpoint_keys');
    expect(keys.outputAttribute('primaryKey')).toBe(
      '${ephemeral.azapi_resource_action.endpoint_keys.output.primaryKey}',
    );
    const out = JSON.parse(Testing.synth(s)) as { ephemeral: Record<string, Record<string, unknown>> };
    expect(out.ephemeral.azapi_resource_action.endpoint_keys).toEqual({
      type: ENDPOINT,
      resource_id: '${azapi_resource.endpoint.id}',
      action: 'listKeys',
      response_export_values: ['primaryKey'],
      timeouts: { open: '2m' },
      depends_on: ['azapi_resource_action.rotate'],
    });
  });

  test('rejects a block name Terraform would not accept', () => {
    expect(
      () =>
        new EphemeralAzapiResourceAction(stack(), 'k', { name: '1keys', type: ENDPOINT, resourceId: 'r' }),
    ).toThrow(/name '1keys' must be letters/);
  });
});

describe('the binding against the azapi v2.12.0 schema table', () => {
  test('every class, with every input it offers set, emits only attributes azapi 2.12 has', () => {
    const s = stack();
    const retry = { errorMessageRegex: ['Conflict'], intervalSeconds: 120, maxIntervalSeconds: 300 };
    const ep = endpoint(s, {
      identity: { type: 'SystemAssigned' },
      tags: { a: 'b' },
      sensitiveBody: { properties: { keys: { primaryKey: 'x' } } },
      responseExportValues: ['properties.scoringUri'],
      locks: ['l'],
      timeouts: { create: '1m', read: '1m', update: '1m', delete: '1m' },
      ignoreBodyChanges: ['properties.traffic'],
      schemaValidationEnabled: true,
      ignoreCasing: false,
      retry,
      replaceTriggersRefs: ['properties.authMode'],
    });
    new AzapiUpdateResource(s, 'update', {
      type: ENDPOINT,
      resourceId: ep.id,
      body: { properties: {} },
      sensitiveBody: { properties: {} },
      responseExportValues: ['properties'],
      locks: ['l'],
      timeouts: { create: '1m', read: '1m', update: '1m', delete: '1m' },
      ignoreCasing: true,
      retry,
    });
    new AzapiResourceAction(s, 'action', {
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'regenerateKeys',
      method: 'POST',
      body: { keyType: 'Primary' },
      sensitiveBody: { keyValue: 'x' },
      responseExportValues: ['a'],
      sensitiveResponseExportValues: ['b'],
      locks: ['l'],
      timeouts: { create: '1m', read: '1m', update: '1m', delete: '1m' },
      retry,
      when: 'apply',
    });
    new DataAzapiResourceAction(s, 'data', {
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'listKeys',
      method: 'GET',
      body: {},
      responseExportValues: ['a'],
      sensitiveResponseExportValues: ['primaryKey'],
      timeouts: { read: '1m' },
      retry,
    });
    new EphemeralAzapiResourceAction(s, 'ephemeral', {
      name: 'keys',
      type: ENDPOINT,
      resourceId: ep.id,
      action: 'listKeys',
      method: 'POST',
      body: {},
      sensitiveBody: {},
      responseExportValues: ['primaryKey'],
      locks: ['l'],
      timeouts: { open: '1m' },
      retry,
    });
    expect(validateAzapiBlocks(Testing.synth(s))).toEqual([]);
  });

  test('the attributes azapi 2.12 does not have on a block are not offered there', () => {
    const s = stack();
    // @ts-expect-error sensitive_response_export_values exists only on azapi_resource_action
    endpoint(s, { sensitiveResponseExportValues: ['properties.keys'] });
    // @ts-expect-error the data source has no locks
    new DataAzapiResourceAction(s, 'd', { type: ENDPOINT, resourceId: 'r', locks: ['l'] });
    // @ts-expect-error the data source's timeouts take read only
    new DataAzapiResourceAction(s, 'd2', { type: ENDPOINT, resourceId: 'r', timeouts: { create: '1m' } });
    new EphemeralAzapiResourceAction(s, 'e', {
      name: 'e',
      type: ENDPOINT,
      resourceId: 'r',
      // @ts-expect-error the ephemeral action's timeouts take open only
      timeouts: { read: '1m' },
    });
    // Whatever a JavaScript caller passes, only the attributes of each block are written.
    expect(validateAzapiBlocks(Testing.synth(s))).toEqual([]);
  });
});
