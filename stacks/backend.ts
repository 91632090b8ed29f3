/**
 * Where each stack keeps its Terraform state. `main.ts` passes `process.env` to
 * {@link stateBackendFromEnv}; nothing else reads the environment.
 *
 * Local state is for dev. A plan of staging or prod against a local state file shows "create
 * everything" and an apply would create a second copy of the environment, so any other stack
 * synthesized with local state carries a guard that fails `terraform plan` (and so `cdktf diff`
 * and `cdktf deploy`) with a message saying what to set, unless TF_STATE_ALLOW_LOCAL=1 asks for
 * local state explicitly. Synth, `terraform validate` and the tests need nothing.
 */
import { AzurermBackend, LocalBackend, Op, TerraformLocal, TerraformStack } from 'cdktf';
import { TerraformData } from '../constructs/core/terraform-data';
import { ConfigurationError } from './configuration';

/** The environment variables that switch every stack to the azurerm remote backend. */
export const BACKEND_ENV_VARS = {
  resourceGroup: 'TF_STATE_RESOURCE_GROUP',
  storageAccount: 'TF_STATE_STORAGE_ACCOUNT',
  container: 'TF_STATE_CONTAINER',
  /** Optional: prefix of each state blob name (`<prefix><stack>.tfstate`). */
  keyPrefix: 'TF_STATE_KEY_PREFIX',
  /** Optional: subscription of the state account when it differs from the deployment one. */
  subscriptionId: 'TF_STATE_SUBSCRIPTION_ID',
  /** `1`: let environments other than dev plan and deploy against local state. */
  allowLocal: 'TF_STATE_ALLOW_LOCAL',
} as const;

const ENV_VARS = 'environment variables (TF_STATE_*)';

/** Environments that may plan and deploy against local state without TF_STATE_ALLOW_LOCAL. */
export const LOCAL_STATE_ENVIRONMENTS: readonly string[] = ['dev'];

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
      /**
       * Every environment may plan and deploy against local state (TF_STATE_ALLOW_LOCAL=1).
       * @default false - only {@link LOCAL_STATE_ENVIRONMENTS}; the others fail at plan
       */
      readonly allowAllEnvironments?: boolean;
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
  const allowLocal = (env[BACKEND_ENV_VARS.allowLocal] ?? '').trim();
  if (allowLocal !== '' && allowLocal !== '1' && allowLocal !== '0') {
    throw new ConfigurationError({
      [ENV_VARS]: [
        `${BACKEND_ENV_VARS.allowLocal} must be 1 (allow local state for every environment) or 0/unset, got '${allowLocal}'`,
      ],
    });
  }
  if (present.length === 0) return { kind: 'local', allowAllEnvironments: allowLocal === '1' };
  if (present.length < required.length) {
    const missing = required.filter((k) => !present.includes(k));
    throw new ConfigurationError({
      [ENV_VARS]: [
        `remote state needs all of ${required.join(', ')}; set ${missing.join(', ')} too, or unset ${present.join(', ')} for local state`,
      ],
    });
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
 *
 * `envName` decides whether local state may be planned against: only for
 * {@link LOCAL_STATE_ENVIRONMENTS} or with `allowAllEnvironments`. Without an environment name
 * (a stack shared by all environments) local state needs the explicit flag too.
 */
export function applyStateBackend(
  stack: TerraformStack,
  stackName: string,
  backend: StateBackend,
  envName?: string,
): void {
  if (backend.kind === 'local') {
    // Terraform runs in cdktf.out/stacks/<stack>; keep the state in the project root (outside
    // the regenerated output) with a relative path so the synthesized JSON is machine-independent.
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
    const allowed =
      backend.allowAllEnvironments === true ||
      (envName !== undefined && LOCAL_STATE_ENVIRONMENTS.includes(envName));
    if (!allowed) refuseLocalStateAtPlan(stack, stackName);
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

/**
 * Makes `terraform plan` (and so `cdktf diff`/`deploy`) of this stack fail with a clear message,
 * while synth and `terraform validate` still pass: a `terraform_data` (built into Terraform >= 1.4,
 * no provider to install) with a lifecycle precondition that is false. Terraform evaluates a
 * resource's preconditions while planning it, and an error stops the whole plan, so nothing is
 * applied. Checked with Terraform 1.11.4 on a config holding just this guard: `validate` succeeds,
 * `plan` fails with "Resource precondition failed" and this message (__tests__/stacks/backend.test.ts
 * repeats that when a terraform binary is installed). The condition refers to a local because
 * Terraform wants conditions to refer to something in the configuration.
 */
function refuseLocalStateAtPlan(stack: TerraformStack, stackName: string): void {
  const backendKind = new TerraformLocal(stack, 'state_backend', 'local');
  new TerraformData(stack, 'LocalStateGuard', {
    input: { stack: stackName, backend: 'local' },
    lifecycle: {
      precondition: [
        {
          condition: Op.neq(backendKind.asString, 'local'),
          errorMessage:
            `${stackName} would plan against LOCAL state (terraform.${stackName}.tfstate in the project root), ` +
            `so the plan would show every resource as new. Set ${BACKEND_ENV_VARS.resourceGroup}, ` +
            `${BACKEND_ENV_VARS.storageAccount} and ${BACKEND_ENV_VARS.container} (docs/infra.md) and synth again, ` +
            `or set ${BACKEND_ENV_VARS.allowLocal}=1 to use local state on purpose.`,
        },
      ],
    },
  });
}
