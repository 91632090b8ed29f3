/**
 * Where each stack keeps its Terraform state. `main.ts` passes `process.env` to
 * {@link stateBackendFromEnv}; nothing else reads the environment.
 */
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';

/** The environment variables that switch every stack to the azurerm remote backend. */
export const BACKEND_ENV_VARS = {
  resourceGroup: 'TF_STATE_RESOURCE_GROUP',
  storageAccount: 'TF_STATE_STORAGE_ACCOUNT',
  container: 'TF_STATE_CONTAINER',
  /** Optional: prefix of each state blob name (`<prefix><stack>.tfstate`). */
  keyPrefix: 'TF_STATE_KEY_PREFIX',
  /** Optional: subscription of the state account when it differs from the deployment one. */
  subscriptionId: 'TF_STATE_SUBSCRIPTION_ID',
} as const;

export type StateBackend =
  | {
      readonly kind: 'azurerm';
      readonly resourceGroupName: string;
      readonly storageAccountName: string;
      readonly containerName: string;
      /** Blob name prefix; the stack name and `.tfstate` are appended. @default '' */
      readonly keyPrefix?: string;
      /** @default - the provider's subscription */
      readonly subscriptionId?: string;
    }
  | {
      readonly kind: 'local';
    };

/**
 * azurerm when the three required variables are set, local when none is set; a partial set is
 * an error naming the missing variables (a typo must not silently fall back to local state).
 */
export function stateBackendFromEnv(env: Readonly<Record<string, string | undefined>>): StateBackend {
  const required = [
    BACKEND_ENV_VARS.resourceGroup,
    BACKEND_ENV_VARS.storageAccount,
    BACKEND_ENV_VARS.container,
  ];
  const present = required.filter((k) => (env[k] ?? '').trim() !== '');
  if (present.length === 0) return { kind: 'local' };
  if (present.length < required.length) {
    const missing = required.filter((k) => !present.includes(k));
    throw new Error(
      `remote state needs all of ${required.join(', ')}; set ${missing.join(', ')} too, or unset ${present.join(', ')} for local state`,
    );
  }
  const value = (k: string): string => (env[k] ?? '').trim();
  return {
    kind: 'azurerm',
    resourceGroupName: value(BACKEND_ENV_VARS.resourceGroup),
    storageAccountName: value(BACKEND_ENV_VARS.storageAccount),
    containerName: value(BACKEND_ENV_VARS.container),
    keyPrefix: value(BACKEND_ENV_VARS.keyPrefix) || undefined,
    subscriptionId: value(BACKEND_ENV_VARS.subscriptionId) || undefined,
  };
}

/**
 * Configures the stack's backend. Remote state uses Entra ID (`use_azuread_auth`), so the
 * state account can keep shared keys off; each stack has its own blob.
 */
export function applyStateBackend(stack: TerraformStack, stackName: string, backend: StateBackend): void {
  if (backend.kind === 'local') {
    // Terraform runs in cdktf.out/stacks/<stack>; keep the state in the project root (outside
    // the regenerated output) with a relative path so the synthesized JSON is machine-independent.
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
    return;
  }
  new AzurermBackend(stack, {
    resourceGroupName: backend.resourceGroupName,
    storageAccountName: backend.storageAccountName,
    containerName: backend.containerName,
    key: `${backend.keyPrefix ?? ''}${stackName}.tfstate`,
    subscriptionId: backend.subscriptionId,
    useAzureadAuth: true,
  });
}
