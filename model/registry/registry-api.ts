/**
 * The Azure ML registry REST operations `npm run register` needs, typed from the official schema:
 * `Microsoft.MachineLearningServices` api-version 2026-05-01 (the type graph azapi embeds,
 * ../shared/azure-api/machinelearningservices-2026-05-01.azapi-types.json, and schemas/azure-api):
 * - `registries/models/versions` body = ModelVersion { properties: ModelVersionProperties }
 *   (modelUri, modelType, description, tags, properties, isAnonymous, isArchived, stage, ...;
 *   `provisioningState` ReadOnly);
 * - the `startPendingUpload` action on `registries/models/versions` (ResourceFunctionType),
 *   input PendingUploadRequestDto { pendingUploadId?, pendingUploadType }, output
 *   PendingUploadResponseDto { blobReferenceForConsumption { blobUri, storageAccountArmId,
 *   credential: SASCredentialDto { credentialType: 'SAS', sasUri } }, pendingUploadId, ... }.
 * The REST path of the action is `.../versions/{version}/startPendingUpload` (POST, 200), as in
 * Azure/azure-rest-api-specs `.../stable/2025-12-01/examples/Registry/ModelVersion/
 * createOrGetStartPendingUpload.json` (operation RegistryModelVersions_CreateOrGetStartPendingUpload).
 * Registry listing by subscription (Registries_ListBySubscription, pageable by `nextLink`):
 * `.../stable/2024-04-01/registries.json`.
 */
import { ArmClient } from './arm-client';

/** The newest stable api-version (FACTS.md §1); the infrastructure pins the same one. */
export const ML_API_VERSION = '2026-05-01';

/**
 * `modelType` of our packages. The REST example writes "CustomModel"; the CLI/SDK and job
 * outputs use "custom_model" (FACTS.md §2.3). The schema takes any string. Unverified which
 * spelling the registry normalizes to; we send the CLI's, the form deployments and jobs use.
 */
export const MODEL_TYPE = 'custom_model';

/** Registry, container and version names (FACTS.md §2.8): container `^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$`. */
const REGISTRY_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/;
const CONTAINER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$/;
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Where a registry lives. */
export interface RegistryTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly registryName: string;
}

export interface ModelVersionProperties {
  readonly modelUri?: string;
  readonly modelType?: string;
  readonly description?: string;
  readonly tags?: Record<string, string>;
  readonly properties?: Record<string, string>;
  readonly isAnonymous?: boolean;
  readonly isArchived?: boolean;
  readonly provisioningState?: string;
}

export interface ModelVersionResource {
  readonly id?: string;
  readonly name?: string;
  readonly properties: ModelVersionProperties;
}

export interface BlobReference {
  /** Where the content goes (and then `modelUri`), without credentials. */
  readonly blobUri: string;
  /** Container-level read/write/list SAS URI. */
  readonly sasUri: string;
  readonly storageAccountArmId?: string;
}

/** Throws one error listing every bad part of a target. */
export function assertRegistryTarget(t: RegistryTarget): void {
  const problems: string[] = [];
  if (!GUID_RE.test(t.subscriptionId)) problems.push(`subscription id '${t.subscriptionId}' is not a GUID`);
  if (!/^[-\w._()]{1,90}$/.test(t.resourceGroup) || t.resourceGroup.endsWith('.')) {
    problems.push(`resource group '${t.resourceGroup}' is not a valid resource group name`);
  }
  if (!REGISTRY_NAME_RE.test(t.registryName)) {
    problems.push(`registry name '${t.registryName}' must match ${REGISTRY_NAME_RE.source}`);
  }
  if (problems.length > 0) throw new Error(`invalid registry target: ${problems.join('; ')}`);
}

export function assertModelId(name: string, version: string): void {
  const problems: string[] = [];
  if (!CONTAINER_NAME_RE.test(name))
    problems.push(`model name '${name}' must match ${CONTAINER_NAME_RE.source}`);
  // A version is a path segment; the package writer already limits it to [A-Za-z0-9._-].
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(version)) {
    problems.push(`model version '${version}' must be 1-64 letters, digits, '.', '_' or '-'`);
  }
  if (problems.length > 0) throw new Error(`cannot register: ${problems.join('; ')}`);
}

const enc = encodeURIComponent;

export function registryPath(t: RegistryTarget): string {
  return (
    `/subscriptions/${enc(t.subscriptionId)}/resourceGroups/${enc(t.resourceGroup)}` +
    `/providers/Microsoft.MachineLearningServices/registries/${enc(t.registryName)}`
  );
}

export function modelContainerPath(t: RegistryTarget, name: string): string {
  return `${registryPath(t)}/models/${enc(name)}`;
}

export function modelVersionPath(t: RegistryTarget, name: string, version: string): string {
  return `${modelContainerPath(t, name)}/versions/${enc(version)}`;
}

/** The asset id deployments use: `azureml://registries/<r>/models/<name>/versions/<v>`. */
export function registryModelAssetId(registryName: string, name: string, version: string): string {
  return `azureml://registries/${registryName}/models/${name}/versions/${version}`;
}

function asModelVersion(raw: unknown, what: string): ModelVersionResource {
  const props = (raw as { properties?: unknown } | undefined)?.properties;
  if (typeof props !== 'object' || props === null) {
    throw new Error(`${what}: the answer has no 'properties' object`);
  }
  return raw as ModelVersionResource;
}

/** Typed registry operations over an {@link ArmClient}. */
export class RegistryApi {
  constructor(
    private readonly arm: ArmClient,
    private readonly apiVersion: string = ML_API_VERSION,
  ) {}

  /**
   * Finds a registry by name in a subscription (resource group read from its id).
   * Registries_ListBySubscription, following `nextLink` pages.
   */
  async findRegistry(subscriptionId: string, registryName: string): Promise<RegistryTarget> {
    let url: string | undefined = this.arm.url(
      `/subscriptions/${enc(subscriptionId)}/providers/Microsoft.MachineLearningServices/registries`,
      this.apiVersion,
    );
    const seen: string[] = [];
    while (url) {
      const page = (await this.arm.get(url)) as {
        value?: { id?: string; name?: string }[];
        nextLink?: string;
      };
      for (const r of page.value ?? []) {
        if (typeof r.name === 'string') seen.push(r.name);
        if (r.name?.toLowerCase() === registryName.toLowerCase() && r.id) {
          const m = /\/resourceGroups\/([^/]+)\//i.exec(r.id);
          if (!m) throw new Error(`registry '${registryName}' has an id without a resource group: ${r.id}`);
          return { subscriptionId, resourceGroup: decodeURIComponent(m[1]), registryName: r.name };
        }
      }
      url = typeof page.nextLink === 'string' && page.nextLink.length > 0 ? page.nextLink : undefined;
    }
    throw new Error(
      `no Azure ML registry named '${registryName}' in subscription ${subscriptionId}` +
        (seen.length > 0 ? ` (found: ${seen.join(', ')})` : ' (it has none you can read)') +
        '; deploy the fraud-shared stack first, or pass --resource-group',
    );
  }

  async getModelVersion(
    t: RegistryTarget,
    name: string,
    version: string,
  ): Promise<ModelVersionResource | undefined> {
    const url = this.arm.url(modelVersionPath(t, name, version), this.apiVersion);
    const raw = await this.arm.getOrUndefined(url);
    return raw === undefined ? undefined : asModelVersion(raw, `model version ${name}:${version}`);
  }

  /** Creates the model container if it does not exist (a no-op when it does). */
  async ensureModelContainer(t: RegistryTarget, name: string, description: string): Promise<void> {
    const url = this.arm.url(modelContainerPath(t, name), this.apiVersion);
    if ((await this.arm.getOrUndefined(url)) !== undefined) return;
    await this.arm.putAndWait(url, { properties: { description } });
  }

  /** POST .../versions/{v}/startPendingUpload: a SAS to upload the version's content to. */
  async startPendingUpload(t: RegistryTarget, name: string, version: string): Promise<BlobReference> {
    const url = this.arm.url(`${modelVersionPath(t, name, version)}/startPendingUpload`, this.apiVersion);
    const raw = (await this.arm.post(url, { pendingUploadType: 'TemporaryBlobReference' })) as
      | {
          blobReferenceForConsumption?: {
            blobUri?: unknown;
            storageAccountArmId?: unknown;
            credential?: { credentialType?: unknown; sasUri?: unknown };
          };
        }
      | undefined;
    const ref = raw?.blobReferenceForConsumption;
    const cred = ref?.credential;
    if (!ref || typeof ref.blobUri !== 'string' || ref.blobUri.length === 0) {
      throw new Error(
        `startPendingUpload for ${name}:${version} returned no blobReferenceForConsumption.blobUri`,
      );
    }
    if (
      !cred ||
      cred.credentialType !== 'SAS' ||
      typeof cred.sasUri !== 'string' ||
      cred.sasUri.length === 0
    ) {
      throw new Error(
        `startPendingUpload for ${name}:${version} returned credential type '${String(cred?.credentialType)}' ` +
          'without a sasUri; only SAS credentials are supported',
      );
    }
    return {
      blobUri: ref.blobUri,
      sasUri: cred.sasUri,
      storageAccountArmId: typeof ref.storageAccountArmId === 'string' ? ref.storageAccountArmId : undefined,
    };
  }

  /** PUT the version and wait for its long-running operation; returns the version read back. */
  async createModelVersion(
    t: RegistryTarget,
    name: string,
    version: string,
    properties: ModelVersionProperties,
  ): Promise<ModelVersionResource> {
    const url = this.arm.url(modelVersionPath(t, name, version), this.apiVersion);
    const raw = await this.arm.putAndWait(url, { properties });
    return asModelVersion(raw, `model version ${name}:${version}`);
  }
}
