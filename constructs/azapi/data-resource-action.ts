import { IResolvable, TerraformDataSource, TerraformMetaArguments } from 'cdktf';
import { Construct } from 'constructs';
import {
  AzapiDataTimeouts,
  azapiElementConfig,
  dataTimeoutsToTerraform,
  outputToken,
  throwIfErrors,
} from './common';
import { actionBaseToTerraform, AzapiActionBaseInputs, actionInputErrors } from './resource-action';

/**
 * Inputs of `data "azapi_resource_action"` (azapi v2.12.0
 * internal/services/azapi_resource_action_data_source.go:60-150): no `locks`, timeouts `read` only,
 * and only read-style methods.
 */
export interface DataAzapiResourceActionProps extends AzapiActionBaseInputs, TerraformMetaArguments {
  /** @default 'POST' */
  readonly method?: 'POST' | 'GET';
  /** Response paths copied into `sensitive_output`. @default - none */
  readonly sensitiveResponseExportValues?: string[];
  /** @default - azapi default (5m) */
  readonly timeouts?: AzapiDataTimeouts;
}

/**
 * `data "azapi_resource_action"`: a read-style call that re-runs on every plan, e.g.
 * `listKeys` with `sensitiveResponseExportValues: ['primaryKey', 'secondaryKey']`.
 */
export class DataAzapiResourceAction extends TerraformDataSource {
  public static readonly tfResourceType = 'azapi_resource_action';

  private readonly attrs: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: DataAzapiResourceActionProps) {
    super(scope, id, azapiElementConfig(DataAzapiResourceAction.tfResourceType, props));
    throwIfErrors(actionInputErrors(`data azapi_resource_action '${this.node.path}'`, props));
    this.attrs = {
      ...actionBaseToTerraform(props),
      method: props.method,
      sensitive_response_export_values: props.sensitiveResponseExportValues,
      timeouts: dataTimeoutsToTerraform(props.timeouts),
    };
  }

  public get id(): string {
    return this.getStringAttribute('id');
  }

  public get output(): IResolvable {
    return this.interpolationForAttribute('output');
  }

  public get sensitiveOutput(): IResolvable {
    return this.interpolationForAttribute('sensitive_output');
  }

  public outputAttribute(path: string): string {
    return outputToken(this, 'output', path);
  }

  public sensitiveOutputAttribute(path: string): string {
    return outputToken(this, 'sensitive_output', path);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.attrs };
  }
}
