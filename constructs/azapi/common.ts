/**
 * Shared pieces of the hand-written azapi binding: the provider pin, typed `timeouts`/`retry`
 * blocks, and checks on `type` strings and output paths.
 *
 * Why hand-written: no prebuilt cdktf binding for azure/azapi exists on npm, and azapi 2.x
 * `body` is a dynamic HCL object, so a generic JSON-string attribute would be wrong
 * (PITFALLS.md §1: a `jsonencode()` string is rejected).
 */
import {
  IResolvable,
  TerraformMetaArguments,
  TerraformResource,
  TerraformResourceConfig,
  Token,
} from 'cdktf';

/**
 * The azapi provider version constraint.
 *
 * `~> 2.12` because (shared/azure-api/FACTS.md §1):
 * - api-version 2026-05-01 of Microsoft.MachineLearningServices is embedded (and so
 *   schema-validated) only from azapi v2.11.0 on; an api-version the provider does not embed
 *   fails `plan`;
 * - `ignore_body_changes` (needed to keep the endpoint's live `traffic` on endpoint updates)
 *   was re-introduced in v2.12.0.
 * `~>` keeps us on 2.x: v3 may change the body/identity model.
 */
export const AZAPI_VERSION_CONSTRAINT = '~> 2.12';

/**
 * The Terraform versions the stacks need, emitted as `terraform.required_version` by
 * {@link AzapiProvider} so that an older Terraform stops with "Unsupported Terraform Core
 * version" instead of confusing errors further in:
 * - ephemeral resources (the endpoint's `listKeys`) need Terraform >= 1.10
 *   (https://developer.hashicorp.com/terraform/language/resources/ephemeral);
 * - write-only attributes need >= 1.11: azurerm `azurerm_key_vault_secret.value_wo`
 *   (azurerm v4.55.0 internal/services/keyvault/key_vault_secret_resource.go:67-73) and azapi's
 *   `ignore_body_changes` / `sensitive_body` (azapi v2.12.0 internal/services/azapi_resource.go:240-259,
 *   "This write-only argument requires Terraform 1.11 or later");
 * - `< 2.0.0`: a new major version may change the JSON syntax cdktf writes.
 */
export const TERRAFORM_VERSION_CONSTRAINT = '>= 1.11.0, < 2.0.0';

/** The Azure ML REST api-version every azapi resource in this project uses (FACTS.md §0.1). */
export const ML_API_VERSION = '2026-05-01';

/**
 * A full azapi `type` for an Azure ML resource type at {@link ML_API_VERSION}.
 * @example mlType('workspaces/onlineEndpoints') // 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2026-05-01'
 */
export function mlType(resourcePath: string): string {
  return `Microsoft.MachineLearningServices/${resourcePath}@${ML_API_VERSION}`;
}

/**
 * Operation timeouts of a managed azapi resource (`azapi_resource`, `azapi_update_resource`,
 * `azapi_resource_action`), as Go durations (`'30m'`, `'1h30m'`). azapi v2.12.0 declares all four
 * (internal/services/azapi_resource.go:473-478, azapi_update_resource.go:290-295,
 * azapi_resource_action_resource.go:263-268; table: schemas/azapi-2.12/).
 */
export interface AzapiTimeouts {
  /** @default '30m' (azapi default) */
  readonly create?: string;
  /** @default '5m' (azapi default) */
  readonly read?: string;
  /** @default '30m' (azapi default) */
  readonly update?: string;
  /** @default '30m' (azapi default) */
  readonly delete?: string;
}

/**
 * Timeouts of `data "azapi_resource_action"`: `read` only (the data source uses the plugin
 * framework's datasource/timeouts.Block, azapi v2.12.0 internal/services/azapi_resource_action_data_source.go:147).
 */
export interface AzapiDataTimeouts {
  /** @default '5m' (azapi default) */
  readonly read?: string;
}

/**
 * Timeouts of `ephemeral "azapi_resource_action"`: `open` only (ephemeral/timeouts.Block,
 * azapi v2.12.0 internal/services/azapi_resource_action_ephemeral.go:153).
 */
export interface AzapiEphemeralTimeouts {
  /** @default '5m' (azapi default) */
  readonly open?: string;
}

/**
 * azapi `retry`: retry an operation whose error message matches one of the regexes.
 * azapi v2.12.0 internal/retry/schema.go:18-80: `interval_seconds` 1..120 (default 10),
 * `max_interval_seconds` 1..300 (default 180); `multiplier` and `randomization_factor` are
 * deprecated and not offered here.
 */
export interface AzapiRetry {
  /** Go regular expressions matched against the error message. At least one. */
  readonly errorMessageRegex: string[];
  /** Base wait between retries, 1..120 seconds. @default 10 (azapi default) */
  readonly intervalSeconds?: number;
  /** Longest wait between retries, 1..300 seconds. @default 180 (azapi default) */
  readonly maxIntervalSeconds?: number;
}

/** The allowed range of each retry setting (azapi v2.12.0 internal/retry/schema.go:37-50). */
const RETRY_RANGES = { intervalSeconds: [1, 120], maxIntervalSeconds: [1, 300] } as const;

/** `Microsoft.Provider/type[/child...]@yyyy-mm-dd[-preview]` (azapi's own format). */
const AZAPI_TYPE_PATTERN =
  /^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9.]*(\/[A-Za-z][A-Za-z0-9]*)+@\d{4}-\d{2}-\d{2}(-preview)?$/;

/** One segment of an output path: an identifier or a list index. */
const PATH_SEGMENT = /^([A-Za-z_][A-Za-z0-9_-]*|\d+)$/;

const GO_DURATION = /^(\d+(\.\d+)?(h|m|s|ms))+$/;

/** Problems with the common azapi inputs; empty when all is well. Tokens are not checked. */
export function commonAzapiErrors(
  what: string,
  props: {
    readonly type: string;
    readonly timeouts?: AzapiTimeouts | AzapiDataTimeouts | AzapiEphemeralTimeouts;
    readonly retry?: AzapiRetry;
  },
): string[] {
  const errors: string[] = [];
  if (!Token.isUnresolved(props.type) && !AZAPI_TYPE_PATTERN.test(props.type)) {
    errors.push(
      `${what}: type '${props.type}' must look like 'Microsoft.Provider/resourceType@yyyy-mm-dd' (e.g. '${mlType('workspaces/onlineEndpoints')}')`,
    );
  }
  for (const [op, value] of Object.entries(props.timeouts ?? {})) {
    if (value !== undefined && !Token.isUnresolved(value) && !GO_DURATION.test(value)) {
      errors.push(`${what}: timeouts.${op} '${value}' must be a Go duration such as '30m' or '1h30m'`);
    }
  }
  if (props.retry) {
    if (props.retry.errorMessageRegex.length === 0) {
      errors.push(`${what}: retry.errorMessageRegex must list at least one regular expression`);
    }
    for (const key of ['intervalSeconds', 'maxIntervalSeconds'] as const) {
      const v = props.retry[key];
      const [min, max] = RETRY_RANGES[key];
      if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) {
        errors.push(`${what}: retry.${key} must be an integer ${min}..${max} (azapi 2.12), got ${v}`);
      }
    }
  }
  return errors;
}

/** Throws one error listing every problem, prefixed with the construct path. */
export function throwIfErrors(errors: string[]): void {
  if (errors.length > 0) {
    throw new Error(`invalid azapi configuration:\n- ${errors.join('\n- ')}`);
  }
}

/**
 * `output.a.b.0.c` style attribute path for cdktf's interpolation, checked so that a typo
 * cannot silently produce an expression Terraform would reject at plan.
 */
export function outputPath(root: 'output' | 'sensitive_output', path: string): string {
  const segments = path.split('.');
  const bad = segments.filter((s) => !PATH_SEGMENT.test(s));
  if (path.length === 0 || bad.length > 0) {
    throw new Error(
      `output path '${path}' must be dot-separated identifiers or list indexes (e.g. 'properties.scoringUri'); bad segment(s): ${bad.map((b) => `'${b}'`).join(', ') || "''"}`,
    );
  }
  return [root, ...segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))].join('.').replace(/\.\[/g, '[');
}

export function timeoutsToTerraform(t?: AzapiTimeouts): Record<string, string | undefined> | undefined {
  if (!t) return undefined;
  return { create: t.create, read: t.read, update: t.update, delete: t.delete };
}

export function dataTimeoutsToTerraform(
  t?: AzapiDataTimeouts,
): Record<string, string | undefined> | undefined {
  return t ? { read: t.read } : undefined;
}

export function ephemeralTimeoutsToTerraform(
  t?: AzapiEphemeralTimeouts,
): Record<string, string | undefined> | undefined {
  return t ? { open: t.open } : undefined;
}

export function retryToTerraform(r?: AzapiRetry): Record<string, unknown> | undefined {
  if (!r) return undefined;
  return {
    error_message_regex: r.errorMessageRegex,
    interval_seconds: r.intervalSeconds,
    max_interval_seconds: r.maxIntervalSeconds,
  };
}

/** The element config every azapi resource and data source hands to cdktf. */
export function azapiElementConfig(
  terraformResourceType: string,
  meta: TerraformMetaArguments,
): TerraformResourceConfig {
  return {
    terraformResourceType,
    terraformGeneratorMetadata: { providerName: 'azapi' },
    dependsOn: meta.dependsOn,
    count: meta.count,
    provider: meta.provider,
    lifecycle: meta.lifecycle,
    forEach: meta.forEach,
  };
}

/**
 * A token for one exported response value of an azapi element, read by path (never by
 * `jsondecode`, PITFALLS §2): `output.properties.scoringUri` -> `${<element>.output.properties.scoringUri}`.
 */
export function outputToken(
  element: { interpolationForAttribute(attribute: string): IResolvable },
  root: 'output' | 'sensitive_output',
  path: string,
): string {
  return Token.asString(element.interpolationForAttribute(outputPath(root, path)));
}

/**
 * The bare Terraform address of a resource (`terraform_data.Serving_Keys_Gen_1A2B3C4D`), for the
 * places where Terraform wants a static reference rather than an expression:
 * `lifecycle.replace_triggered_by` and `depends_on`. cdktf renders a construct placed there as
 * `"${terraform_data.x}"`, which Terraform 1.11 rejects while loading the configuration
 * ("Invalid expression": a template is not a traversal). Terraform JSON syntax,
 * https://developer.hashicorp.com/terraform/language/syntax/json#depends_on and
 * https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#replace_triggered_by
 * (PITFALLS.md §8).
 */
export function bareAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}
