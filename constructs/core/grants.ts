/**
 * Role assignments as methods: `x.grantY(id, principalId)` creates one `azurerm_role_assignment`
 * under `x` with the caller's fixed construct id (ids are a contract; a derived id would replace
 * the assignment when the principal token changes).
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';

/** Managed identities are service principals; `User`/`Group` for people. */
export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group';

export interface GrantRoleProps {
  /** ARM id the role applies to. */
  readonly scopeId: string;
  /** Built-in role name, e.g. `AcrPull`. */
  readonly roleName: string;
  /** Object id of the principal. */
  readonly principalId: string;
  /**
   * Setting it avoids failures while a new managed identity replicates in Entra ID.
   * @default 'ServicePrincipal' (managed identities); pass `null` when unknown (e.g. the deployer)
   */
  readonly principalType?: PrincipalType | null;
  /** @default - the role name */
  readonly description?: string;
}

export function grantRole(scope: Construct, id: string, props: GrantRoleProps): RoleAssignment {
  const principalType = props.principalType === undefined ? 'ServicePrincipal' : props.principalType;
  return new RoleAssignment(scope, id, {
    scope: props.scopeId,
    roleDefinitionName: props.roleName,
    principalId: props.principalId,
    principalType: principalType ?? undefined,
    description: props.description ?? props.roleName,
  });
}
