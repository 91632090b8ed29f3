/**
 * Waiting for new role assignments to take effect before anything uses them.
 *
 * azurerm's `azurerm_role_assignment` returns once ARM can read the assignment back (azurerm
 * v4.55.0 internal/services/authorization/role_assignment_resource.go:393-408, a GET until
 * "ready"), not once the data planes (Key Vault, ACR, storage) enforce it. Azure documents that a
 * role assignment can take up to 10 minutes to take effect
 * (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting, "Role assignment
 * changes are not being detected"), and a Key Vault secret written right after its grant fails
 * with 403 ForbiddenByRbac: azurerm's secret create first GETs the secret and treats any error
 * but 404 as fatal (azurerm v4.55.0 internal/services/keyvault/key_vault_secret_resource.go:143-147),
 * with no retry. There is no readiness signal to poll, so the wait is a `time_sleep` after the
 * assignments, as Microsoft's own Key Vault module does (Azure/terraform-azurerm-avm-res-keyvault-vault
 * main.secrets.tf, `time_sleep.wait_for_rbac_before_secret_operations`).
 *
 * The sleep runs when it is created and again only when one of the assignments is replaced
 * (`triggers` holds their ids), so later applies do not wait. UNVERIFIED: how long propagation
 * takes in a given tenant; the safe choice is the documented upper bound, 10 minutes, which on a
 * first apply overlaps with the endpoint's own creation.
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** hashicorp/time: `time_sleep` has create_duration and triggers since 0.7; `~>` stays below 1.0. */
export const TIME_PROVIDER_VERSION_CONSTRAINT = '~> 0.12';

/** The `hashicorp/time` provider (no settings), once per stack. */
class TimeProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: 'time',
      terraformGeneratorMetadata: {
        providerName: 'time',
        providerVersionConstraint: TIME_PROVIDER_VERSION_CONSTRAINT,
      },
      terraformProviderSource: 'hashicorp/time',
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

/** `resource "time_sleep"` (https://registry.terraform.io/providers/hashicorp/time/latest/docs/resources/sleep). */
class TimeSleep extends TerraformResource {
  public static readonly tfResourceType = 'time_sleep';

  constructor(
    scope: Construct,
    id: string,
    private readonly config: {
      createDuration: string;
      triggers: Record<string, string>;
      dependsOn: RoleAssignment[];
    },
  ) {
    super(scope, id, {
      terraformResourceType: TimeSleep.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'time' },
      provider: timeProviderOf(scope),
      dependsOn: config.dependsOn,
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { create_duration: this.config.createDuration, triggers: this.config.triggers };
  }
}

function timeProviderOf(scope: Construct): TimeProvider {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild('time');
  if (existing instanceof TimeProvider) return existing;
  if (existing)
    throw new Error(`stack '${stack.node.path}' already has a child 'time' that is not the time provider`);
  return new TimeProvider(stack, 'time');
}

export interface RbacPropagationProps {
  /** The new role assignments to wait for (at least one). */
  readonly grants: readonly RoleAssignment[];
  /**
   * How long to wait after they are created, as a Go duration.
   * @default '10m' (the documented upper bound)
   */
  readonly wait?: string;
}

const GO_DURATION = /^(\d+(\.\d+)?(h|m|s))+$/;

/** Depend on {@link ready} to run only once the grants have had time to take effect. */
export class RbacPropagation extends Construct {
  /** The wait itself: a `time_sleep` that depends on every grant. */
  public readonly ready: TerraformResource;

  constructor(scope: Construct, id: string, props: RbacPropagationProps) {
    super(scope, id);
    const wait = props.wait ?? '10m';
    const errors: string[] = [];
    if (props.grants.length === 0) errors.push('grants must list at least one role assignment');
    if (!GO_DURATION.test(wait)) errors.push(`wait '${wait}' must be a Go duration such as '10m' or '90s'`);
    if (errors.length > 0) throw new Error(`RbacPropagation '${this.node.path}':\n- ${errors.join('\n- ')}`);
    this.ready = new TimeSleep(this, 'Wait', {
      createDuration: wait,
      // Replaced (so waits again) only when an assignment is replaced.
      triggers: Object.fromEntries(props.grants.map((g, i) => [`grant_${i}`, g.id])),
      dependsOn: [...props.grants],
    });
  }
}
