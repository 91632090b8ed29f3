import 'cdktf/lib/testing/adapters/jest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localPackageErrors, MODEL_VERSION_TYPE } from '../../../constructs/serving/model-version';
import { validateSynthesizedAzapi } from '../../helpers/azapi-schema';
import { addressOf, byPath, spec, synthServing } from './harness';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'model-version-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function modelPackage(name: string, version: string, onnx = 'onnx-bytes'): string {
  const dir = path.join(tmp, `${name}-${version}-${onnx.length}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ name, version, features: [] }));
  writeFileSync(path.join(dir, 'report.md'), '# report\n');
  return dir;
}

const rollout = {
  deployments: { blue: spec('fraud-detection-model:1', 1), green: spec('fraud-detection-model:7', 1) },
  traffic: { blue: 100, green: 0 },
};

describe('model references', () => {
  test('registry deployments reference azureml://registries/<shared registry>/models/<name>/versions/<v>, the version read at plan', () => {
    const { parsed } = synthServing(rollout, undefined, 'dev');
    const blue = byPath(parsed, 'azapi_resource')['Serving/Endpoint/Deployments/blue'];
    expect((blue.body as { properties: { model: string } }).properties.model).toMatch(
      /^azureml:\/\/registries\/mlr-fraud-shared-[a-z0-9]{6}\/models\/fraud-detection-model\/versions\/\$\{data\.azapi_resource\.Serving_RegistryModels_blue_Lookup_[0-9A-F]{8}\.name\}$/,
    );
    const lookups = (parsed as unknown as { data: Record<string, Record<string, { name: string }>> }).data
      .azapi_resource;
    expect(
      Object.entries(lookups).find(([id]) => id.startsWith('Serving_RegistryModels_blue_Lookup_'))?.[1].name,
    ).toBe('1');
  });

  test('dev can ship a local package: asset -> blobs -> datastore -> workspace model version', () => {
    const dir = modelPackage('fraud-detection-model', '7');
    const { parsed, json } = synthServing(
      rollout,
      { autoscale: { maxInstances: 2 }, localModelPackages: { green: dir } },
      'dev',
    );
    expect(validateSynthesizedAzapi(json)).toEqual([]);
    const azapi = byPath(parsed, 'azapi_resource');
    const version = azapi['Serving/LocalModels/green/Version'];
    expect(version).toMatchObject({
      type: MODEL_VERSION_TYPE,
      name: '7',
      body: { properties: { modelType: 'custom_model' } },
    });
    const uri = (version.body as { properties: { modelUri: string; tags: { contentHash: string } } })
      .properties;
    expect(uri.modelUri).toMatch(
      new RegExp(
        `^azureml://subscriptions/\\$\\{data\\.azurerm_client_config\\.ClientConfig\\.subscription_id\\}/resourceGroups/.+/workspaces/.+/datastores/fraudmodels/paths/fraud-detection-model/7/${uri.tags.contentHash}/$`,
      ),
    );
    const blobs = Object.entries(byPath(parsed, 'azurerm_storage_blob')).filter(([p]) =>
      p.startsWith('Serving/LocalModels/green/'),
    );
    expect(blobs.map(([, b]) => b.name)).toEqual(
      ['model.json', 'model.onnx', 'report.md'].map(
        (f) => `fraud-detection-model/7/${uri.tags.contentHash}/${f}`,
      ),
    );
    expect(version.depends_on).toEqual(
      expect.arrayContaining([addressOf(parsed, 'azapi_resource', 'Serving/LocalModels/green/Datastore')]),
    );
    expect(azapi['Serving/LocalModels/green/Datastore'].body).toMatchObject({
      properties: { datastoreType: 'AzureBlob', credentials: { credentialsType: 'None' } },
    });
    const green = azapi['Serving/Endpoint/Deployments/green'];
    expect((green.body as { properties: { model: string } }).properties.model).toBe(
      `\${${addressOf(parsed, 'azapi_resource', 'Serving/LocalModels/green/Version')}.id}`,
    );
  });

  test('a package whose manifest does not match the rollout reference is refused (versions are immutable)', () => {
    const dir = modelPackage('fraud-detection-model', '6');
    expect(localPackageErrors(dir, { name: 'fraud-detection-model', version: '7' })).toEqual([
      `model package '${dir}' is fraud-detection-model:6 but the rollout names fraud-detection-model:7; versions are immutable, so ship new content as a new version`,
    ]);
    expect(() =>
      synthServing(rollout, { autoscale: { maxInstances: 2 }, localModelPackages: { green: dir } }, 'dev'),
    ).toThrow(
      /LocalModelVersion [\s\S]*is fraud-detection-model:6 but the rollout names fraud-detection-model:7/,
    );
    expect(localPackageErrors(path.join(tmp, 'missing'), { name: 'm', version: '1' })[0]).toMatch(
      /is not a folder/,
    );
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    expect(localPackageErrors(empty, { name: 'm', version: '1' })).toEqual([
      `model package '${empty}' has no model.onnx`,
      `model package '${empty}' has no model.json`,
    ]);
  });
});
