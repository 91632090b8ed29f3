/**
 * Registers a model package as an immutable Azure ML registry model version, the way the
 * registry expects content to arrive: start a pending upload, upload the blobs to the SAS it
 * returns, then create the version pointing at them (registry-api.ts cites the REST shapes).
 *
 * Idempotent by content: when the version already exists with the same content hash (stored in
 * its add-only properties) nothing is uploaded and the call succeeds; when it exists with other
 * content, or without our hash, it is never overwritten and the call fails naming both.
 */
import { ArmError } from './arm-client';
import { uploadPackageFiles, type UploadedBlob } from './blob-upload';
import { readPackageContent, type PackageContent } from './package-content';
import {
  assertModelId,
  assertRegistryTarget,
  MODEL_TYPE,
  registryModelAssetId,
  type ModelVersionResource,
  type RegistryApi,
  type RegistryTarget,
} from './registry-api';
import { CONTENT_HASH_PROPERTY, versionMetadata } from './version-metadata';

/** The version exists with different (or unprovable) content; versions are immutable. */
export class ModelVersionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelVersionConflictError';
  }
}

export interface RegisterModelPackageOptions {
  /** The package folder, `models/<name>/<version>`. */
  readonly packageDir: string;
  readonly target: RegistryTarget;
  readonly api: RegistryApi;
  /** Uploads the files to the pending upload. @default uploadPackageFiles (@azure/storage-blob) */
  readonly upload?: typeof uploadPackageFiles;
  /** Progress lines. @default - silent */
  readonly log?: (line: string) => void;
}

export interface RegisterResult {
  /** `created`: uploaded and created now; `unchanged`: the same content was already registered. */
  readonly outcome: 'created' | 'unchanged';
  readonly name: string;
  readonly version: string;
  /** `azureml://registries/<r>/models/<name>/versions/<v>`, what deployments reference. */
  readonly assetId: string;
  readonly modelUri?: string;
  readonly contentSha256: string;
  readonly uploaded: readonly UploadedBlob[];
}

/**
 * `same` when `existing` holds exactly `content`; otherwise throws the error that explains why
 * the version cannot be reused.
 */
export function checkExistingVersion(
  existing: ModelVersionResource,
  content: PackageContent,
  assetId: string,
): 'same' {
  const stored = existing.properties.properties?.[CONTENT_HASH_PROPERTY];
  if (stored === undefined) {
    throw new ModelVersionConflictError(
      `${assetId} already exists but was not registered by npm run register (no '${CONTENT_HASH_PROPERTY}' property), ` +
        'so its content cannot be compared; versions are immutable: train or register under another version',
    );
  }
  if (stored !== content.contentSha256) {
    throw new ModelVersionConflictError(
      `${assetId} already exists with different content (registered ${CONTENT_HASH_PROPERTY} ${stored}, ` +
        `this package ${content.contentSha256}); versions are immutable: register this package under another version`,
    );
  }
  const state = existing.properties.provisioningState;
  if (state !== undefined && state.toLowerCase() !== 'succeeded') {
    throw new Error(
      `${assetId} exists with this content but its provisioningState is '${state}'` +
        (/^(creating|updating)$/i.test(state)
          ? '; another registration is in progress: run the command again later'
          : '; delete that version in the registry, then register again'),
    );
  }
  return 'same';
}

export async function registerModelPackage(opts: RegisterModelPackageOptions): Promise<RegisterResult> {
  const log = opts.log ?? (() => undefined);
  const upload = opts.upload ?? uploadPackageFiles;
  assertRegistryTarget(opts.target);
  const content = readPackageContent(opts.packageDir);
  const { name, version } = content.pkg.manifest;
  assertModelId(name, version);
  const assetId = registryModelAssetId(opts.target.registryName, name, version);
  const base = { name, version, assetId, contentSha256: content.contentSha256 };

  const existing = await opts.api.getModelVersion(opts.target, name, version);
  if (existing) {
    checkExistingVersion(existing, content, assetId);
    log(
      `${assetId} is already registered with this content (${content.contentSha256.slice(0, 12)}); nothing to do`,
    );
    return { ...base, outcome: 'unchanged', modelUri: existing.properties.modelUri, uploaded: [] };
  }

  const meta = versionMetadata(content);
  await opts.api.ensureModelContainer(opts.target, name, `Fraud-detection model packages (${name})`);
  log(`starting a pending upload for ${name}:${version}`);
  const ref = await opts.api.startPendingUpload(opts.target, name, version);
  const uploaded = await upload(ref, content.files);
  log(`uploaded ${uploaded.map((u) => `${u.name} (${u.bytes} B)`).join(', ')}`);
  const modelUri = ref.blobUri.split('?')[0].replace(/\/+$/, '');

  let created: ModelVersionResource;
  try {
    created = await opts.api.createModelVersion(opts.target, name, version, {
      modelUri,
      modelType: MODEL_TYPE,
      description: meta.description,
      tags: meta.tags,
      properties: meta.properties,
      isAnonymous: false,
      isArchived: false,
    });
  } catch (e) {
    // Lost a race with another registration of the same version: judge what it created.
    if (e instanceof ArmError && e.status === 409) {
      const now = await opts.api.getModelVersion(opts.target, name, version);
      if (now) {
        checkExistingVersion(now, content, assetId);
        return { ...base, outcome: 'unchanged', modelUri: now.properties.modelUri, uploaded };
      }
    }
    throw e;
  }
  const stored = created.properties.properties?.[CONTENT_HASH_PROPERTY];
  if (stored !== content.contentSha256) {
    throw new Error(
      `${assetId} was created but the registry answered ${CONTENT_HASH_PROPERTY}=${String(stored)}, ` +
        `expected ${content.contentSha256}; check the version in the registry before using it`,
    );
  }
  log(`registered ${assetId}`);
  return { ...base, outcome: 'created', modelUri: created.properties.modelUri ?? modelUri, uploaded };
}
