import { IResolvable, TerraformMetaArguments, TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  azapiElementConfig,
  AzapiRetry,
  AzapiTimeouts,
  commonAzapiErrors,
  outputToken,
  retryToTerraform,
  throwIfErrors,
  timeoutsToTerraform,
} from './common';

/** Managed identity of an azapi resource (azapi merges it into `body.identity`). */
export interface AzapiIdentity {
  readonly type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';
  /** User-assigned identity ids; required when `type` includes UserAssigned. @default - none */
  readonly identityIds?: string[];
}

export interface AzapiResourceProps extends TerraformMetaArguments {
  /** `Microsoft.X/y@api-version`, e.g. `mlType('workspaces/onlineEndpoints')`. */
  readonly type: string;
  /** The resource name (the last segment of its ARM id). */
  readonly name: string;
  /** ARM id of the parent: a resource group id for top-level types, the parent resource id otherwise. */
  readonly parentId: string;
  /** Azure region. Required by tracked resources (endpoints, deployments, registries); an error on proxy resources (models, environments, versions). @default - none */
  readonly location?: string;
  /** @default - no managed identity */
  readonly identity?: AzapiIdentity;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
  /** The request body as an object. Emitted as an HCL object, never a JSON string (PITFALLS.md §1). */
  readonly body: Record<string, unknown>;
  /** Parts of the body kept out of plan output and state diffs (e.g. keys). @default - none */
  readonly sensitiveBody?: Record<string, unknown>;
  /** Response paths copied into `output`, e.g. `['properties.scoringUri']`. @default - none (output is empty) */
  readonly responseExportValues?: string[];
  /** Mutex names (usually ARM ids): azapi never runs two writes holding the same lock at once. @default - none */
  readonly locks?: string[];
  /** @default - azapi defaults (30m create/update/delete, 5m read) */
  readonly timeouts?: AzapiTimeouts;
  /**
   * Body paths whose remote value is kept on update (copied from a fresh GET), e.g.
   * `['properties.traffic']`. Needs azapi >= 2.12 and Terraform >= 1.11. @default - none
   */
  readonly ignoreBodyChanges?: string[];
  /** Check `body` against the provider's embedded schema at plan. @default true (provider default) */
  readonly schemaValidationEnabled?: boolean;
  /** Ignore casing differences between config and remote when diffing. @default false (provider default) */
  readonly ignoreCasing?: boolean;
  /** @default - no retry */
  readonly retry?: AzapiRetry;
  /** Paths in `body` whose change forces a replacement (`replace_triggers_refs`). @default - none */
  readonly replaceTriggersRefs?: string[];
}

/**
 * `azapi_resource`: a full ARM resource managed by PUT/GET/DELETE.
 *
 * Its attributes are those of azapi v2.12.0 (internal/services/azapi_resource.go:173-480;
 * table: schemas/azapi-2.12/). It has no `sensitive_response_export_values` / `sensitive_output`:
 * those exist only on `azapi_resource_action`.
 *
 * The main attribute is {@link id}; read response values with {@link outputAttribute} after
 * listing them in `responseExportValues`.
 */
export class AzapiResource extends TerraformResource {
  /** For cdktf matchers (`toHaveResourceWithProperties(AzapiResource, ...)`). */
  public static readonly tfResourceType = 'azapi_resource';

  /** The configured `type` (resource type and api-version). */
  public readonly resourceType: string;
  /** The configured resource name. */
  public readonly resourceName: string;
  /** The configured body (read-only view; azapi merges name/location/tags/identity into it). */
  public readonly body: Readonly<Record<string, unknown>>;

  private readonly attrs: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: AzapiResourceProps) {
    super(scope, id, azapiElementConfig(AzapiResource.tfResourceType, props));
    const errors = commonAzapiErrors(`azapi_resource '${this.node.path}'`, props);
    if (props.identity?.type.includes('UserAssigned') && !(props.identity.identityIds ?? []).length) {
      errors.push(
        `azapi_resource '${this.node.path}': identity.identityIds must list at least one id when identity.type is '${props.identity.type}'`,
      );
    }
    if (!Token.isUnresolved(props.name) && props.name.trim() === '') {
      errors.push(`azapi_resource '${this.node.path}': name must not be empty`);
    }
    throwIfErrors(errors);

    this.resourceType = props.type;
    this.resourceName = props.name;
    this.body = structuredCloneSafe(props.body);
    this.attrs = {
      type: props.type,
      name: props.name,
      parent_id: props.parentId,
      location: props.location,
      identity: props.identity
        ? [{ type: props.identity.type, identity_ids: props.identity.identityIds }]
        : undefined,
      tags: props.tags,
      body: this.body,
      sensitive_body: props.sensitiveBody,
      response_export_values: props.responseExportValues,
      locks: props.locks,
      timeouts: timeoutsToTerraform(props.timeouts),
      ignore_body_changes: props.ignoreBodyChanges,
      schema_validation_enabled: props.schemaValidationEnabled,
      ignore_casing: props.ignoreCasing,
      retry: retryToTerraform(props.retry),
      replace_triggers_refs: props.replaceTriggersRefs,
    };
  }

  /** The ARM id of the resource. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The dynamic `output` (only the paths listed in `responseExportValues`). */
  public get output(): IResolvable {
    return this.interpolationForAttribute('output');
  }

  /** Principal id of the system-assigned identity (`identity[0].principal_id`). */
  public get identityPrincipalId(): string {
    return this.getStringAttribute('identity[0].principal_id');
  }

  /**
   * A token for one exported response value, read by path (never by `jsondecode`, PITFALLS §2):
   * `outputAttribute('properties.scoringUri')` -> `${azapi_resource.x.output.properties.scoringUri}`.
   * The path must also be listed in `responseExportValues`.
   */
  public outputAttribute(path: string): string {
    return outputToken(this, 'output', path);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.attrs };
  }
}

/**
 * Deep copy of a plain JSON-like body that keeps cdktf tokens (objects with `resolve`) as they
 * are, so later edits to the caller's object do not change what is synthesized.
 */
export function structuredCloneSafe<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => structuredCloneSafe(v)) as T;
  if (value !== null && typeof value === 'object' && (value as object).constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = structuredCloneSafe(v);
    return out as T;
  }
  return value;
}
