import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { AzapiProvider, AzapiResource, mlType } from '../../constructs/azapi';
import {
  AZURE_API_DIR,
  knownAzapiTypes,
  mergedAzapiBody,
  validateAzapiBody,
  validateSynthesizedAzapi,
} from './azapi-schema';

const ENDPOINT = mlType('workspaces/onlineEndpoints');
const DEPLOYMENT = mlType('workspaces/onlineEndpoints/deployments');
const ENV_VERSION = mlType('workspaces/environments/versions');
const MODEL_VERSION = mlType('workspaces/models/versions');
const REGISTRY = mlType('registries');
const SCHEDULE = mlType('workspaces/schedules');

const endpointBody = () => ({
  name: 'fraud-ep',
  location: 'westeurope',
  identity: { type: 'SystemAssigned' },
  properties: { authMode: 'Key', traffic: {}, mirrorTraffic: {} },
});

const deploymentBody = () => ({
  name: 'blue',
  location: 'westeurope',
  sku: { name: 'Default', capacity: 2 },
  properties: {
    endpointComputeType: 'Managed',
    instanceType: 'Standard_DS3_v2',
    model: '/subscriptions/s/resourceGroups/rg/providers/x/models/fraud/versions/3',
    environmentId: '/subscriptions/s/environments/serving/versions/7',
    environmentVariables: { MODEL_NAME: 'fraud' },
    appInsightsEnabled: true,
    scaleSettings: { scaleType: 'Default' },
    requestSettings: { maxConcurrentRequestsPerInstance: 8, requestTimeout: 'PT5S' },
    livenessProbe: {
      initialDelay: 'PT30S',
      period: 'PT10S',
      timeout: 'PT2S',
      failureThreshold: 30,
      successThreshold: 1,
    },
  },
});

const environmentVersionBody = (livenessPath = '/health/live') => ({
  name: '7',
  properties: {
    osType: 'Linux',
    build: { contextUri: 'https://st.blob.core.windows.net/ctx/fraud/abc/', dockerfilePath: 'Dockerfile' },
    inferenceConfig: {
      livenessRoute: { port: 8080, path: livenessPath },
      readinessRoute: { port: 8080, path: '/health/ready' },
      scoringRoute: { port: 8080, path: '/score' },
    },
  },
});

const registryBody = () => ({
  name: 'reg-fraud-dev',
  location: 'westeurope',
  identity: { type: 'SystemAssigned' },
  properties: {
    publicNetworkAccess: 'Enabled',
    regionDetails: [
      {
        location: 'westeurope',
        acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }],
        storageAccountDetails: [
          {
            systemCreatedStorageAccount: {
              storageAccountType: 'Standard_LRS',
              storageAccountHnsEnabled: false,
              allowBlobPublicAccess: false,
            },
          },
        ],
      },
    ],
  },
});

describe('vendored schema', () => {
  // Always the vendored copy; its byte-identity with ../shared is `npm run check:shared`.
  it('is the machinelearningservices 2026-05-01 type graph the checks below read', () => {
    const file = path.join(AZURE_API_DIR, 'machinelearningservices-2026-05-01.azapi-types.json');
    const text = fs.readFileSync(file, 'utf8');
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(text).toContain('Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2026-05-01');
  });
});

describe('validateAzapiBody: bodies that must pass', () => {
  test.each([
    ['online endpoint', ENDPOINT, endpointBody()],
    ['managed deployment', DEPLOYMENT, deploymentBody()],
    ['BYOC environment version', ENV_VERSION, environmentVersionBody()],
    [
      'model version',
      MODEL_VERSION,
      { name: '3', properties: { modelType: 'custom_model', modelUri: 'azureml://datastores/d/paths/m/3/' } },
    ],
    ['registry', REGISTRY, registryBody()],
    [
      'cron schedule',
      SCHEDULE,
      {
        name: 'weekly',
        properties: {
          trigger: { triggerType: 'Cron', expression: '0 5 * * 1', timeZone: 'UTC' },
          action: {
            actionType: 'CreateJob',
            jobDefinition: { jobType: 'Command', command: 'node train.js', environmentId: 'env_1' },
          },
        },
      },
    ],
  ])('%s', (_label, type, body) => {
    expect(validateAzapiBody(type, body)).toEqual([]);
  });

  test('values unknown at plan (${...}) are skipped, also for patterned strings', () => {
    const body = environmentVersionBody('${var.path}');
    expect(validateAzapiBody(ENV_VERSION, body)).toEqual([]);
    expect(validateAzapiBody(ENDPOINT, '${var.body}')).toEqual([]);
  });

  test('type names compare case-insensitively, like ARM', () => {
    expect(validateAzapiBody(ENDPOINT.toLowerCase(), endpointBody())).toEqual([]);
  });
});

describe('validateAzapiBody: bodies that must fail, with JSON paths', () => {
  test('unknown property', () => {
    const body = deploymentBody();
    (body.properties.requestSettings as Record<string, unknown>).foo = 1;
    expect(validateAzapiBody(DEPLOYMENT, body)).toEqual([
      expect.stringMatching(/^properties\.requestSettings\.foo: not expected \(allowed: .*requestTimeout/),
    ]);
  });

  test('missing required property (and location on a tracked resource)', () => {
    const { location: _l, ...body } = endpointBody();
    body.properties = { traffic: {} } as typeof body.properties;
    expect(validateAzapiBody(ENDPOINT, body).sort()).toEqual([
      'location: required but missing',
      'properties.authMode: required but missing',
    ]);
  });

  test('root name is exempt from the required check (it comes from the resource name)', () => {
    const { name: _n, ...body } = endpointBody();
    expect(validateAzapiBody(ENDPOINT, body)).toEqual([]);
  });

  test('wrong literal / discriminator value is case-sensitive', () => {
    const body = deploymentBody();
    body.properties.endpointComputeType = 'managed';
    expect(validateAzapiBody(DEPLOYMENT, body)).toEqual([
      "properties.endpointComputeType: 'managed' is not one of 'Kubernetes', 'Managed'",
    ]);
  });

  test('missing discriminator', () => {
    const body = deploymentBody();
    delete (body.properties as Partial<typeof body.properties>).endpointComputeType;
    expect(validateAzapiBody(DEPLOYMENT, body)).toEqual([
      'properties.endpointComputeType: discriminator required (one of Kubernetes, Managed)',
    ]);
  });

  test('wrong literal in a plain string-literal union', () => {
    const body = deploymentBody();
    (body.sku as Record<string, unknown>).tier = 'premium';
    expect(validateAzapiBody(DEPLOYMENT, body)).toEqual([
      `sku.tier: "premium" is not one of 'Free', 'Basic', 'Standard', 'Premium'`,
    ]);
    // Open enums (literals plus a plain string, e.g. osType) let any string through, as in azapi.
    const env = environmentVersionBody();
    (env.properties as Record<string, unknown>).osType = 'linux';
    expect(validateAzapiBody(ENV_VERSION, env)).toEqual([]);
  });

  test('read-only property set', () => {
    const body = endpointBody();
    (body.properties as Record<string, unknown>).scoringUri = 'https://x';
    (body as Record<string, unknown>).id = '/x';
    expect(validateAzapiBody(ENDPOINT, body).sort()).toEqual([
      'id: read-only, must not be set',
      'properties.scoringUri: read-only, must not be set',
    ]);
  });

  test("pattern: Route.path '/' fails (unanchored [a-zA-Z0-9_])", () => {
    expect(validateAzapiBody(ENV_VERSION, environmentVersionBody('/'))).toEqual([
      'properties.inferenceConfig.livenessRoute.path: "/" does not match pattern [a-zA-Z0-9_]',
    ]);
  });

  test('anchored name pattern and minLength', () => {
    const body = registryBody();
    body.name = 'r';
    expect(validateAzapiBody(REGISTRY, body)).toEqual([
      expect.stringMatching(/^name: "r" does not match pattern \^\[a-zA-Z0-9\]/),
    ]);
    const env = environmentVersionBody();
    env.properties.build.contextUri = '';
    expect(validateAzapiBody(ENV_VERSION, env)).toEqual(
      expect.arrayContaining(['properties.build.contextUri: length 0 is below the minimum 1']),
    );
  });

  test('location on a proxy resource and userCreatedAcrAccount are not expected', () => {
    expect(
      validateAzapiBody(MODEL_VERSION, { name: '1', location: 'westeurope', properties: { modelUri: 'x' } }),
    ).toEqual([expect.stringMatching(/^location: not expected/)]);
    const reg = registryBody();
    reg.properties.regionDetails[0].acrDetails = [{ userCreatedAcrAccount: {} } as never];
    expect(validateAzapiBody(REGISTRY, reg)).toEqual([
      expect.stringMatching(
        /^properties\.regionDetails\[0\]\.acrDetails\[0\]\.userCreatedAcrAccount: not expected/,
      ),
    ]);
  });

  test('type mismatches: object, array, string, integer', () => {
    expect(validateAzapiBody(ENDPOINT, { ...endpointBody(), properties: 'Key' })).toEqual([
      'properties: expected object, got string',
    ]);
    const reg = registryBody();
    (reg.properties as Record<string, unknown>).regionDetails = { location: 'x' };
    expect(validateAzapiBody(REGISTRY, reg)).toEqual([
      'properties.regionDetails: expected array, got object',
    ]);
    const env = environmentVersionBody();
    (env.properties.inferenceConfig.scoringRoute as Record<string, unknown>).port = '8080';
    (env.properties.build as Record<string, unknown>).dockerfilePath = 5;
    expect(validateAzapiBody(ENV_VERSION, env).sort()).toEqual([
      'properties.build.dockerfilePath: expected string, got number',
      'properties.inferenceConfig.scoringRoute.port: expected integer, got string',
    ]);
  });

  test('unknown resource type or api-version is an error', () => {
    expect(
      validateAzapiBody('Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2019-01-01', {}),
    ).toEqual([expect.stringMatching(/^unknown resource type\/version/)]);
    expect(knownAzapiTypes()).toContain(ENDPOINT.toLowerCase());
  });
});

describe('validateSynthesizedAzapi', () => {
  function synthOf(build: (s: TerraformStack) => void): string {
    const s = new TerraformStack(Testing.app(), 'schema');
    new AzapiProvider(s, 'azapi');
    build(s);
    return Testing.synth(s);
  }

  test('merges top-level name/location/identity/tags like azapi and passes valid resources', () => {
    const json = synthOf((s) => {
      new AzapiResource(s, 'ep', {
        type: ENDPOINT,
        name: 'fraud-ep',
        parentId: '/ws',
        location: 'westeurope',
        identity: { type: 'SystemAssigned' },
        tags: { environment: 'dev' },
        body: { properties: { authMode: 'AMLToken', traffic: {} } },
      });
    });
    expect(validateSynthesizedAzapi(json)).toEqual([]);
    expect(
      mergedAzapiBody({
        name: 'n',
        location: 'l',
        tags: { a: 'b' },
        identity: [{ type: 'UserAssigned', identity_ids: ['/id1'] }],
        body: { properties: {} },
      }),
    ).toEqual({
      name: 'n',
      location: 'l',
      tags: { a: 'b' },
      identity: { type: 'UserAssigned', userAssignedIdentities: { '/id1': {} } },
      properties: {},
    });
  });

  test('reports each bad resource with its logical id; tokens are skipped', () => {
    const json = synthOf((s) => {
      const ep = new AzapiResource(s, 'ep', {
        type: ENDPOINT,
        name: 'fraud-ep',
        parentId: '/ws',
        body: { properties: { authMode: 'Key' } },
      });
      new AzapiResource(s, 'modelv', {
        type: MODEL_VERSION,
        name: '1',
        parentId: ep.id,
        location: 'westeurope',
        tags: { a: 'b' },
        body: { properties: { modelUri: ep.outputAttribute('properties.scoringUri') } },
      });
    });
    expect(validateSynthesizedAzapi(JSON.parse(json) as object).sort()).toEqual([
      'azapi_resource.ep: location: required but missing',
      expect.stringMatching(/^azapi_resource\.modelv: location: not expected/),
      expect.stringMatching(/^azapi_resource\.modelv: tags: not expected/),
    ]);
  });

  test('an unknown type in a stack is reported', () => {
    const json = synthOf((s) => {
      new AzapiResource(s, 'old', {
        type: 'Microsoft.Foo/bars@2020-01-01',
        name: 'x',
        parentId: 'p',
        body: {},
      });
    });
    expect(validateSynthesizedAzapi(json)).toEqual([
      expect.stringMatching(
        /^azapi_resource\.old: unknown resource type\/version 'Microsoft\.Foo\/bars@2020-01-01'/,
      ),
    ]);
  });
});
