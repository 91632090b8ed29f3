import { IResolvable, TerraformDataSource, TerraformMetaArguments } from 'cdktf';
import { Construct } from 'constructs';
import { azapiElementConfig, outputToken, throwIfErrors } from './common';
import { AzapiActionInputs, actionInputErrors, actionInputsToTerraform } from './resource-action';

export type DataAzapiResourceActionProps = AzapiActionInputs & TerraformMetaArguments;

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
    this.attrs = actionInputsToTerraform(props);
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
