/**
 * Keeps Terraform state addresses stable when resources move under a new construct.
 *
 * cdktf derives a resource's address from its construct path, so moving the platform resources
 * from the stack root into the `Platform` construct renames `azurerm_key_vault.KeyVault_EBBC7C6F`
 * to `azurerm_key_vault.Platform_KeyVault_…`. Without a `moved` block Terraform would plan to
 * destroy and re-create the workspace, Key Vault and storage of an environment that was already
 * deployed (prevent_destroy would stop that plan). Each `moved` block tells Terraform the new
 * address is the old object (Terraform >= 1.1; the stacks require >= 1.11). The blocks are harmless
 * on a fresh environment and can be dropped once every environment has applied with them.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct, IConstruct } from 'constructs';

/**
 * Adds a `moved` block from the address each resource under `group` had before `group` existed.
 *
 * The blocks are written as a stack override, not with cdktf's `moveFromId`: that makes synth run
 * `terraform version` in a child process to check for Terraform >= 1.5 (cdktf 0.21
 * lib/synthesize/synthesizer.js), so synth would fail on a machine without the terraform binary.
 * The stacks require Terraform >= 1.11 anyway (terraform.required_version), which Terraform
 * enforces itself. The JSON is the same as moveFromId's: `moved: [{from, to}]`.
 */
export function keepStateAddresses(group: Construct): void {
  const prefix = group.node.scopes.length; // components up to and including `group`
  const stackDepth = prefix - 1; // the stack is group's parent
  const moved: { from: string; to: string }[] = [];
  for (const child of group.node.findAll()) {
    if (!isResource(child)) continue;
    const components = child.node.scopes.slice(stackDepth).map((c) => c.node.id);
    const oldComponents = components.slice(1); // the same path without the group's own id
    const type = child.terraformResourceType;
    moved.push({ from: `${type}.${makeUniqueId(oldComponents)}`, to: `${type}.${child.friendlyUniqueId}` });
  }
  TerraformStack.of(group).addOverride('moved', moved);
}

function isResource(c: IConstruct): c is TerraformResource {
  return c instanceof TerraformResource;
}
