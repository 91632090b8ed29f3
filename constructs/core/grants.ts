/**
 * Role assignments, written once. A resource a role can be granted on extends
 * {@link GrantableResource} with the built-in roles that make sense on it, and callers use its one
 * method: `keyVault.grant('DeployerSecretsOfficer', 'Key Vault Secrets Officer', deployer)`.
 * The construct id is the caller's fixed literal (ids are a contract; a derived id would replace
 * the assignment when the principal token changes).
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';

/** Managed identities are service principals; `User`/`Group` for people. */
export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group';

/** Who receives a role. */
export interface Grantee {
  /** Object id of the principal. */
  readonly principalId: string;
  /**
   * Sent as `principal_type`, which lets Azure skip the Entra ID lookup that can fail while a new
   * managed identity is still replicating. Leave it out only when the type is not known at synth
   * (e.g. whoever runs `terraform apply`).
   * @default - not sent: Azure resolves the principal itself
   */
  readonly principalType?: PrincipalType;
}

/** A managed identity (system- or user-assigned) as a grantee: a `ServicePrincipal`. */
export function managedIdentity(principalId: string): Grantee {
  return { principalId, principalType: 'ServicePrincipal' };
}

export interface GrantRoleProps {
  /** ARM id the role applies to. */
  readonly scopeId: string;
  /** Built-in role name, e.g. `AcrPull`. */
  readonly roleName: string;
  readonly grantee: Grantee;
  /** @default - the role name */
  readonly description?: string;
}

/** One `azurerm_role_assignment` under `scope`, for scopes that are not a {@link GrantableResource}. */
export function grantRole(scope: Construct, id: string, props: GrantRoleProps): RoleAssignment {
  return new RoleAssignment(scope, id, {
    scope: props.scopeId,
    roleDefinitionName: props.roleName,
    principalId: props.grantee.principalId,
    principalType: props.grantee.principalType,
    description: props.description ?? props.roleName,
  });
}

/** What a registry, vault, account... offers grants through (see {@link GrantableResource}). */
export interface IGrantable<Role extends string> {
  /** Assigns `role` on this resource to `grantee`; the assignment is a child named `id`. */
  grant(id: string, role: Role, grantee: Grantee): RoleAssignment;
}

/**
 * Base of every construct roles can be granted on. `Role` lists the built-in roles that make
 * sense on the resource, so a role meant for another resource type does not type-check.
 */
export abstract class GrantableResource<Role extends string> extends Construct implements IGrantable<Role> {
  /** ARM id the roles apply to. */
  protected abstract get grantScopeId(): string;

  public grant(id: string, role: Role, grantee: Grantee): RoleAssignment {
    return grantRole(this, id, { scopeId: this.grantScopeId, roleName: role, grantee });
  }
}
