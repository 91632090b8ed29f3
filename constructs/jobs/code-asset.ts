/**
 * A job's code as an Azure ML code asset (`workspaces/codes` + `codes/versions`), versioned by
 * its content hash.
 *
 * At synth the caller's writer puts the files (for training: the esbuild bundle of the train CLI)
 * into a folder, shipped as a cdktf `TerraformAsset` of type DIRECTORY; its hash is the version,
 * so the version changes exactly when the bundled code changes, and the hash is what the job
 * records as the manifest's code version. At apply every file becomes a blob under
 * `job-code/<code name>/<hash>/` in the workspace storage, and the code version points there
 * (`codeUri` = the blob folder URI, as in the REST sample; ../shared/azure-api/FACTS.md §2.5).
 *
 * UNVERIFIED: that Azure ML fetches a code snapshot from a container other than the workspace's
 * default `azureml-blobstore-<guid>` one (whose name is unknown at synth). Safe choice: the blobs
 * live in the workspace's own storage account, and the identity jobs run as gets blob read on it
 * (stacks/jobs.ts).
 */
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AzapiResource, mlType } from '../azapi';
import { MlWorkspace } from '../platform/ml-workspace';
import { SecureStorage } from '../platform/storage';
import { stagingDir } from '../core/staging-dir';

export const CODE_TYPE = mlType('workspaces/codes');
export const CODE_VERSION_TYPE = mlType('workspaces/codes/versions');

/**
 * Writes a job's code files into `outDir`; returns them relative to it (flat or nested), and
 * optionally cdktf's asset hash of a folder holding exactly those files, when the writer knows it
 * (a content-addressed bundle cache, stacks/bundle-cache.ts): the asset then need not read and
 * hash the files again. @default assetHash - computed by cdktf from the folder
 */
export type CodeWriter = (opts: { outDir: string }) => { files: string[]; assetHash?: string };

export interface CodeAssetProps {
  readonly workspace: MlWorkspace;
  /** The workspace's storage account (the code blobs go there). */
  readonly storage: SecureStorage;
  /** Code asset name, e.g. `fraud-trainer`. */
  readonly name: string;
  /** Writes the code at synth (e.g. the esbuild bundle of the train CLI). */
  readonly writeCode: CodeWriter;
  /**
   * Files that must be among the written ones, e.g. the command's entry file.
   * @default - none
   */
  readonly requiredFiles?: readonly string[];
  /** @default - a fresh folder under the OS temp dir */
  readonly stagingDir?: string;
  /** @default - `<name> (code asset)` */
  readonly description?: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const FILE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Problems with the code asset inputs (pure). */
export function codeAssetErrors(
  name: string,
  files: readonly string[],
  required: readonly string[],
): string[] {
  const errors: string[] = [];
  if (!NAME.test(name)) errors.push(`name '${name}' must match ${NAME.source}`);
  if (files.length === 0) errors.push('the code writer wrote no files');
  for (const f of files) {
    if (!FILE.test(f) || f.split('/').includes('..')) {
      errors.push(`file '${f}' must be a relative path of letters, digits, '.', '_', '-' (no '..')`);
    }
  }
  for (const r of required) {
    if (!files.includes(r))
      errors.push(`required file '${r}' was not written (got ${files.join(', ') || 'none'})`);
  }
  return errors;
}

export class CodeAsset extends Construct {
  /** Content hash (lowercase hex): the code version, recorded in model manifests. */
  public readonly version: string;
  /** ARM id of the code version: a job's `codeId`. */
  public readonly codeVersionId: string;
  public readonly codeName: string;
  /** Files of the code, relative to the code root. */
  public readonly files: readonly string[];

  constructor(scope: Construct, id: string, props: CodeAssetProps) {
    super(scope, id);
    const staging = props.stagingDir ?? stagingDir('fraud-code-asset-');
    const codeDir = path.join(staging, 'code');
    mkdirSync(codeDir, { recursive: true });
    const written = props.writeCode({ outDir: codeDir });
    const files = [...written.files].sort();
    const errors = codeAssetErrors(props.name, files, props.requiredFiles ?? []);
    for (const f of files) {
      if (errors.length === 0 && !statSync(path.join(codeDir, f), { throwIfNoEntry: false })?.isFile()) {
        errors.push(`file '${f}' was reported but not written`);
      }
    }
    if (errors.length > 0) throw new Error(`CodeAsset '${this.node.path}':\n- ${errors.join('\n- ')}`);
    this.files = files;
    this.codeName = props.name;

    // The writer's hash holds only for a folder of exactly its files (a caller's stagingDir may
    // hold others): otherwise cdktf hashes the folder.
    const onlyWritten = written.assetHash !== undefined && listFiles(codeDir).join('\n') === files.join('\n');
    const asset = new TerraformAsset(this, 'Code', {
      path: codeDir,
      type: AssetType.DIRECTORY,
      assetHash: onlyWritten ? written.assetHash : undefined,
    });
    this.version = asset.assetHash.toLowerCase();
    const container = new StorageContainer(this, 'Container', {
      name: 'job-code',
      storageAccountId: props.storage.storageAccountId,
      containerAccessType: 'private',
    });
    const prefix = `${props.name}/${this.version}`;
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
    const code = new AzapiResource(this, 'Resource', {
      type: CODE_TYPE,
      name: props.name,
      parentId: props.workspace.workspaceId,
      body: { properties: { description: props.description ?? `${props.name} (code asset)` } },
    });
    const version = new AzapiResource(this, 'Version', {
      type: CODE_VERSION_TYPE,
      name: this.version,
      parentId: code.id,
      body: {
        properties: {
          codeUri: `${props.storage.primaryBlobEndpoint}${container.name}/${prefix}/`,
          description: `${props.name} ${this.version}`,
          tags: { contentHash: this.version },
        },
      },
      dependsOn: blobs,
      // Versions are immutable: a new hash is a new version, created before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });
    this.codeVersionId = version.id;
  }
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    )
    .sort();
}
