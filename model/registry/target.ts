/**
 * Which registry `npm run register` writes to, from its options and the process environment.
 *
 * Every environment deploys from the one shared registry (stack `fraud-shared`), so
 * `--registry <name>` names it directly, and `--env <env>` reads it from the variables the
 * deploy workflow (or the engineer, from `cdktf output fraud-shared`) sets:
 *   FRAUD_<ENV>_REGISTRY_NAME, else FRAUD_REGISTRY_NAME   the registry's name
 *   FRAUD_<ENV>_SUBSCRIPTION_ID, else AZURE_SUBSCRIPTION_ID
 * The resource group is optional: without it the registry is looked up by name in the
 * subscription (Registries_ListBySubscription).
 * model/ must not import the stacks (layering), hence names from the environment rather than
 * from stacks/environments.ts.
 */
export const ENV_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export interface TargetOptions {
  readonly registry?: string;
  readonly env?: string;
  readonly subscription?: string;
  readonly resourceGroup?: string;
}

export interface PartialRegistryTarget {
  readonly subscriptionId: string;
  readonly registryName: string;
  /** Absent: find the registry by name in the subscription. */
  readonly resourceGroup?: string;
}

/** Resolves the target or throws one error listing every missing or conflicting input. */
export function resolveRegistryTarget(
  opts: TargetOptions,
  env: Readonly<Record<string, string | undefined>>,
): PartialRegistryTarget {
  const problems: string[] = [];
  let registryName = opts.registry;
  let subscriptionId = opts.subscription;
  if (opts.registry !== undefined && opts.env !== undefined) {
    problems.push('give either --registry or --env, not both');
  }
  if (opts.env !== undefined) {
    if (!(ENV_NAMES as readonly string[]).includes(opts.env)) {
      problems.push(`--env must be one of ${ENV_NAMES.join(', ')}, got '${opts.env}'`);
    } else {
      const up = opts.env.toUpperCase();
      registryName ??= env[`FRAUD_${up}_REGISTRY_NAME`] || env.FRAUD_REGISTRY_NAME || undefined;
      subscriptionId ??= env[`FRAUD_${up}_SUBSCRIPTION_ID`] || undefined;
      if (registryName === undefined) {
        problems.push(
          `--env ${opts.env}: set FRAUD_${up}_REGISTRY_NAME or FRAUD_REGISTRY_NAME to the shared registry's name ` +
            '(cdktf output fraud-shared), or pass --registry',
        );
      }
    }
  } else if (registryName === undefined) {
    problems.push('--registry <name> or --env <env> is required');
  }
  subscriptionId ??= env.AZURE_SUBSCRIPTION_ID || undefined;
  if (subscriptionId === undefined) {
    problems.push('no subscription: pass --subscription or set AZURE_SUBSCRIPTION_ID');
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return {
    subscriptionId: subscriptionId!,
    registryName: registryName!,
    ...(opts.resourceGroup !== undefined ? { resourceGroup: opts.resourceGroup } : {}),
  };
}
