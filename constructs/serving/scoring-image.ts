/**
 * The scoring service as a custom container (BYOC) for Azure ML managed online endpoints.
 *
 * At synth: the caller's bundler writes the Docker build context (esbuild bundle, Dockerfile,
 * runtime package manifest + lock) into a staging folder; it is packed as a deterministic
 * tar.gz and shipped as a cdktf `TerraformAsset`. The asset hash is the image tag and the Azure
 * ML environment version, so an unchanged service changes nothing in the plan.
 *
 * At apply:
 *   blob (workspace storage, `build-contexts/scoring/<hash>.tar.gz`)
 *     -> ACR task (docker build of that tarball, pushes `<repo>:<hash>` to the workspace ACR)
 *     -> task run now (Terraform waits for the run and FAILS the apply when the build fails)
 *     -> environment version `<hash>` with `image` = the built tag + inferenceConfig routes.
 *
 * Why an ACR task and not an Azure ML environment `build` context (FACTS.md §3, §0.7): ARM never
 * reports an environment's image build status (`provisioningState` covers the registration
 * only); a broken Dockerfile would only surface when a deployment using it times out with
 * ImageBuildFailure, as a half-updated deployment. `azurerm_container_registry_task_schedule_run_now`
 * waits for the run and errors when it fails, so a failed build fails `cdktf deploy` before any
 * deployment is touched, and the environment version only ever points at an image that exists.
 *
 * UNVERIFIED (kept visible, safe choice made):
 * - FACTS §8.5: whether a build context outside the workspace's own storage is readable, and the
 *   300 MB limit. Safe choice: the context lives in the workspace storage account and is small
 *   (a single bundle file plus manifests, well under 1 MB of sources + the lock file).
 * - The ACR task reads the private tarball through `context_access_token` = a read-only SAS of the
 *   build-context container (azurerm documents the field as "Git PAT or SAS token of storage
 *   account blob"); not run against Azure here. The SAS is container-scoped, read-only, and has a
 *   fixed expiry (`contextSasExpiry`) so that it is stable between plans.
 */
import { ContainerRegistryTaskScheduleRunNow } from '@cdktf/provider-azurerm/lib/container-registry-task-schedule-run-now';
import { Construct } from 'constructs';
import { AzapiResource } from '../azapi';
import { stagingDir } from '../core/staging-dir';
import { ContainerRegistry } from '../platform/container-registry';
import { MlWorkspace } from '../platform/ml-workspace';
import { SecureStorage } from '../platform/storage';
import {
  buildImageFromContext,
  imageEnvironment,
  imageInputErrors,
  type BuildContextWriter,
} from './image-build';

export { ENVIRONMENT_TYPE, ENVIRONMENT_VERSION_TYPE } from './image-build';

/** Writes a complete Docker build context into `outDir` (e.g. service/bundle.ts `bundleServiceSync`). */
export type { BuildContextWriter } from './image-build';

/** The container's HTTP routes, as Azure ML probes and proxies them (FACTS.md §0.5, §3). */
export interface ScoringRoutes {
  /** Port of the scoring route. @default 8080 (service/Dockerfile `PORT`) */
  readonly port?: number;
  /**
   * Port of the liveness and readiness routes. The service answers probes on a port of their own,
   * from a thread of their own (service/config.ts `PROBE_PORT`, docs/service.md), so a saturated
   * scoring port never makes Azure ML restart a healthy container; each inferenceConfig Route has
   * its own port (Route {path, port}, schemas/azure-api 2026-05-01).
   * @default 8081 (service/Dockerfile `PROBE_PORT`)
   */
  readonly probePort?: number;
  /** @default '/health/live' */
  readonly liveness?: string;
  /** @default '/health/ready' */
  readonly readiness?: string;
  /** @default '/score' */
  readonly scoring?: string;
}

export interface ScoringImageProps {
  readonly workspace: MlWorkspace;
  /** The workspace's storage account: the build context must live there (FACTS §8.5). */
  readonly storage: SecureStorage;
  /** The workspace's container registry (the ML workspace can pull from it). */
  readonly containerRegistry: ContainerRegistry;
  /** Writes the build context at synth. Injected so that constructs never import service/. */
  readonly writeBuildContext: BuildContextWriter;
  /** Image repository in the registry. @default 'fraud-scoring' */
  readonly repository?: string;
  /** Azure ML environment (container) name. @default 'fraud-scoring' */
  readonly environmentName?: string;
  /** @default - see {@link ScoringRoutes} */
  readonly routes?: ScoringRoutes;
  /**
   * Where the build context is staged at synth.
   * @default - a fresh folder under the OS temp dir
   */
  readonly stagingDir?: string;
  /**
   * Expiry of the read-only SAS the ACR task uses to fetch the context. Fixed (not "now + n")
   * so that the SAS, and with it the plan, is stable; move it forward before it passes.
   * @default '2030-01-01T00:00:00Z'
   */
  readonly contextSasExpiry?: string;
  /** How long Terraform waits for the image build. @default '60m' */
  readonly buildTimeout?: string;
}

const ROUTE_PATH = /^\/[A-Za-z0-9_\-/]*[A-Za-z0-9_]$/;

/** Problems with the image inputs (pure; exported for tests). */
export function scoringImageErrors(
  props: Omit<ScoringImageProps, 'workspace' | 'storage' | 'containerRegistry' | 'writeBuildContext'>,
): string[] {
  const errors: string[] = [];
  const routes = props.routes ?? {};
  for (const [key, value] of [
    ['port', routes.port ?? 8080],
    ['probePort', routes.probePort ?? 8081],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      errors.push(`routes.${key} must be an integer 1..65535, got ${value}`);
  }
  for (const key of ['liveness', 'readiness', 'scoring'] as const) {
    const value = routes[key];
    // azapi rejects path '/' (pattern [a-zA-Z0-9_] matched unanchored, FACTS.md §0.6).
    if (value !== undefined && !ROUTE_PATH.test(value)) {
      errors.push(
        `routes.${key} '${value}' must be an absolute path with at least one letter or digit (never '/': azapi rejects it)`,
      );
    }
  }
  errors.push(...imageInputErrors(props));
  return errors;
}

export class ScoringImage extends Construct {
  /** Content hash of the build context (lowercase hex): the image tag and environment version. */
  public readonly version: string;
  /** `<loginServer>/<repository>:<version>` (a token until apply). */
  public readonly imageUri: string;
  /** ARM id of the environment version deployments reference as `environmentId`. */
  public readonly environmentVersionId: string;
  public readonly environmentVersion: AzapiResource;
  /** The build run; deployments depend on it through the environment version. */
  public readonly buildRun: ContainerRegistryTaskScheduleRunNow;
  /** The port the container listens on. */
  public readonly port: number;
  /** Files of the build context, as the writer reported them. */
  public readonly contextFiles: readonly string[];

  constructor(scope: Construct, id: string, props: ScoringImageProps) {
    super(scope, id);
    const errors = scoringImageErrors(props);
    if (errors.length > 0) throw new Error(`ScoringImage '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const routes = props.routes ?? {};
    this.port = routes.port ?? 8080;
    const repository = props.repository ?? 'fraud-scoring';
    const environmentName = props.environmentName ?? 'fraud-scoring';

    const build = buildImageFromContext(this, {
      owner: 'ScoringImage',
      storage: props.storage,
      containerRegistry: props.containerRegistry,
      writeBuildContext: props.writeBuildContext,
      stagingDir: props.stagingDir ?? stagingDir('fraud-scoring-image-'),
      repository,
      contextContainer: 'build-contexts',
      contextBlobName: (version) => `scoring/${version}.tar.gz`,
      contextSasExpiry: props.contextSasExpiry,
      buildTimeout: props.buildTimeout,
    });
    this.contextFiles = build.contextFiles;
    this.version = build.version;
    this.buildRun = build.buildRun;
    this.imageUri = build.imageUri;
    const tag = `${repository}:${this.version}`;

    // 4. The Azure ML environment: container + immutable version named by the hash.
    const route = (p: string) => ({ port: this.port, path: p });
    const probe = (p: string) => ({ port: routes.probePort ?? 8081, path: p });
    this.environmentVersion = imageEnvironment(this, {
      workspaceId: props.workspace.workspaceId,
      name: environmentName,
      description: 'Fraud scoring service (custom container built from service/)',
      build,
      versionDescription: `fraud scoring image ${tag}`,
      properties: {
        inferenceConfig: {
          livenessRoute: probe(routes.liveness ?? '/health/live'),
          readinessRoute: probe(routes.readiness ?? '/health/ready'),
          scoringRoute: route(routes.scoring ?? '/score'),
        },
      },
    });
    this.environmentVersionId = this.environmentVersion.id;
  }
}
