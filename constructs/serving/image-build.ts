/**
 * How this project builds a container image without a Docker daemon, shared by the scoring image
 * and the job image: the build context is written and packed deterministically at synth, uploaded
 * to a private container of the workspace storage, and built by an ACR task reading it through a
 * read-only SAS; Terraform waits for the task run, so a failed build fails the deploy
 * (FACTS.md §8.5; PITFALLS.md §1 "prebuilt image in ACR").
 *
 * The resources are created on the caller's scope with fixed ids ('Context', 'Container',
 * 'ContextBlob', 'ContextSas', 'BuildTask', 'BuildRun'), so their Terraform addresses are the
 * caller's own: merging the two copies of this code moved nothing in state.
 */
import { ContainerRegistryTask } from '@cdktf/provider-azurerm/lib/container-registry-task';
import { ContainerRegistryTaskScheduleRunNow } from '@cdktf/provider-azurerm/lib/container-registry-task-schedule-run-now';
import { DataAzurermStorageAccountBlobContainerSas } from '@cdktf/provider-azurerm/lib/data-azurerm-storage-account-blob-container-sas';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AzapiResource, mlType } from '../azapi';
import { ContainerRegistry } from '../platform/container-registry';
import { SecureStorage } from '../platform/storage';
import { cachedTarGzDirectory } from './context-tarball-cache';

/** Writes a complete Docker build context into `outDir` (e.g. service/bundle.ts `bundleServiceSync`). */
export type BuildContextWriter = (opts: { outDir: string }) => { files: string[] };

export interface ImageBuildProps {
  /** Names the owner in error messages, e.g. `ScoringImage`. */
  readonly owner: string;
  readonly storage: SecureStorage;
  readonly containerRegistry: ContainerRegistry;
  readonly writeBuildContext: BuildContextWriter;
  /** A folder of the caller's for the context and its tarball. */
  readonly stagingDir: string;
  /** ACR repository, e.g. `fraud-scoring`. */
  readonly repository: string;
  /** Private blob container the contexts go to. */
  readonly contextContainer: string;
  /** Blob name of the context for a version. */
  readonly contextBlobName: (version: string) => string;
  /** Fixed SAS expiry, so plans stay stable. @default '2030-01-01T00:00:00Z' */
  readonly contextSasExpiry?: string;
  /** How long Terraform waits for the build. @default '60m' (PITFALLS.md §1: first builds are slow) */
  readonly buildTimeout?: string;
}

export interface ImageBuild {
  /** Content hash of the build context (lowercase hex): the image tag. */
  readonly version: string;
  /** `<loginServer>/<repository>:<version>` (a token until apply). */
  readonly imageUri: string;
  readonly buildRun: ContainerRegistryTaskScheduleRunNow;
  /** Files of the build context, as the writer reported them. */
  readonly contextFiles: readonly string[];
}

const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const ENV_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const GO_DURATION = /^(\d+(h|m|s))+$/;

/** The inputs every image construct takes; unset means the construct's default. */
export interface ImageInputs {
  readonly repository?: string;
  readonly environmentName?: string;
  readonly contextSasExpiry?: string;
  readonly buildTimeout?: string;
}

/** Problems with an image's inputs, one rule each, for the scoring image and the job image alike. */
export function imageInputErrors(props: ImageInputs): string[] {
  const errors: string[] = [];
  if (props.repository !== undefined && !REPOSITORY.test(props.repository)) {
    errors.push(
      `repository '${props.repository}' must be a lowercase Docker repository name (${REPOSITORY.source})`,
    );
  }
  if (props.environmentName !== undefined && !ENV_NAME.test(props.environmentName)) {
    errors.push(`environmentName '${props.environmentName}' must match ${ENV_NAME.source}`);
  }
  if (props.contextSasExpiry !== undefined && !ISO_INSTANT.test(props.contextSasExpiry)) {
    errors.push(
      `contextSasExpiry '${props.contextSasExpiry}' must be an ISO-8601 UTC instant like 2030-01-01T00:00:00Z`,
    );
  }
  if (props.buildTimeout !== undefined && !GO_DURATION.test(props.buildTimeout)) {
    errors.push(`buildTimeout '${props.buildTimeout}' must be a Go duration such as '60m' or '1h30m'`);
  }
  return errors;
}

/** Packs, uploads and builds the image on `scope` (see the module comment). */
export function buildImageFromContext(scope: Construct, props: ImageBuildProps): ImageBuild {
  // 1. Build context at synth, packed deterministically.
  const contextDir = path.join(props.stagingDir, 'context');
  mkdirSync(contextDir, { recursive: true });
  const contextFiles = props.writeBuildContext({ outDir: contextDir }).files;
  if (!contextFiles.includes('Dockerfile')) {
    throw new Error(
      `${props.owner} '${scope.node.path}': the build context has no Dockerfile (got ${contextFiles.join(', ')})`,
    );
  }
  const tarball = path.join(props.stagingDir, 'context.tar.gz');
  // Cached by the context's content (the same bytes a fresh pack gives): every environment packs
  // the same context, and gzip is a quarter of a synth (context-tarball-cache.ts).
  writeFileSync(tarball, cachedTarGzDirectory(contextDir));
  const asset = new TerraformAsset(scope, 'Context', { path: tarball, type: AssetType.FILE });
  const version = asset.assetHash.toLowerCase();
  const tag = `${props.repository}:${version}`;

  // 2. Upload to the workspace storage account.
  const container = new StorageContainer(scope, 'Container', {
    name: props.contextContainer,
    storageAccountId: props.storage.storageAccountId,
    containerAccessType: 'private',
  });
  const blob = new StorageBlob(scope, 'ContextBlob', {
    name: props.contextBlobName(version),
    storageAccountName: props.storage.storageAccountName,
    storageContainerName: container.name,
    type: 'Block',
    source: asset.path,
    contentType: 'application/gzip',
  });
  const sas = new DataAzurermStorageAccountBlobContainerSas(scope, 'ContextSas', {
    connectionString: props.storage.resource.primaryConnectionString,
    containerName: container.name,
    httpsOnly: true,
    start: '2026-01-01T00:00:00Z',
    expiry: props.contextSasExpiry ?? '2030-01-01T00:00:00Z',
    permissions: { read: true, add: false, create: false, write: false, delete: false, list: false },
  });

  // 3. Build with an ACR task; the task name carries the version, so a new context means a new
  // task and a new run (the run-now resource has no other trigger).
  const task = new ContainerRegistryTask(scope, 'BuildTask', {
    name: `build-${props.repository.replace(/[^a-z0-9]/g, '')}-${version.slice(0, 12)}`,
    containerRegistryId: props.containerRegistry.registryId,
    platform: { os: 'Linux', architecture: 'amd64' },
    dockerStep: {
      dockerfilePath: 'Dockerfile',
      contextPath: `${props.storage.primaryBlobEndpoint}${container.name}/${blob.name}`,
      contextAccessToken: sas.sas,
      imageNames: [tag],
      pushEnabled: true,
      cacheEnabled: false,
    },
    lifecycle: { createBeforeDestroy: true },
  });
  const buildRun = new ContainerRegistryTaskScheduleRunNow(scope, 'BuildRun', {
    containerRegistryTaskId: task.id,
    timeouts: { create: props.buildTimeout ?? '60m' },
    lifecycle: { createBeforeDestroy: true },
  });
  return { version, imageUri: `${props.containerRegistry.loginServer}/${tag}`, buildRun, contextFiles };
}

export const ENVIRONMENT_TYPE = mlType('workspaces/environments');
export const ENVIRONMENT_VERSION_TYPE = mlType('workspaces/environments/versions');

export interface ImageEnvironmentProps {
  readonly workspaceId: string;
  /** The Azure ML environment's name. */
  readonly name: string;
  readonly description: string;
  /** The built image; its content hash names the version. */
  readonly build: ImageBuild;
  /** Description of the version (e.g. with the image tag). */
  readonly versionDescription: string;
  /** More version properties (the scoring image's inferenceConfig). @default none */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * The Azure ML environment of a built image (`Environment` and `EnvironmentVersion` under
 * `scope`): one immutable version per image, named by its content hash, created after the build
 * run and before the old version goes, so deployments and jobs move over first. Returns the
 * version.
 */
export function imageEnvironment(scope: Construct, props: ImageEnvironmentProps): AzapiResource {
  const environment = new AzapiResource(scope, 'Environment', {
    type: ENVIRONMENT_TYPE,
    name: props.name,
    parentId: props.workspaceId,
    body: { properties: { description: props.description } },
  });
  return new AzapiResource(scope, 'EnvironmentVersion', {
    type: ENVIRONMENT_VERSION_TYPE,
    name: props.build.version,
    parentId: environment.id,
    body: {
      properties: {
        description: props.versionDescription,
        image: props.build.imageUri,
        osType: 'Linux',
        ...props.properties,
      },
    },
    dependsOn: [props.build.buildRun],
    lifecycle: { createBeforeDestroy: true },
  });
}
