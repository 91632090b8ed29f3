/**
 * Deterministic resource names. Globally unique names (storage, Key Vault, container registry,
 * ML registry) carry a short stable hash of (project, environment, salt): the same inputs give
 * the same name on every synth (no random provider, no clock), and changing the salt gives a
 * fresh set of names (e.g. when a soft-deleted Key Vault still holds the old one).
 *
 * Every name is checked against Azure's naming rules at synth; the error names the resource,
 * the value and the rule.
 */
import { createHash } from 'node:crypto';

/** An Azure naming rule: length bounds plus a full-string pattern, described in words. */
export interface AzureNameRule {
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** The rule in words, used in error messages. */
  readonly description: string;
}

/**
 * Azure's rules for the names this project creates.
 * Sources: Azure "Naming rules and restrictions for Azure resources" and, for Azure ML, the
 * patterns in shared/azure-api (registries: `^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$`).
 */
export const AZURE_NAME_RULES = {
  resourceGroup: {
    minLength: 1,
    maxLength: 90,
    pattern: /^[-\w.()]*[-\w()]$/,
    description: '1-90 letters, digits, _ - . ( ), not ending with a period',
  },
  logAnalyticsWorkspace: {
    minLength: 4,
    maxLength: 63,
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/,
    description: '4-63 letters, digits and hyphens, starting and ending with a letter or digit',
  },
  applicationInsights: {
    minLength: 1,
    maxLength: 260,
    pattern: /^[^%&\\?/]*[^%&\\?/. ]$/,
    description: '1-260 characters without % & \\ ? /, not ending with a space or period',
  },
  keyVault: {
    minLength: 3,
    maxLength: 24,
    pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/,
    description:
      '3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no "--"',
  },
  storageAccount: {
    minLength: 3,
    maxLength: 24,
    pattern: /^[a-z0-9]+$/,
    description: '3-24 lowercase letters and digits (globally unique)',
  },
  containerRegistry: {
    minLength: 5,
    maxLength: 50,
    pattern: /^[A-Za-z0-9]+$/,
    description: '5-50 letters and digits (globally unique)',
  },
  mlWorkspace: {
    minLength: 3,
    maxLength: 33,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    description: '3-33 letters, digits, _ and -, starting with a letter or digit',
  },
  mlRegistry: {
    minLength: 3,
    maxLength: 33,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/,
    description: '3-33 letters, digits, - and _, starting with a letter or digit',
  },
  onlineEndpoint: {
    minLength: 3,
    maxLength: 32,
    pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/,
    description: '3-32 letters, digits and single hyphens, starting with a letter (unique per region)',
  },
  onlineDeployment: {
    minLength: 3,
    maxLength: 32,
    pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/,
    description: '3-32 letters, digits and single hyphens, starting with a letter',
  },
  diagnosticSetting: {
    minLength: 1,
    maxLength: 260,
    pattern: /^[^*%&:\\?+/<>#|]+$/,
    description: '1-260 characters without * % & : \\ ? + / < > # |',
  },
} satisfies Record<string, AzureNameRule>;

export type AzureNameKind = keyof typeof AZURE_NAME_RULES;

/** The error for a name that breaks its rule, or undefined. `label` names the resource. */
export function azureNameError(kind: AzureNameKind, label: string, value: string): string | undefined {
  const rule: AzureNameRule = AZURE_NAME_RULES[kind];
  const okLength = value.length >= rule.minLength && value.length <= rule.maxLength;
  if (okLength && rule.pattern.test(value)) return undefined;
  return `${label} name '${value}' (${value.length} chars) breaks the ${kind} naming rule: ${rule.description}`;
}

/** Throws when the name breaks its rule; returns it otherwise. */
export function checkAzureName(kind: AzureNameKind, label: string, value: string): string {
  const error = azureNameError(kind, label, value);
  if (error) throw new Error(error);
  return value;
}

/**
 * Short stable hash: the first `length` characters of the base-36 SHA-256 of the parts joined
 * with '/'. Lowercase letters and digits only, so it fits every naming rule above.
 */
export function stableHash(parts: readonly string[], length = 6): string {
  if (!Number.isInteger(length) || length < 4 || length > 16) {
    throw new Error(`stableHash length must be an integer from 4 to 16, got ${length}`);
  }
  const digest = createHash('sha256').update(parts.join('/')).digest();
  // 96 bits of the digest as a base-36 string, left-padded so the length is fixed.
  const n = (digest.readBigUInt64BE(0) << 32n) | BigInt(digest.readUInt32BE(8));
  return n.toString(36).padStart(19, '0').slice(0, length);
}

export interface NamingInput {
  /** Product prefix, e.g. 'fraud'. */
  readonly project: string;
  /** Environment name, e.g. 'dev'. */
  readonly env: string;
  /** @default - no salt */
  readonly salt?: string;
}

/** The names of one environment's platform resources. */
export interface PlatformNames {
  /** The short stable hash of (project, env, salt) used in globally unique names. */
  readonly hash: string;
  readonly resourceGroup: string;
  readonly logAnalytics: string;
  readonly appInsights: string;
  readonly keyVault: string;
  readonly storageAccount: string;
  readonly containerRegistry: string;
  readonly workspace: string;
  readonly modelRegistry: string;
}

/** Short environment codes for the length-limited global names (Key Vault: 24 characters). */
const ENV_CODES: Readonly<Record<string, string>> = { dev: 'dev', staging: 'stg', prod: 'prd' };

/** The short code of an environment in global names: `stg` for staging, `prd` for prod. */
export function envCode(env: string): string {
  return ENV_CODES[env] ?? env;
}

/**
 * Names for one environment, e.g. for (fraud, prod): `rg-fraud-prod`, `log-fraud-prod`,
 * `appi-fraud-prod`, `mlw-fraud-prod`, and the globally unique `kv-fraud-prd-<hash>`,
 * `stfraudprd<hash>`, `crfraudprd<hash>`, `mlr-fraud-prd-<hash>`.
 * Throws one error listing every name that breaks a rule.
 */
export function platformNames(input: NamingInput): PlatformNames {
  const { project, env } = input;
  const hash = stableHash([project, env, input.salt ?? '']);
  const code = envCode(env);
  const compact = `${project}${code}`.toLowerCase();
  const names: PlatformNames = {
    hash,
    resourceGroup: `rg-${project}-${env}`,
    logAnalytics: `log-${project}-${env}`,
    appInsights: `appi-${project}-${env}`,
    keyVault: `kv-${project}-${code}-${hash}`,
    storageAccount: `st${compact}${hash}`,
    containerRegistry: `cr${compact}${hash}`,
    workspace: `mlw-${project}-${env}`,
    modelRegistry: `mlr-${project}-${code}-${hash}`,
  };
  const checks: [AzureNameKind, string, string][] = [
    ['resourceGroup', 'resource group', names.resourceGroup],
    ['logAnalyticsWorkspace', 'Log Analytics workspace', names.logAnalytics],
    ['applicationInsights', 'Application Insights', names.appInsights],
    ['keyVault', 'Key Vault', names.keyVault],
    ['storageAccount', 'storage account', names.storageAccount],
    ['containerRegistry', 'container registry', names.containerRegistry],
    ['mlWorkspace', 'ML workspace', names.workspace],
    ['mlRegistry', 'ML registry', names.modelRegistry],
  ];
  const errors = checks.map(([kind, label, value]) => azureNameError(kind, label, value)).filter(Boolean);
  if (errors.length > 0) {
    throw new Error(
      `invalid resource names for project '${project}', environment '${env}':\n- ${errors.join('\n- ')}`,
    );
  }
  return names;
}
