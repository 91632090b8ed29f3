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
import { structuredCloneSafe } from './resource';

export type AzapiHttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET' | 'HEAD';

/** Inputs every `azapi_resource_action` kind (resource, data source, ephemeral) accepts. */
export interface AzapiActionBaseInputs {
  /** `Microsoft.X/y@api-version` of the resource the action runs on. */
  readonly type: string;
  /** ARM id of the resource the action runs on. */
  readonly resourceId: string;
  /** Action path appended to the resource id, e.g. `'listKeys'`. @default - the resource itself */
  readonly action?: string;
  /** Request body as an object. @default - no body */
  readonly body?: Record<string, unknown>;
  /** @default - none */
  readonly responseExportValues?: string[];
  /** @default - no retry */
  readonly retry?: AzapiRetry;
}

/**
 * Inputs of the resource `azapi_resource_action`
 * (azapi v2.12.0 internal/services/azapi_resource_action_resource.go:92-270).
 */
export interface AzapiActionInputs extends AzapiActionBaseInputs {
  /** @default 'POST' */
  readonly method?: AzapiHttpMethod;
  /** Response paths copied into `sensitive_output`. @default - none */
  readonly sensitiveResponseExportValues?: string[];
  /** @default - none */
  readonly locks?: string[];
  /** @default - azapi defaults */
  readonly timeouts?: AzapiTimeouts;
}

export interface AzapiResourceActionProps extends AzapiActionInputs, TerraformMetaArguments {
  /**
   * When the action runs: on create/update (`'apply'`), or when this resource is destroyed
   * (`'destroy'`, e.g. to drain endpoint traffic before its deployments are deleted).
   * @default 'apply'
   */
  readonly when?: 'apply' | 'destroy';
  /** @default - none */
  readonly sensitiveBody?: Record<string, unknown>;
}

const ACTION_NAME = /^[A-Za-z][A-Za-z0-9]*(\/[A-Za-z][A-Za-z0-9]*)*$/;

export function actionInputErrors(
  what: string,
  props: AzapiActionBaseInputs & { readonly timeouts?: object },
): string[] {
  const errors = commonAzapiErrors(what, props);
  if (props.action !== undefined && !Token.isUnresolved(props.action) && !ACTION_NAME.test(props.action)) {
    errors.push(
      `${what}: action '${props.action}' must be an action name such as 'listKeys' (no leading '/')`,
    );
  }
  return errors;
}

/** The attributes every action kind shares, in Terraform names. */
export function actionBaseToTerraform(props: AzapiActionBaseInputs): Record<string, unknown> {
  return {
    type: props.type,
    resource_id: props.resourceId,
    action: props.action,
    body: props.body === undefined ? undefined : structuredCloneSafe(props.body),
    response_export_values: props.responseExportValues,
    retry: retryToTerraform(props.retry),
  };
}

/**
 * `azapi_resource_action`: an imperative call (POST `listKeys`, `regenerateKeys`, a full PUT…)
 * that runs on create and whenever its inputs change, or only on destroy (`when: 'destroy'`).
 */
export class AzapiResourceAction extends TerraformResource {
  public static readonly tfResourceType = 'azapi_resource_action';

  private readonly attrs: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: AzapiResourceActionProps) {
    super(scope, id, azapiElementConfig(AzapiResourceAction.tfResourceType, props));
    throwIfErrors(actionInputErrors(`azapi_resource_action '${this.node.path}'`, props));
    this.attrs = {
      ...actionBaseToTerraform(props),
      method: props.method,
      sensitive_response_export_values: props.sensitiveResponseExportValues,
      locks: props.locks,
      timeouts: timeoutsToTerraform(props.timeouts),
      when: props.when,
      sensitive_body: props.sensitiveBody,
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
