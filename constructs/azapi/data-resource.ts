import { TerraformDataSource, TerraformMetaArguments, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  azapiElementConfig,
  AzapiTimeouts,
  commonAzapiErrors,
  outputToken,
  throwIfErrors,
  timeoutsToTerraform,
} from './common';

export interface DataAzapiResourceProps extends TerraformMetaArguments {
  /** `Microsoft.X/y@api-version` of the resource read. */
  readonly type: string;
  /** Name of the resource (the last segment of its id). */
  readonly name: string;
  /** ARM id of its parent (a resource group id for top-level types). */
  readonly parentId: string;
  /**
   * Report a missing resource through {@link DataAzapiResource.exists} instead of failing the
   * read with a bare 404, so that a `lifecycle.postcondition` on `exists` can fail the plan with a
   * message that says how to fix it. Needs azapi >= 2.7 (the pin is `~> 2.12`).
   * @default false
   */
  readonly ignoreNotFound?: boolean;
  /** Response paths copied into `output`. @default - none */
  readonly responseExportValues?: string[];
  /** @default - azapi default (5m read) */
  readonly timeouts?: Pick<AzapiTimeouts, 'read'>;
}

/**
 * `data "azapi_resource"`: reads an existing resource at plan time (GET), e.g. the shared model
 * registry or a registry model version a deployment references. With `ignoreNotFound` a 404 sets
 * `exists = false` (azapi docs/data-sources/resource.md; CHANGELOG v2.7.0: "`azapi_resource` data
 * source: Support `ignore_not_found` argument and `exists` computed field").
 */
export class DataAzapiResource extends TerraformDataSource {
  public static readonly tfResourceType = 'azapi_resource';

  private readonly attrs: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: DataAzapiResourceProps) {
    super(scope, id, azapiElementConfig(DataAzapiResource.tfResourceType, props));
    const what = `data azapi_resource '${this.node.path}'`;
    const errors = commonAzapiErrors(what, props);
    if (!Token.isUnresolved(props.name) && props.name.trim() === '')
      errors.push(`${what}: name must not be empty`);
    throwIfErrors(errors);
    this.attrs = {
      type: props.type,
      name: props.name,
      parent_id: props.parentId,
      ignore_not_found: props.ignoreNotFound,
      response_export_values: props.responseExportValues,
      timeouts: timeoutsToTerraform(props.timeouts),
    };
  }

  /** ARM id of the resource (built from the inputs even when it does not exist). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The resource name, as a reference to this data source. */
  public get nameAttribute(): string {
    return this.getStringAttribute('name');
  }

  /** `false` only when `ignoreNotFound` is set and the resource is missing. */
  public get existsAttribute(): string {
    return this.getStringAttribute('exists');
  }

  /** A token for one exported response value (listed in `responseExportValues`). */
  public outputAttribute(path: string): string {
    return outputToken(this, 'output', path);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.attrs };
  }
}
