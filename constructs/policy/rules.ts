import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { IConstruct } from 'constructs';
import { PolicyRule, show } from './policy';

/** Storage: TLS 1.2 minimum, HTTPS only, no public blob access. */
export const storageSecurityRule: PolicyRule = {
  name: 'storage-secure-transport-and-private-blobs',
  check(node: IConstruct): string[] {
    if (!(node instanceof StorageAccount)) return [];
    const v: string[] = [];
    if (node.minTlsVersionInput !== 'TLS1_2') {
      v.push(`min_tls_version is ${show(node.minTlsVersionInput)}, must be "TLS1_2"`);
    }
    if (node.httpsTrafficOnlyEnabledInput === false)
      v.push('https_traffic_only_enabled is false, must be true');
    if (node.allowNestedItemsToBePublicInput !== false) {
      v.push(
        `allow_nested_items_to_be_public is ${show(node.allowNestedItemsToBePublicInput)}, must be false`,
      );
    }
    return v;
  },
};

/** Key Vault: RBAC authorization and purge protection. */
export const keyVaultSecurityRule: PolicyRule = {
  name: 'key-vault-rbac-and-purge-protection',
  check(node: IConstruct): string[] {
    if (!(node instanceof KeyVault)) return [];
    const v: string[] = [];
    if (node.rbacAuthorizationEnabledInput !== true) {
      v.push(`rbac_authorization_enabled is ${show(node.rbacAuthorizationEnabledInput)}, must be true`);
    }
    if (node.purgeProtectionEnabledInput !== true) {
      v.push(`purge_protection_enabled is ${show(node.purgeProtectionEnabledInput)}, must be true`);
    }
    return v;
  },
};

/** Container registry: no admin user, no anonymous pull. */
export const containerRegistryRule: PolicyRule = {
  name: 'container-registry-no-admin-user',
  check(node: IConstruct): string[] {
    if (!(node instanceof ContainerRegistry)) return [];
    const v: string[] = [];
    if (node.adminEnabledInput === true) v.push('admin_enabled is true, must be false');
    if (node.anonymousPullEnabledInput === true) v.push('anonymous_pull_enabled is true, must be false');
    return v;
  },
};

/** ML workspace: a managed identity is required (no key-based access to its resources). */
export const workspaceIdentityRule: PolicyRule = {
  name: 'ml-workspace-managed-identity',
  check(node: IConstruct): string[] {
    if (!(node instanceof MachineLearningWorkspace)) return [];
    const type = node.identityInput?.type;
    return typeof type === 'string' && type.includes('Assigned')
      ? []
      : [`identity.type is ${show(type)}, must be SystemAssigned or UserAssigned`];
  },
};

/** Every taggable resource carries each required tag key. */
export function requiredTagsRule(keys: readonly string[]): PolicyRule {
  return {
    name: 'required-tags',
    check(node: IConstruct): string[] {
      if (!hasTags(node)) return [];
      const tags = node.tagsInput ?? {};
      const missing = keys.filter((k) => typeof tags[k] !== 'string' || tags[k] === '');
      return missing.length ? [`missing tag(s) ${missing.join(', ')}`] : [];
    },
  };
}

/** An azurerm resource with a `tags` argument. */
export interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

export function hasTags(node: IConstruct): node is IConstruct & Taggable {
  return 'tagsInput' in node && 'tags' in node && 'terraformResourceType' in node;
}

export const SECURITY_RULES: readonly PolicyRule[] = [
  storageSecurityRule,
  keyVaultSecurityRule,
  containerRegistryRule,
  workspaceIdentityRule,
];
