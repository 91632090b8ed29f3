import { TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AZAPI_VERSION_CONSTRAINT, TERRAFORM_VERSION_CONSTRAINT } from './common';

/**
 * Settings of the `azapi` provider block. Credentials come from the environment (ARM_* / OIDC).
 * Tags are applied per resource (an Aspect), not as provider `default_tags`: cdktf snake-cases
 * the keys of nested provider maps, which would rename tag keys.
 */
export interface AzapiProviderProps {
  /** Provider alias, for a second azapi provider (e.g. another subscription). @default - the default provider */
  readonly alias?: string;
  /** @default - from ARM_SUBSCRIPTION_ID / the Azure CLI */
  readonly subscriptionId?: string;
  /** @default - from ARM_TENANT_ID / the Azure CLI */
  readonly tenantId?: string;
  /** Use OIDC (GitHub Actions federated credentials). @default - provider default (false) */
  readonly useOidc?: boolean;
  /** Use the Azure CLI's login. @default - provider default (true) */
  readonly useCli?: boolean;
  /** Use a managed identity. @default - provider default (false) */
  readonly useMsi?: boolean;
  /** Skip registering resource providers (for least-privilege CI principals). @default - provider default (false) */
  readonly skipProviderRegistration?: boolean;
  /** Default location for azapi resources that omit `location`. @default - none */
  readonly defaultLocation?: string;
}

/**
 * The `azure/azapi` provider, pinned to {@link AZAPI_VERSION_CONSTRAINT} (see common.ts for why).
 * It also sets the stack's `terraform.required_version` to {@link TERRAFORM_VERSION_CONSTRAINT}.
 */
export class AzapiProvider extends TerraformProvider {
  public static readonly tfResourceType = 'azapi';

  private _alias?: string;
  private readonly settings: AzapiProviderProps;

  constructor(scope: Construct, id: string, props: AzapiProviderProps = {}) {
    super(scope, id, {
      terraformResourceType: 'azapi',
      terraformGeneratorMetadata: {
        providerName: 'azapi',
        providerVersionConstraint: AZAPI_VERSION_CONSTRAINT,
      },
      terraformProviderSource: 'azure/azapi',
    });
    this._alias = props.alias;
    this.settings = { ...props };
    // Every stack that uses this binding needs Terraform >= 1.11 (see TERRAFORM_VERSION_CONSTRAINT).
    TerraformStack.of(this).addOverride('terraform.required_version', TERRAFORM_VERSION_CONSTRAINT);
  }

  public override get alias(): string | undefined {
    return this._alias;
  }

  public override set alias(value: string | undefined) {
    this._alias = value;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const s = this.settings;
    return {
      subscription_id: s.subscriptionId,
      tenant_id: s.tenantId,
      use_oidc: s.useOidc,
      use_cli: s.useCli,
      use_msi: s.useMsi,
      skip_provider_registration: s.skipProviderRegistration,
      default_location: s.defaultLocation,
    };
  }
}
