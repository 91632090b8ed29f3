/**
 * The online endpoint's keys, copied into Key Vault without entering Terraform state, plus a
 * rotation knob (FACTS.md §0.8, §6).
 *
 * - Read: an `ephemeral "azapi_resource_action"` calling `listKeys` (azapi >= 2.3, Terraform
 *   >= 1.10), written by the binding's `EphemeralAzapiResourceAction` (cdktf 0.21 has no
 *   ephemeral class); Terraform 1.11.4 loads it (__tests__/terraform), the provider never ran it here.
 * - Write: `azurerm_key_vault_secret.value_wo` (write-only, Terraform >= 1.11), re-sent only when
 *   `value_wo_version` changes (azurerm v4.55.0 internal/services/keyvault/key_vault_secret_resource.go:290,
 *   `d.HasChanges("value", "value_wo_version")`). So the version must change whenever the keys
 *   the vault holds go stale: when a key is regenerated AND when the endpoint is re-created (a new
 *   endpoint comes with new keys). Per key, a `terraform_data` "issue" marker is replaced on both
 *   events: `triggers_replace` holds the rotation generation, and `replace_triggered_by` points at
 *   the endpoint's id, which Terraform counts as changed exactly when the endpoint is replaced (an
 *   in-place update keeps it; Terraform internal/terraform/eval_context_builtin.go
 *   EvaluateReplaceTriggeredBy compares the attribute before/after for Update/DeleteThenCreate/
 *   CreateThenDelete). A replaced marker gets a new random id, and the secret's version is a
 *   number derived from that id (`parseint(substr(sha256(id), 0, 12), 16) + 1`), so it changes
 *   then and only then. The ephemeral listKeys is opened after the new endpoint exists.
 *   Not covered: an endpoint deleted outside Terraform is re-created as a plain create, which
 *   replace_triggered_by ignores (same function: a Create never triggers); bump a rotation
 *   generation in that case (docs/infra.md, "Traffic, endpoint keys and the first apply").
 * - Rotate: `regenerateKeys` with `{ keyType }` as an `azapi_resource_action`, created when the
 *   generation is >= 1 and replaced (so re-run) whenever the generation changes, through a
 *   `terraform_data` holding the generation. listKeys depends on it, so the vault gets the new key.
 *   Zero-downtime rotation: bump `secondary`, apply, move clients to the secondary key; bump
 *   `primary`, apply, move them back.
 * Nothing secret reaches outputs: only secret names and versionless ids are exposed.
 *
 * UNVERIFIED (FACTS §8.7): the WriteOnly `keys` property on the endpoint; we never set it and
 * let Azure generate the keys.
 */
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Fn, ITerraformDependable, Op } from 'cdktf';
import { TerraformData } from '../core/terraform-data';
import { Construct } from 'constructs';
import { AzapiResourceAction, bareAddress, EphemeralAzapiResourceAction } from '../azapi';
import { RbacPropagation } from '../core/rbac-propagation';
import { KeyVault } from '../platform/key-vault';
import { keyRotationErrors, KeyRotation } from './endpoint-keys-rotation';
import { ENDPOINT_TYPE, OnlineEndpoint } from './online-endpoint';

export interface EndpointKeysProps {
  /** A `Key`-auth endpoint. */
  readonly endpoint: OnlineEndpoint;
  readonly keyVault: KeyVault;
  /** @default - no rotation (generation 0 for both keys) */
  readonly rotation?: KeyRotation;
  /** Secret names are `<prefix>-primary-key` / `<prefix>-secondary-key`. @default the endpoint name */
  readonly secretNamePrefix?: string;
  /**
   * What the secrets wait for, e.g. the deployer's Key Vault Secrets Officer grant. Role
   * assignments among them are also given time to take effect before the first secret write
   * (a fresh grant answers 403 ForbiddenByRbac for a while; constructs/core/rbac-propagation.ts).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /** How long the secrets wait after those role assignments are created. @default '10m' */
  readonly rbacPropagationWait?: string;
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export class EndpointKeys extends Construct {
  /** Key Vault secret names (not values). */
  public readonly primaryKeySecretName: string;
  public readonly secondaryKeySecretName: string;
  /** Versionless secret ids, for apps that read the key from the vault. */
  public readonly primaryKeySecretId: string;
  public readonly secondaryKeySecretId: string;
  /** The regenerate actions that exist (generation >= 1). */
  public readonly rotations: readonly AzapiResourceAction[];
  /** Address of the ephemeral listKeys block. */
  public readonly listKeysAddress: string;

  constructor(scope: Construct, id: string, props: EndpointKeysProps) {
    super(scope, id);
    const endpoint = props.endpoint;
    const prefix = props.secretNamePrefix ?? endpoint.endpointName;
    const errors = keyRotationErrors('rotation', props.rotation);
    if (endpoint.authMode !== 'Key') {
      errors.push(
        `endpoint auth mode is '${endpoint.authMode}': only 'Key' endpoints have keys (use tokens instead)`,
      );
    }
    if (!SECRET_NAME.test(`${prefix}-secondary-key`)) {
      errors.push(`secretNamePrefix '${prefix}' must be letters, digits and dashes, at most 113 characters`);
    }
    if (errors.length > 0) throw new Error(`EndpointKeys '${this.node.path}':\n- ${errors.join('\n- ')}`);

    const generations = { Primary: props.rotation?.primary ?? 0, Secondary: props.rotation?.secondary ?? 0 };
    const rotations: AzapiResourceAction[] = [];
    for (const keyType of ['Secondary', 'Primary'] as const) {
      if (generations[keyType] < 1) continue;
      const generation = new TerraformData(this, `${keyType}Generation`, {
        input: { generation: generations[keyType] },
      });
      rotations.push(
        new AzapiResourceAction(this, `Regenerate${keyType}`, {
          type: ENDPOINT_TYPE,
          resourceId: endpoint.endpointId,
          action: 'regenerateKeys',
          method: 'POST',
          body: { keyType },
          locks: [endpoint.endpointId],
          // A bare address: cdktf would render the construct as `${...}`, which Terraform rejects.
          lifecycle: { replaceTriggeredBy: [bareAddress(generation)] },
        }),
      );
    }
    this.rotations = rotations;

    // Ephemeral listKeys: opened during plan/apply, never written to state.
    const listKeys = new EphemeralAzapiResourceAction(this, 'ListKeys', {
      name: `endpoint_keys_${this.node.addr.slice(0, 16)}`,
      type: ENDPOINT_TYPE,
      resourceId: endpoint.endpointId,
      action: 'listKeys',
      method: 'POST',
      responseExportValues: ['primaryKey', 'secondaryKey'],
      dependsOn: rotations,
    });
    this.listKeysAddress = listKeys.address;

    const writerGrants = (props.dependsOn ?? []).filter(
      (d): d is RoleAssignment => d instanceof RoleAssignment,
    );
    const secretsDependOn = [
      ...(props.dependsOn ?? []),
      ...(writerGrants.length > 0
        ? [
            new RbacPropagation(this, 'WriterGrantsPropagation', {
              grants: writerGrants,
              wait: props.rbacPropagationWait,
            }).ready,
          ]
        : []),
    ];
    // Replaced when the key is regenerated or the endpoint is re-created (see the file comment).
    const issued = (keyType: 'Primary' | 'Secondary', generation: number): TerraformData =>
      new TerraformData(this, `${keyType}Issued`, {
        triggersReplace: { generation },
        lifecycle: { replaceTriggeredBy: [`${bareAddress(endpoint.endpoint)}.id`] },
      });
    const versionOf = (marker: TerraformData): number =>
      Op.add(Fn.parseint(Fn.substr(Fn.sha256(marker.id), 0, 12), 16), 1);
    const secret = (key: 'primary' | 'secondary', generation: number): KeyVaultSecret =>
      new KeyVaultSecret(this, key === 'primary' ? 'PrimarySecret' : 'SecondarySecret', {
        name: `${prefix}-${key}-key`,
        keyVaultId: props.keyVault.keyVaultId,
        valueWo: listKeys.outputAttribute(`${key}Key`),
        valueWoVersion: versionOf(issued(key === 'primary' ? 'Primary' : 'Secondary', generation)),
        contentType: `Azure ML online endpoint ${key} key`,
        dependsOn: secretsDependOn.length > 0 ? secretsDependOn : undefined,
      });
    const primary = secret('primary', generations.Primary);
    const secondary = secret('secondary', generations.Secondary);
    this.primaryKeySecretName = primary.name;
    this.secondaryKeySecretName = secondary.name;
    this.primaryKeySecretId = primary.versionlessId;
    this.secondaryKeySecretId = secondary.versionlessId;
  }
}
