import { IResolvable, TerraformMetaArguments, TerraformResource } from 'cdktf';
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
import { structuredCloneSafe } from './resource';

/**
 * Target an existing resource either by `resourceId`, or by `parentId` + `name`.
 * Exactly one of the two forms must be given.
 */
export interface AzapiUpdateResourceProps extends TerraformMetaArguments {
  /** `Microsoft.X/y@api-version` of the resource being updated. */
  readonly type: string;
  /** ARM id of the resource to update. @default - use `parentId` + `name` */
  readonly resourceId?: string;
  /** Parent ARM id (with `name`). @default - use `resourceId` */
  readonly parentId?: string;
  /** Resource name (with `parentId`). @default - use `resourceId` */
  readonly name?: string;
  /**
   * The part of the body to set. azapi does GET, deep-merges this into the remote body (map keys
   * you leave out are KEPT), strips read-only fields, then PUTs (PITFALLS.md §1). Not validated
   * against the schema by azapi.
   */
  readonly body: Record<string, unknown>;
  /** @default - none */
  readonly sensitiveBody?: Record<string, unknown>;
  /** @default - none */
  readonly responseExportValues?: string[];
  /** @default - none */
  readonly locks?: string[];
  /** @default - azapi defaults */
  readonly timeouts?: AzapiTimeouts;
  /** @default false (provider default) */
  readonly ignoreCasing?: boolean;
  /** @default - no retry */
  readonly retry?: AzapiRetry;
}

/**
 * `azapi_update_resource`: changes part of a resource that something else created.
 * Destroying it does nothing in Azure. Unlike `azapi_resource_action` it reads the resource back
 * on every refresh and keeps the remote values of the body paths it manages in state
 * (azapi v2.12.0 internal/services/azapi_update_resource.go:573-674, `utils.UpdateObject` at :640),
 * so a change made outside Terraform shows up in the next plan and apply restores it.
 * Attributes: azapi v2.12.0 azapi_update_resource.go:93-298 (no `sensitive_response_export_values`).
 */
export class AzapiUpdateResource extends TerraformResource {
  public static readonly tfResourceType = 'azapi_update_resource';

  private readonly attrs: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: AzapiUpdateResourceProps) {
    super(scope, id, azapiElementConfig(AzapiUpdateResource.tfResourceType, props));
    const what = `azapi_update_resource '${this.node.path}'`;
    const errors = commonAzapiErrors(what, props);
    const byId = props.resourceId !== undefined;
    const byName = props.parentId !== undefined || props.name !== undefined;
    if (byId === byName) {
      errors.push(`${what}: give either resourceId, or parentId and name (got ${byId ? 'both' : 'neither'})`);
    } else if (byName && (props.parentId === undefined || props.name === undefined)) {
      errors.push(`${what}: parentId and name must be given together`);
    }
    throwIfErrors(errors);
    this.attrs = {
      type: props.type,
      resource_id: props.resourceId,
      parent_id: props.parentId,
      name: props.name,
      body: structuredCloneSafe(props.body),
      sensitive_body: props.sensitiveBody,
      response_export_values: props.responseExportValues,
      locks: props.locks,
      timeouts: timeoutsToTerraform(props.timeouts),
      ignore_casing: props.ignoreCasing,
      retry: retryToTerraform(props.retry),
    };
  }

  public get id(): string {
    return this.getStringAttribute('id');
  }

  public get output(): IResolvable {
    return this.interpolationForAttribute('output');
  }

  /** Token for `output.<path>` (path listed in `responseExportValues`). */
  public outputAttribute(path: string): string {
    return outputToken(this, 'output', path);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.attrs };
  }
}
