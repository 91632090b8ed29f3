/**
 * Model versions as deployments reference them.
 *
 * Normal path: a deployment names a registry model `name:version` (registered by the training
 * pipeline; registry versions are immutable) and gets the asset id
 * `azureml://registries/<registry>/models/<name>/versions/<v>` ({@link registryModelUri}).
 *
 * Dev path ({@link LocalModelVersion}): ship a local model package folder (`model.onnx` +
 * `model.json` + report) as a cdktf asset -> blobs in the workspace storage -> a workspace model
 * version. The version is immutable: the package's `model.json` must carry the same name and
 * version as the rollout reference, so new content always arrives as a new version, never as a
 * silent overwrite (Azure would refuse the PUT anyway, at apply time instead of synth).
 *
 * UNVERIFIED (FACTS.md §8.6, §8.8, §2.3): the exact mount path under AZUREML_MODEL_DIR (the
 * service reads AZUREML_MODEL_DIR and searches for model.json, so it does not depend on it);
 * whether a *registry* model version may point at a workspace datastore (we never do that:
 * local packages become *workspace* versions); whether `modelUri` accepts the short datastore
 * form (we use the long `azureml://subscriptions/...` form of the REST sample).
 */
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AzapiResource, DataAzapiResource, mlType } from '../azapi';
import { IModelRegistry, REGISTRY_TYPE } from '../platform/model-registry';
import { MlWorkspace } from '../platform/ml-workspace';
import { ModelRef } from './rollout-validation';
import { SecureStorage } from '../platform/storage';

export const DATASTORE_TYPE = mlType('workspaces/datastores');
export const MODEL_TYPE = mlType('workspaces/models');
export const MODEL_VERSION_TYPE = mlType('workspaces/models/versions');
export const REGISTRY_MODEL_VERSION_TYPE = REGISTRY_TYPE.replace(
  '/registries@',
  '/registries/models/versions@',
);

/** The registry asset id of a model version (FACTS.md §2.2 model reference formats). */
export function registryModelUri(registry: IModelRegistry, ref: ModelRef): string {
  return registry.modelAssetUri(ref.name, ref.version);
}

/** Checks a local model package against its reference; returns the problems (pure, for tests). */
export function localPackageErrors(packageDir: string, ref: ModelRef): string[] {
  if (!existsSync(packageDir) || !statSync(packageDir).isDirectory()) {
    return [`model package '${packageDir}' is not a folder (train one with \`npm run train\`)`];
  }
  const errors: string[] = [];
  for (const required of ['model.onnx', 'model.json']) {
    if (!existsSync(path.join(packageDir, required)))
      errors.push(`model package '${packageDir}' has no ${required}`);
  }
  if (errors.length > 0) return errors;
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(path.join(packageDir, 'model.json'), 'utf8')) as typeof manifest;
  } catch (e) {
    return [`model package '${packageDir}': model.json is not JSON (${(e as Error).message})`];
  }
  if (manifest.name !== ref.name || String(manifest.version) !== ref.version) {
    errors.push(
      `model package '${packageDir}' is ${String(manifest.name)}:${String(manifest.version)} but the rollout names ` +
        `${ref.name}:${ref.version}; versions are immutable, so ship new content as a new version`,
    );
  }
  return errors;
}

export interface LocalModelVersionProps {
  readonly workspace: MlWorkspace;
  readonly storage: SecureStorage;
  /** Subscription of the workspace (for the long datastore URI). */
  readonly subscriptionId: string;
  /** The reference the rollout uses; must equal the package manifest's name and version. */
  readonly model: ModelRef;
  /** Absolute path of the package folder (flat: model.onnx, model.json, report files). */
  readonly packageDir: string;
  /** @default 'fraudmodels' */
  readonly datastoreName?: string;
}

/** A local model package uploaded and registered as a workspace model version (dev). */
export class LocalModelVersion extends Construct {
  /** ARM id of the model version: the deployment's `model`. */
  public readonly modelVersionId: string;
  /** Content hash of the package. */
  public readonly contentHash: string;

  constructor(scope: Construct, id: string, props: LocalModelVersionProps) {
    super(scope, id);
    const errors = localPackageErrors(props.packageDir, props.model);
    if (errors.length > 0)
      throw new Error(`LocalModelVersion '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const asset = new TerraformAsset(this, 'Package', { path: props.packageDir, type: AssetType.DIRECTORY });
    this.contentHash = asset.assetHash.toLowerCase();
    const container = new StorageContainer(this, 'Container', {
      name: 'models',
      storageAccountId: props.storage.storageAccountId,
      containerAccessType: 'private',
    });
    const prefix = `${props.model.name}/${props.model.version}/${this.contentHash}`;
    const files = readdirSync(props.packageDir)
      .filter((f) => statSync(path.join(props.packageDir, f)).isFile())
      .sort();
    const blobs = files.map(
      (file, i) =>
        new StorageBlob(this, `Blob${i}`, {
          name: `${prefix}/${file}`,
          storageAccountName: props.storage.storageAccountName,
          storageContainerName: container.name,
          type: 'Block',
          source: `${asset.path}/${file}`,
        }),
    );
    const datastoreName = props.datastoreName ?? 'fraudmodels';
    const datastore = new AzapiResource(this, 'Datastore', {
      type: DATASTORE_TYPE,
      name: datastoreName,
      parentId: props.workspace.workspaceId,
      body: {
        properties: {
          datastoreType: 'AzureBlob',
          accountName: props.storage.storageAccountName,
          containerName: container.name,
          endpoint: 'core.windows.net',
          protocol: 'https',
          // Identity-based access: no account key or SAS is stored in the workspace.
          credentials: { credentialsType: 'None' },
          description: 'Local model packages shipped by cdktf (dev)',
        },
      },
    });
    const modelContainer = new AzapiResource(this, 'Model', {
      type: MODEL_TYPE,
      name: props.model.name,
      parentId: props.workspace.workspaceId,
      body: { properties: { description: 'Fraud detection model' } },
    });
    const version = new AzapiResource(this, 'Version', {
      type: MODEL_VERSION_TYPE,
      name: props.model.version,
      parentId: modelContainer.id,
      body: {
        properties: {
          modelType: 'custom_model',
          modelUri:
            `azureml://subscriptions/${props.subscriptionId}/resourceGroups/${props.workspace.resourceGroupName}` +
            `/workspaces/${props.workspace.workspaceName}/datastores/${datastoreName}/paths/${prefix}/`,
          description: `${props.model.name}:${props.model.version} shipped from a local package`,
          tags: { contentHash: this.contentHash },
        },
      },
      dependsOn: [datastore, ...blobs],
    });
    this.modelVersionId = version.id;
  }
}

export interface RegistryModelVersionProps {
  /** The shared registry the version must be in. */
  readonly registry: IModelRegistry;
  /** The reference the rollout uses. */
  readonly model: ModelRef;
  /**
   * The command that registers the version, shown when it is missing.
   * @default - `npm run register -- --package models/<name>/<version> --registry <registry>`
   */
  readonly registerCommand?: string;
}

/**
 * A registry model version a deployment references, read at plan time (`data "azapi_resource"`
 * on `registries/models/versions`, azapi >= 2.7 `ignore_not_found` + `exists`). A version that was
 * never registered fails `plan` (a postcondition on `exists`) with a message naming the version and
 * the `npm run register` command, so a fresh environment never fails halfway through an apply.
 * {@link modelAssetUri} is built from the data source's attributes, so the deployment's `model`
 * is a Terraform reference to it and Terraform reads the version before it touches a deployment.
 */
export class RegistryModelVersion extends Construct {
  public readonly lookup: DataAzapiResource;
  /** `azureml://registries/<registry>/models/<name>/versions/<version>`, referencing the look-up. */
  public readonly modelAssetUri: string;

  constructor(scope: Construct, id: string, props: RegistryModelVersionProps) {
    super(scope, id);
    const { name, version } = props.model;
    const register =
      props.registerCommand ??
      `npm run register -- --package models/${name}/${version} --registry ${props.registry.registryName}`;
    this.lookup = new DataAzapiResource(this, 'Lookup', {
      type: REGISTRY_MODEL_VERSION_TYPE,
      name: version,
      parentId: `${props.registry.registryId}/models/${name}`,
      ignoreNotFound: true,
      lifecycle: {
        postcondition: [
          {
            condition: '${self.exists}',
            errorMessage:
              `Model version ${name}:${version} is not in the registry '${props.registry.registryName}'. ` +
              `Register it first (versions are immutable; register once, promote by reference): ${register}`,
          },
        ],
      },
    });
    this.modelAssetUri = `azureml://registries/${props.registry.registryName}/models/${name}/versions/${this.lookup.nameAttribute}`;
  }
}
