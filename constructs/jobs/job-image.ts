/**
 * The Node 20 image Azure ML jobs run in, built exactly the way the scoring image is
 * (constructs/serving/scoring-image.ts):
 *
 * At synth: the caller's writer puts the Docker build context into a staging folder; it is packed
 * as a deterministic tar.gz and shipped as a cdktf `TerraformAsset`, whose hash is the image tag
 * and the Azure ML environment version (an unchanged context changes nothing in the plan).
 *
 * At apply: blob in the workspace storage -> ACR task (docker build, push `<repo>:<hash>` to the
 * workspace ACR) -> task run now (Terraform waits and FAILS the apply when the build fails) ->
 * environment version `<hash>` pointing at the built image. Why a registry build task and not an
 * Azure ML environment `build` context: ARM never reports an environment's image build status
 * (../shared/azure-api/FACTS.md §0.7, §3), so a broken Dockerfile would surface only when the
 * weekly job fails; here it fails `cdktf deploy`.
 *
 * Unlike the scoring image the environment has no `inferenceConfig`: it runs command jobs,
 * which need only a shell and `node` on the PATH. The job's code comes from the code asset.
 *
 * UNVERIFIED (as for the scoring image, safe choice made): that the ACR task reads the private
 * tarball through a container-scoped, read-only SAS with a fixed expiry.
 */
import { ContainerRegistryTaskScheduleRunNow } from '@cdktf/provider-azurerm/lib/container-registry-task-schedule-run-now';
import { Construct } from 'constructs';
import { ContainerRegistry } from '../platform/container-registry';
import { MlWorkspace } from '../platform/ml-workspace';
import { SecureStorage } from '../platform/storage';
import { stagingDir } from '../core/staging-dir';
import type { BuildContextWriter } from '../serving/scoring-image';
import { buildImageFromContext, imageEnvironment, imageInputErrors } from '../serving/image-build';

export interface JobImageProps {
  readonly workspace: MlWorkspace;
  /** The workspace's storage account: the build context is uploaded there. */
  readonly storage: SecureStorage;
  /** The workspace's container registry (the image is pushed there). */
  readonly containerRegistry: ContainerRegistry;
  /** Writes the Docker build context at synth. Injected so that constructs never import model/. */
  readonly writeBuildContext: BuildContextWriter;
  /** Image repository in the registry. @default 'fraud-jobs' */
  readonly repository?: string;
  /** Azure ML environment (container) name. @default 'fraud-jobs' */
  readonly environmentName?: string;
  /** @default - a fresh folder under the OS temp dir */
  readonly stagingDir?: string;
  /**
   * Expiry of the read-only SAS the ACR task fetches the context with; fixed so plans are stable.
   * @default '2030-01-01T00:00:00Z'
   */
  readonly contextSasExpiry?: string;
  /** How long Terraform waits for the image build. @default '60m' */
  readonly buildTimeout?: string;
}

/** Problems with the image inputs (pure; exported for tests). */
export function jobImageErrors(
  props: Pick<JobImageProps, 'repository' | 'environmentName' | 'contextSasExpiry' | 'buildTimeout'>,
): string[] {
  return imageInputErrors(props);
}

export class JobImage extends Construct {
  /** Content hash of the build context (lowercase hex): the image tag and environment version. */
  public readonly version: string;
  /** `<loginServer>/<repository>:<version>` (a token until apply). */
  public readonly imageUri: string;
  /** ARM id of the environment version: a job's `environmentId`. */
  public readonly environmentVersionId: string;
  /** The build run; the environment version depends on it. */
  public readonly buildRun: ContainerRegistryTaskScheduleRunNow;
  /** Files of the build context, as the writer reported them. */
  public readonly contextFiles: readonly string[];

  constructor(scope: Construct, id: string, props: JobImageProps) {
    super(scope, id);
    const errors = jobImageErrors(props);
    if (errors.length > 0) throw new Error(`JobImage '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const repository = props.repository ?? 'fraud-jobs';
    const environmentName = props.environmentName ?? 'fraud-jobs';

    const build = buildImageFromContext(this, {
      owner: 'JobImage',
      storage: props.storage,
      containerRegistry: props.containerRegistry,
      writeBuildContext: props.writeBuildContext,
      stagingDir: props.stagingDir ?? stagingDir('fraud-job-image-'),
      repository,
      // Its own container: the scoring image has its own.
      contextContainer: 'job-build-contexts',
      contextBlobName: (version) => `${repository.replace(/\//g, '-')}/${version}.tar.gz`,
      contextSasExpiry: props.contextSasExpiry,
      buildTimeout: props.buildTimeout,
    });
    this.contextFiles = build.contextFiles;
    this.version = build.version;
    this.buildRun = build.buildRun;
    this.imageUri = build.imageUri;
    const tag = `${repository}:${this.version}`;

    // 4. The Azure ML environment: container + immutable version named by the hash.
    const version = imageEnvironment(this, {
      workspaceId: props.workspace.workspaceId,
      name: environmentName,
      description: 'Node 20 job image (training and drift jobs)',
      build,
      versionDescription: `fraud job image ${tag}`,
    });
    this.environmentVersionId = version.id;
  }
}
