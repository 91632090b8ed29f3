/**
 * `ephemeral "azapi_resource_action"` (azapi >= 2.3, Terraform >= 1.10): a call made while Terraform
 * plans or applies whose result is never written to state, e.g. `listKeys` feeding a write-only
 * secret value. cdktf 0.21 has no ephemeral construct, so the block is written with
 * `TerraformStack.addOverride('ephemeral.<type>.<name>', ...)` (FACTS.md §6).
 *
 * Attributes: azapi v2.12.0 internal/services/azapi_resource_action_ephemeral.go:63-156 (table:
 * schemas/azapi-2.12/): no `sensitive_response_export_values` / `sensitive_output` (the whole
 * result is ephemeral already), timeouts `open` only.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  AzapiEphemeralTimeouts,
  bareAddress,
  ephemeralTimeoutsToTerraform,
  outputPath,
  throwIfErrors,
} from './common';
import {
  actionBaseToTerraform,
  AzapiActionBaseInputs,
  AzapiHttpMethod,
  actionInputErrors,
} from './resource-action';
import { structuredCloneSafe } from './resource';

export interface EphemeralAzapiResourceActionProps extends AzapiActionBaseInputs {
  /**
   * The block's name in `ephemeral.azapi_resource_action.<name>`: letters, digits, `_` and `-`,
   * starting with a letter. Fixed by the caller because it is the address other blocks refer to.
   */
  readonly name: string;
  /** @default 'POST' */
  readonly method?: AzapiHttpMethod;
  /** @default - none */
  readonly sensitiveBody?: Record<string, unknown>;
  /** @default - none */
  readonly locks?: string[];
  /** @default - azapi default */
  readonly timeouts?: AzapiEphemeralTimeouts;
  /** Resources to open after (written as bare addresses). @default - none */
  readonly dependsOn?: readonly TerraformResource[];
}

const BLOCK_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export class EphemeralAzapiResourceAction extends Construct {
  public static readonly tfResourceType = 'azapi_resource_action';
  /** `ephemeral.azapi_resource_action.<name>` */
  public readonly address: string;

  constructor(scope: Construct, id: string, props: EphemeralAzapiResourceActionProps) {
    super(scope, id);
    const what = `ephemeral azapi_resource_action '${this.node.path}'`;
    const errors = actionInputErrors(what, props);
    if (!BLOCK_NAME.test(props.name)) {
      errors.push(
        `${what}: name '${props.name}' must be letters, digits, '_' or '-', starting with a letter`,
      );
    }
    throwIfErrors(errors);
    this.address = `ephemeral.${EphemeralAzapiResourceAction.tfResourceType}.${props.name}`;
    const block: Record<string, unknown> = {
      ...actionBaseToTerraform(props),
      method: props.method,
      sensitive_body:
        props.sensitiveBody === undefined ? undefined : structuredCloneSafe(props.sensitiveBody),
      locks: props.locks,
      timeouts: ephemeralTimeoutsToTerraform(props.timeouts),
      depends_on:
        props.dependsOn && props.dependsOn.length > 0 ? props.dependsOn.map(bareAddress) : undefined,
    };
    for (const key of Object.keys(block)) if (block[key] === undefined) delete block[key];
    TerraformStack.of(this).addOverride(this.address, block);
  }

  /** `${ephemeral.azapi_resource_action.<name>.output.<path>}` for a path in `responseExportValues`. */
  public outputAttribute(path: string): string {
    return `\${${this.address}.${outputPath('output', path)}}`;
  }
}
