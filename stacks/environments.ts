/**
 * Typed per-environment settings: one `fraud-<env>` stack is synthesized per entry of
 * {@link ENVIRONMENTS}. Platform engineers edit this file (regions, SKUs, retention, receivers);
 * operators edit `stacks/rollout.ts` for traffic.
 *
 * Every value is checked by stacks/configuration.ts (with the rollout constants) before any stack
 * is built; one error lists every problem, each naming environment, field, value and rule.
 */
import { formatValue as show } from '../constructs/core/values';
import { jobsSettingsErrors, JobsSettings } from './jobs-settings';
import { servingSettingsErrors, ServingSettings } from './serving-settings';

export type EnvName = 'dev' | 'staging' | 'prod';

/** All environments, in deployment order. */
export const ENV_NAMES: readonly EnvName[] = ['dev', 'staging', 'prod'];

/** Storage redundancy (azurerm `account_replication_type`). */
export type StorageReplication = 'LRS' | 'ZRS' | 'GRS' | 'RAGRS' | 'GZRS' | 'RAGZRS';
export const STORAGE_REPLICATIONS: readonly StorageReplication[] = [
  'LRS',
  'ZRS',
  'GRS',
  'RAGRS',
  'GZRS',
  'RAGZRS',
];
/** Replication types that keep a copy in the paired region (required in prod). */
export const GEO_REDUNDANT: readonly StorageReplication[] = ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'];

export type ContainerRegistrySku = 'Basic' | 'Standard' | 'Premium';
export type KeyVaultSku = 'standard' | 'premium';
/** Application Insights accepts only these retention values (days). */
export const APP_INSIGHTS_RETENTIONS = [30, 60, 90, 120, 180, 270, 365, 550, 730] as const;
export type AppInsightsRetentionDays = (typeof APP_INSIGHTS_RETENTIONS)[number];

/** Required tags on every resource (applied by a tagging Aspect). */
export interface EnvironmentTags {
  /** Must equal the environment's name (`dev`, `staging`, `prod`). */
  readonly environment: string;
  /** Team or person accountable for the environment. */
  readonly owner: string;
  /** Cost centre billed for the environment. */
  readonly costCentre: string;
}

/** The shared model registry (Microsoft.MachineLearningServices/registries, stack `fraud-shared`). */
export interface RegistrySettings {
  /**
   * Extra regions the registry replicates model versions and images to.
   * @default - only the environment's location
   */
  readonly replicaLocations?: readonly string[];
  /** Storage redundancy of the registry's system-created storage accounts. @default 'LRS' */
  readonly storageReplication?: StorageReplication;
}

/** One alert receiver; Slack/Teams/PagerDuty are reached through their webhook URLs. */
export interface AlertReceiver {
  /** Receiver name shown in the action group (letters, digits, `-`, `_`; up to 60). */
  readonly name: string;
  /** An e-mail address. Exactly one of `email` / `webhookUrl`. @default - no e-mail */
  readonly email?: string;
  /** An https webhook URL. Exactly one of `email` / `webhookUrl`. @default - no webhook */
  readonly webhookUrl?: string;
}

/**
 * When the alerts of stacks/monitoring.ts fire. The first three are the original's rules; each
 * rate is computed per deployment from the endpoint's traffic log, so a bad canary is named.
 */
export interface AlertThresholds {
  /** Server errors (5xx) in % of a deployment's requests over 5 minutes; fires above. @default 5 */
  readonly errorRatePercent?: number;
  /** A deployment's P95 request latency in ms over 5 minutes; fires above. @default 2000 */
  readonly p95LatencyMs?: number;
  /** Requests answered (neither 5xx nor 429) in % over 5 minutes; fires below. @default 99 */
  readonly availabilityPercent?: number;
  /**
   * Fewer requests than this in a 5-minute window give no error-rate or availability verdict
   * (one failure in three requests is not an outage). @default 20
   */
  readonly minRequests?: number;
  /** A deployment's average CPU in % over 15 minutes; fires above. @default 85 */
  readonly cpuPercent?: number;
  /** Memory of a deployment's fullest instance in % over 5 minutes; fires above. @default 90 */
  readonly memoryPercent?: number;
  /** Minutes a deployment must sit at its autoscale maximum before the alert fires. @default 30 */
  readonly atMaxInstancesMinutes?: 15 | 30 | 60;
}

/** The thresholds used where an environment sets none. */
export const DEFAULT_ALERT_THRESHOLDS: Required<AlertThresholds> = {
  errorRatePercent: 5,
  p95LatencyMs: 2000,
  availabilityPercent: 99,
  minRequests: 20,
  cpuPercent: 85,
  memoryPercent: 90,
  atMaxInstancesMinutes: 30,
};

/** Alerting settings: receivers of the environment's action group and alert thresholds. */
export interface AlertSettings {
  /** Who is notified. @default - no receivers (alerts still fire into Azure Monitor) */
  readonly receivers?: readonly AlertReceiver[];
  /** @default DEFAULT_ALERT_THRESHOLDS */
  readonly thresholds?: AlertThresholds;
}

export interface EnvironmentConfig {
  /** Azure region name in lowercase, e.g. `westeurope`. */
  readonly location: string;
  /** Short product prefix in every name: 2-10 lowercase letters/digits starting with a letter. */
  readonly namePrefix: string;
  /**
   * Extra input to the hash in globally unique names. Change it to get fresh names when an old
   * name is still reserved by soft delete (Key Vault, workspace). @default - no salt
   */
  readonly salt?: string;
  /** Required tags. */
  readonly tags: EnvironmentTags;
  /**
   * Public network access to the workspace, Key Vault, storage, registry and container registry.
   * `Disabled` needs private endpoints, which this project does not create yet.
   */
  readonly publicNetworkAccess: 'Enabled' | 'Disabled';
  /** Log Analytics retention, 30-730 days. */
  readonly logRetentionDays: number;
  /** Application Insights retention. @default 90 */
  readonly appInsightsRetentionDays?: AppInsightsRetentionDays;
  /** Log Analytics daily ingestion cap in GB; -1 = unlimited. @default -1 */
  readonly logDailyQuotaGb?: number;
  /** Redundancy of the workspace storage account; prod must be geo-redundant. */
  readonly storageReplication: StorageReplication;
  /** Blob and container soft-delete retention, 1-365 days. @default 7 */
  readonly storageSoftDeleteDays?: number;
  /** @default 'standard' */
  readonly keyVaultSku?: KeyVaultSku;
  /** Key Vault soft-delete retention, 7-90 days (fixed once the vault exists). @default 90 */
  readonly keyVaultSoftDeleteDays?: number;
  /** Workspace container registry SKU. @default 'Basic' */
  readonly containerRegistrySku?: ContainerRegistrySku;
  /**
   * `prevent_destroy` on stateful resources (workspace, storage, Key Vault, registries).
   * @default true
   */
  readonly protectStatefulResources?: boolean;
  /** Alert receivers and thresholds. @default - no receivers, DEFAULT_ALERT_THRESHOLDS */
  readonly alerts?: AlertSettings;
  /**
   * Online endpoint: auth mode, autoscale, the canary step guard and key rotation
   * (stacks/serving-settings.ts). Deployments and traffic live in stacks/rollout.ts.
   * @default - Key auth, autoscale 1..10, no canary step limit, no key rotation
   */
  readonly serving?: ServingSettings;
  /**
   * Scheduled jobs (stacks/jobs-settings.ts): the compute cluster (VM size, max nodes; always
   * scales to zero) and whether the weekly retraining schedule is enabled.
   * @default - Standard_DS3_v2 x 0..2, retraining enabled except in prod
   */
  readonly jobs?: JobsSettings;
  // Later issues add their own optional sections here (e.g. `serving`, `schedules`), each with
  // its checks appended in environmentErrors().
}

const common = {
  location: 'westeurope',
  namePrefix: 'fraud',
  publicNetworkAccess: 'Enabled',
} as const;

export const ENVIRONMENTS = {
  dev: {
    ...common,
    tags: { environment: 'dev', owner: 'ml-platform', costCentre: 'cc-fraud-dev' },
    logRetentionDays: 30,
    appInsightsRetentionDays: 30,
    logDailyQuotaGb: 1,
    storageReplication: 'LRS',
    storageSoftDeleteDays: 7,
    keyVaultSoftDeleteDays: 7,
    containerRegistrySku: 'Basic',
    serving: { authMode: 'Key', autoscale: { minInstances: 1, maxInstances: 2 } },
    // Retraining runs here: each Monday's model is a candidate to register and promote.
    jobs: { compute: { vmSize: 'Standard_DS3_v2', maxNodes: 2 }, retraining: { isEnabled: true } },
  },
  staging: {
    ...common,
    tags: { environment: 'staging', owner: 'ml-platform', costCentre: 'cc-fraud-staging' },
    logRetentionDays: 30,
    appInsightsRetentionDays: 90,
    storageReplication: 'ZRS',
    storageSoftDeleteDays: 14,
    keyVaultSoftDeleteDays: 30,
    containerRegistrySku: 'Standard',
    serving: { authMode: 'Key', autoscale: { minInstances: 1, maxInstances: 4 } },
    // Train once, promote by reference: staging receives dev's registered versions.
    jobs: { compute: { vmSize: 'Standard_DS3_v2', maxNodes: 2 }, retraining: { isEnabled: false } },
  },
  prod: {
    ...common,
    tags: { environment: 'prod', owner: 'ml-platform', costCentre: 'cc-fraud-prod' },
    logRetentionDays: 90,
    appInsightsRetentionDays: 365,
    storageReplication: 'GRS',
    storageSoftDeleteDays: 30,
    keyVaultSoftDeleteDays: 90,
    containerRegistrySku: 'Premium',
    serving: {
      authMode: 'Key',
      // The original's range: 1 to 10 instances; prod keeps 2 warm for zone/upgrade headroom.
      autoscale: { minInstances: 2, maxInstances: 10 },
      // A prod canary moves up by at most 25 points per reviewed change (10 -> 35 -> 60 -> 85 -> 100).
      maxCanaryStep: 25,
      // Bump secondary, apply, move clients; then bump primary (docs/rollout.md).
      keyRotation: { primary: 0, secondary: 0 },
    },
    // The schedule exists but stays off (the prod default): models reach prod only by promotion.
    jobs: { compute: { vmSize: 'Standard_DS3_v2', maxNodes: 4 } },
  },
} satisfies Record<EnvName, EnvironmentConfig>;

/** A principal (user, group or service principal) granted roles by the shared stack. */
export interface PrincipalSetting {
  /** What it is, e.g. `github-retrain`; the role assignment's description. */
  readonly name: string;
  /** Entra object id (a GUID). */
  readonly objectId: string;
  /** @default 'ServicePrincipal' */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

/**
 * The `fraud-shared` stack: what every environment shares, deployed before them. Environment
 * stacks find the registry by its deterministic name (stacks/shared-stack.ts
 * `sharedRegistryName`), never by a copied id.
 */
export interface SharedConfig {
  /** Azure region of the registry's primary copy, lowercase. */
  readonly location: string;
  /** Short product prefix, as for environments. */
  readonly namePrefix: string;
  /** Extra input to the registry name's hash. @default - no salt */
  readonly salt?: string;
  /** Required tags; `environment` must be `shared`. */
  readonly tags: EnvironmentTags;
  /** Public network access to the registry. */
  readonly publicNetworkAccess: 'Enabled' | 'Disabled';
  /** Replica regions and storage redundancy. @default - only `location`, LRS */
  readonly registry?: RegistrySettings;
  /**
   * Who registers model versions (`npm run register`; e.g. the retrain workflow's identity):
   * `AzureML Registry User` on the registry.
   * @default - none (the deployer of fraud-shared, as Owner, can register)
   */
  readonly registryPublishers?: readonly PrincipalSetting[];
  /**
   * Who deploys the environment stacks when they are not Owner of the subscription: `Reader` on
   * the registry (plan-time look-ups) and the right to assign `AzureML Registry User` on it,
   * and no other role (to grant the workspace and endpoint identities).
   * @default - none (deployers are subscription Owners)
   */
  readonly environmentDeployers?: readonly PrincipalSetting[];
  /** `prevent_destroy` on the registry. @default true */
  readonly protectStatefulResources?: boolean;
}

export const SHARED = {
  ...common,
  tags: { environment: 'shared', owner: 'ml-platform', costCentre: 'cc-fraud-shared' },
  // Deployments in every region pull models from a replica in their own region.
  registry: { replicaLocations: ['northeurope'], storageReplication: 'ZRS' },
} satisfies SharedConfig;

const REGION = /^[a-z][a-z0-9]{3,29}$/;
const PREFIX = /^[a-z][a-z0-9]{1,9}$/;
const SALT = /^[A-Za-z0-9._-]{1,32}$/;
const TAG_FORBIDDEN = /[<>%&\\?/]/;
const RECEIVER_NAME = /^[A-Za-z0-9_-]{1,60}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const oneOf = (values: readonly unknown[]): string => values.map((v) => show(v)).join(', ');

function isIntIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Every problem of one environment, as `<env>.<field> = <value>: <rule>` lines. */
export function environmentErrors(env: string, cfg: EnvironmentConfig): string[] {
  const errors: string[] = [];
  const bad = (field: string, value: unknown, rule: string): void => {
    errors.push(`${env}.${field} = ${show(value)}: ${rule}`);
  };

  if (!(ENV_NAMES as readonly string[]).includes(env)) {
    bad('(name)', env, `environment name must be one of ${oneOf(ENV_NAMES)}`);
  }
  if (typeof cfg.location !== 'string' || !REGION.test(cfg.location)) {
    bad(
      'location',
      cfg.location,
      "must be an Azure region name in lowercase letters/digits, e.g. 'westeurope'",
    );
  }
  if (typeof cfg.namePrefix !== 'string' || !PREFIX.test(cfg.namePrefix)) {
    bad('namePrefix', cfg.namePrefix, 'must be 2-10 lowercase letters or digits starting with a letter');
  }
  if (cfg.salt !== undefined && (typeof cfg.salt !== 'string' || !SALT.test(cfg.salt))) {
    bad('salt', cfg.salt, 'must be 1-32 characters from A-Z a-z 0-9 . _ -');
  }

  const tags = (cfg.tags ?? {}) as Partial<EnvironmentTags>;
  for (const key of ['environment', 'owner', 'costCentre'] as const) {
    const value = tags[key];
    if (typeof value !== 'string' || value.trim() === '') {
      bad(`tags.${key}`, value, 'is required and must be a non-empty string');
    } else if (value.length > 256 || TAG_FORBIDDEN.test(value)) {
      bad(`tags.${key}`, value, 'must be at most 256 characters without < > % & \\ ? /');
    }
  }
  if (typeof tags.environment === 'string' && tags.environment !== env) {
    bad('tags.environment', tags.environment, `must equal the environment name '${env}'`);
  }

  if (cfg.publicNetworkAccess !== 'Enabled' && cfg.publicNetworkAccess !== 'Disabled') {
    bad('publicNetworkAccess', cfg.publicNetworkAccess, "must be 'Enabled' or 'Disabled'");
  }
  if (!isIntIn(cfg.logRetentionDays, 30, 730)) {
    bad(
      'logRetentionDays',
      cfg.logRetentionDays,
      'must be an integer from 30 to 730 (Log Analytics PerGB2018)',
    );
  }
  if (
    cfg.appInsightsRetentionDays !== undefined &&
    !(APP_INSIGHTS_RETENTIONS as readonly number[]).includes(cfg.appInsightsRetentionDays)
  ) {
    bad(
      'appInsightsRetentionDays',
      cfg.appInsightsRetentionDays,
      `must be one of ${oneOf(APP_INSIGHTS_RETENTIONS)}`,
    );
  }
  if (
    cfg.logDailyQuotaGb !== undefined &&
    !(cfg.logDailyQuotaGb === -1 || (typeof cfg.logDailyQuotaGb === 'number' && cfg.logDailyQuotaGb > 0))
  ) {
    bad('logDailyQuotaGb', cfg.logDailyQuotaGb, 'must be -1 (unlimited) or a positive number of GB');
  }
  if (!STORAGE_REPLICATIONS.includes(cfg.storageReplication)) {
    bad('storageReplication', cfg.storageReplication, `must be one of ${oneOf(STORAGE_REPLICATIONS)}`);
  } else if (env === 'prod' && !GEO_REDUNDANT.includes(cfg.storageReplication)) {
    bad(
      'storageReplication',
      cfg.storageReplication,
      `prod must be geo-redundant: one of ${oneOf(GEO_REDUNDANT)}`,
    );
  }
  if (cfg.storageSoftDeleteDays !== undefined && !isIntIn(cfg.storageSoftDeleteDays, 1, 365)) {
    bad('storageSoftDeleteDays', cfg.storageSoftDeleteDays, 'must be an integer from 1 to 365');
  }
  if (cfg.keyVaultSku !== undefined && !['standard', 'premium'].includes(cfg.keyVaultSku)) {
    bad('keyVaultSku', cfg.keyVaultSku, "must be 'standard' or 'premium'");
  }
  if (cfg.keyVaultSoftDeleteDays !== undefined && !isIntIn(cfg.keyVaultSoftDeleteDays, 7, 90)) {
    bad('keyVaultSoftDeleteDays', cfg.keyVaultSoftDeleteDays, 'must be an integer from 7 to 90');
  }
  if (
    cfg.containerRegistrySku !== undefined &&
    !['Basic', 'Standard', 'Premium'].includes(cfg.containerRegistrySku)
  ) {
    bad('containerRegistrySku', cfg.containerRegistrySku, "must be one of 'Basic', 'Standard', 'Premium'");
  }
  // Private access (no public network) needs the Premium tier of Azure Container Registry.
  if (cfg.publicNetworkAccess === 'Disabled' && (cfg.containerRegistrySku ?? 'Basic') !== 'Premium') {
    bad(
      'containerRegistrySku',
      cfg.containerRegistrySku,
      "must be 'Premium' when publicNetworkAccess is 'Disabled'",
    );
  }
  if (cfg.protectStatefulResources !== undefined && typeof cfg.protectStatefulResources !== 'boolean') {
    bad('protectStatefulResources', cfg.protectStatefulResources, 'must be true or false');
  }

  const receivers = cfg.alerts?.receivers ?? [];
  receivers.forEach((r, i) => {
    const f = `alerts.receivers[${i}]`;
    if (typeof r.name !== 'string' || !RECEIVER_NAME.test(r.name)) {
      bad(`${f}.name`, r.name, 'must be 1-60 letters, digits, - or _');
    } else if (receivers.findIndex((o) => o.name === r.name) !== i) {
      bad(`${f}.name`, r.name, 'must be unique within the environment');
    }
    if ((r.email === undefined) === (r.webhookUrl === undefined)) {
      bad(f, { email: r.email, webhookUrl: r.webhookUrl }, 'must set exactly one of email or webhookUrl');
    }
    // The receiver's name too: the index alone is hard to find in a long list.
    const who = `(receiver ${show(r.name)})`;
    if (r.email !== undefined && !EMAIL.test(r.email))
      bad(`${f}.email`, r.email, `must be an e-mail address ${who}`);
    if (r.webhookUrl !== undefined && !/^https:\/\/[^\s]+$/.test(r.webhookUrl)) {
      bad(`${f}.webhookUrl`, r.webhookUrl, `must be an https:// URL ${who}`);
    }
  });
  const thresholds: AlertThresholds = cfg.alerts?.thresholds ?? {};
  const percentIn = (field: keyof AlertThresholds, v: number | undefined, max100: boolean): void => {
    if (v !== undefined && !(typeof v === 'number' && v > 0 && (max100 ? v <= 100 : v < 100))) {
      bad(
        `alerts.thresholds.${field}`,
        v,
        `must be a number above 0 and ${max100 ? 'at most' : 'below'} 100 (a percentage)`,
      );
    }
  };
  percentIn('errorRatePercent', thresholds.errorRatePercent, false);
  percentIn('availabilityPercent', thresholds.availabilityPercent, false);
  percentIn('cpuPercent', thresholds.cpuPercent, true);
  percentIn('memoryPercent', thresholds.memoryPercent, true);
  if (
    thresholds.p95LatencyMs !== undefined &&
    !(
      typeof thresholds.p95LatencyMs === 'number' &&
      thresholds.p95LatencyMs > 0 &&
      Number.isFinite(thresholds.p95LatencyMs)
    )
  ) {
    bad(
      'alerts.thresholds.p95LatencyMs',
      thresholds.p95LatencyMs,
      'must be a positive number of milliseconds',
    );
  }
  if (thresholds.minRequests !== undefined && !isIntIn(thresholds.minRequests, 1, 1_000_000)) {
    bad('alerts.thresholds.minRequests', thresholds.minRequests, 'must be an integer from 1 to 1000000');
  }
  if (
    thresholds.atMaxInstancesMinutes !== undefined &&
    ![15, 30, 60].includes(thresholds.atMaxInstancesMinutes)
  ) {
    bad(
      'alerts.thresholds.atMaxInstancesMinutes',
      thresholds.atMaxInstancesMinutes,
      'must be 15, 30 or 60 (a metric alert window)',
    );
  }
  errors.push(...servingSettingsErrors(env, cfg.serving));
  errors.push(...jobsSettingsErrors(env, cfg.jobs));
  return errors;
}

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** Every problem of the shared settings, as `shared.<field> = <value>: <rule>` lines. */
export function sharedErrors(cfg: SharedConfig): string[] {
  const errors: string[] = [];
  const bad = (field: string, value: unknown, rule: string): void => {
    errors.push(`shared.${field} = ${show(value)}: ${rule}`);
  };
  if (typeof cfg.location !== 'string' || !REGION.test(cfg.location)) {
    bad(
      'location',
      cfg.location,
      "must be an Azure region name in lowercase letters/digits, e.g. 'westeurope'",
    );
  }
  if (typeof cfg.namePrefix !== 'string' || !PREFIX.test(cfg.namePrefix)) {
    bad('namePrefix', cfg.namePrefix, 'must be 2-10 lowercase letters or digits starting with a letter');
  }
  if (cfg.salt !== undefined && (typeof cfg.salt !== 'string' || !SALT.test(cfg.salt))) {
    bad('salt', cfg.salt, 'must be 1-32 characters from A-Z a-z 0-9 . _ -');
  }
  const tags = (cfg.tags ?? {}) as Partial<EnvironmentTags>;
  for (const key of ['environment', 'owner', 'costCentre'] as const) {
    const value = tags[key];
    if (typeof value !== 'string' || value.trim() === '' || value.length > 256 || TAG_FORBIDDEN.test(value)) {
      bad(`tags.${key}`, value, 'is required: 1-256 characters without < > % & \\ ? /');
    }
  }
  if (typeof tags.environment === 'string' && tags.environment !== 'shared') {
    bad('tags.environment', tags.environment, "must be 'shared'");
  }
  if (cfg.publicNetworkAccess !== 'Enabled' && cfg.publicNetworkAccess !== 'Disabled') {
    bad('publicNetworkAccess', cfg.publicNetworkAccess, "must be 'Enabled' or 'Disabled'");
  }
  if (cfg.protectStatefulResources !== undefined && typeof cfg.protectStatefulResources !== 'boolean') {
    bad('protectStatefulResources', cfg.protectStatefulResources, 'must be true or false');
  }
  const registry = cfg.registry ?? {};
  const replicas = registry.replicaLocations ?? [];
  replicas.forEach((loc, i) => {
    if (typeof loc !== 'string' || !REGION.test(loc)) {
      bad(
        `registry.replicaLocations[${i}]`,
        loc,
        "must be an Azure region name in lowercase, e.g. 'northeurope'",
      );
    } else if (loc === cfg.location || replicas.indexOf(loc) !== i) {
      bad(`registry.replicaLocations[${i}]`, loc, 'must differ from location and from the other replicas');
    }
  });
  if (
    registry.storageReplication !== undefined &&
    !STORAGE_REPLICATIONS.includes(registry.storageReplication)
  ) {
    bad(
      'registry.storageReplication',
      registry.storageReplication,
      `must be one of ${oneOf(STORAGE_REPLICATIONS)}`,
    );
  }
  for (const key of ['registryPublishers', 'environmentDeployers'] as const) {
    const list = cfg[key] ?? [];
    list.forEach((p, i) => {
      if (typeof p.name !== 'string' || !RECEIVER_NAME.test(p.name)) {
        bad(`${key}[${i}].name`, p.name, 'must be 1-60 letters, digits, - or _');
      } else if (list.findIndex((o) => o.name === p.name) !== i) {
        bad(`${key}[${i}].name`, p.name, `must be unique within ${key}`);
      }
      if (typeof p.objectId !== 'string' || !GUID.test(p.objectId)) {
        bad(`${key}[${i}].objectId`, p.objectId, 'must be an Entra object id (a GUID)');
      }
      if (p.principalType !== undefined && !['ServicePrincipal', 'User', 'Group'].includes(p.principalType)) {
        bad(`${key}[${i}].principalType`, p.principalType, "must be 'ServicePrincipal', 'User' or 'Group'");
      }
    });
  }
  return errors;
}

/**
 * Checks every environment; throws ONE error listing every problem (environment, field,
 * value, rule). Pure: tests call it with broken copies of {@link ENVIRONMENTS}.
 */
export function validateEnvironments(envs: Readonly<Record<string, EnvironmentConfig>>): void {
  const errors: string[] = [];
  const names = Object.keys(envs);
  if (names.length === 0) errors.push('environments: at least one environment is required');
  for (const name of names) errors.push(...environmentErrors(name, envs[name]));
  if (errors.length > 0) {
    throw new Error(`invalid environment settings (${errors.length} problem(s)):\n- ${errors.join('\n- ')}`);
  }
}
