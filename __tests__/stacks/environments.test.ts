import {
  ENV_NAMES,
  ENVIRONMENTS,
  EnvironmentConfig,
  environmentErrors,
  validateEnvironments,
} from '../../stacks/environments';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const copy = (): Record<string, Mutable<EnvironmentConfig>> =>
  JSON.parse(JSON.stringify(ENVIRONMENTS)) as Record<string, Mutable<EnvironmentConfig>>;

describe('ENVIRONMENTS', () => {
  test('has dev, staging and prod and all of them are valid', () => {
    expect(Object.keys(ENVIRONMENTS)).toEqual([...ENV_NAMES]);
    expect(() => validateEnvironments(ENVIRONMENTS)).not.toThrow();
  });

  test('prod is geo-redundant and every tag set names its environment', () => {
    expect(['GRS', 'RAGRS', 'GZRS', 'RAGZRS']).toContain(ENVIRONMENTS.prod.storageReplication);
    for (const name of ENV_NAMES) expect(ENVIRONMENTS[name].tags.environment).toBe(name);
  });
});

describe('validateEnvironments', () => {
  test.each<[string, (e: Record<string, Mutable<EnvironmentConfig>>) => void, RegExp]>([
    [
      'region display name',
      (e) => (e.dev.location = 'West Europe'),
      /dev\.location = "West Europe": must be an Azure region/,
    ],
    [
      'prefix with capitals',
      (e) => (e.dev.namePrefix = 'Fraud'),
      /dev\.namePrefix = "Fraud": must be 2-10 lowercase/,
    ],
    ['prefix too long', (e) => (e.dev.namePrefix = 'frauddetect'), /dev\.namePrefix = "frauddetect"/],
    ['salt with spaces', (e) => (e.dev.salt = 'a b'), /dev\.salt = "a b": must be 1-32 characters/],
    [
      'empty owner',
      (e) => (e.dev.tags = { ...e.dev.tags, owner: ' ' }),
      /dev\.tags\.owner = " ": is required/,
    ],
    [
      'tag with forbidden char',
      (e) => (e.dev.tags = { ...e.dev.tags, costCentre: 'a/b' }),
      /dev\.tags\.costCentre = "a\/b": must be at most 256/,
    ],
    [
      'mismatched environment tag',
      (e) => (e.staging.tags = { ...e.staging.tags, environment: 'prod' }),
      /staging\.tags\.environment = "prod": must equal the environment name 'staging'/,
    ],
    [
      'public access literal',
      (e) => (e.dev.publicNetworkAccess = 'enabled' as never),
      /dev\.publicNetworkAccess = "enabled": must be 'Enabled' or 'Disabled'/,
    ],
    [
      'log retention too short',
      (e) => (e.dev.logRetentionDays = 7),
      /dev\.logRetentionDays = 7: must be an integer from 30 to 730/,
    ],
    ['log retention not integer', (e) => (e.dev.logRetentionDays = 30.5), /dev\.logRetentionDays = 30.5/],
    [
      'app insights retention',
      (e) => (e.dev.appInsightsRetentionDays = 45 as never),
      /dev\.appInsightsRetentionDays = 45: must be one of 30, 60/,
    ],
    ['daily quota', (e) => (e.dev.logDailyQuotaGb = 0), /dev\.logDailyQuotaGb = 0: must be -1/],
    [
      'unknown replication',
      (e) => (e.dev.storageReplication = 'GEO' as never),
      /dev\.storageReplication = "GEO": must be one of "LRS"/,
    ],
    [
      'prod without geo-redundancy',
      (e) => (e.prod.storageReplication = 'ZRS'),
      /prod\.storageReplication = "ZRS": prod must be geo-redundant/,
    ],
    [
      'storage soft delete',
      (e) => (e.dev.storageSoftDeleteDays = 0),
      /dev\.storageSoftDeleteDays = 0: must be an integer from 1 to 365/,
    ],
    [
      'key vault sku',
      (e) => (e.dev.keyVaultSku = 'Standard' as never),
      /dev\.keyVaultSku = "Standard": must be 'standard' or 'premium'/,
    ],
    [
      'key vault soft delete',
      (e) => (e.dev.keyVaultSoftDeleteDays = 100),
      /dev\.keyVaultSoftDeleteDays = 100: must be an integer from 7 to 90/,
    ],
    [
      'acr sku',
      (e) => (e.dev.containerRegistrySku = 'Gold' as never),
      /dev\.containerRegistrySku = "Gold": must be one of/,
    ],
    [
      'private access needs premium acr',
      (e) => (e.dev.publicNetworkAccess = 'Disabled'),
      /dev\.containerRegistrySku = "Basic": must be 'Premium' when publicNetworkAccess is 'Disabled'/,
    ],
    [
      'protect flag type',
      (e) => (e.dev.protectStatefulResources = 'yes' as never),
      /dev\.protectStatefulResources = "yes": must be true or false/,
    ],
    // The registry's regions moved to SHARED (fraud-shared); __tests__/stacks/shared-stack.test.ts checks them.
    [
      'job cluster without nodes',
      (e) => (e.dev.jobs = { compute: { vmSize: 'Standard_DS3_v2', maxNodes: 0 } }),
      /dev\.jobs\.compute\.maxNodes = 0: must be an integer from 1 to 100/,
    ],
    [
      'job cluster vm size',
      (e) => (e.dev.jobs = { compute: { vmSize: 'DS3 v2', maxNodes: 2 } }),
      /dev\.jobs\.compute\.vmSize = "DS3 v2": must be an Azure VM size/,
    ],
    [
      'retraining flag type',
      (e) =>
        (e.dev.jobs = {
          compute: { vmSize: 'Standard_DS3_v2', maxNodes: 2 },
          retraining: { isEnabled: 'no' as never },
        }),
      /dev\.jobs\.retraining\.isEnabled = "no": must be true or false/,
    ],
    [
      'receiver with both targets',
      (e) => (e.dev.alerts = { receivers: [{ name: 'ops', email: 'a@b.io', webhookUrl: 'https://h' }] }),
      /dev\.alerts\.receivers\[0\] = .*must set exactly one of email or webhookUrl/,
    ],
    [
      'receiver bad email',
      (e) => (e.dev.alerts = { receivers: [{ name: 'ops', email: 'nope' }] }),
      /dev\.alerts\.receivers\[0\]\.email = "nope": must be an e-mail address/,
    ],
    [
      'receiver http webhook',
      (e) => (e.dev.alerts = { receivers: [{ name: 'slack', webhookUrl: 'http://x' }] }),
      /dev\.alerts\.receivers\[0\]\.webhookUrl = "http:\/\/x": must be an https:\/\/ URL/,
    ],
    [
      'receiver bad name',
      (e) => (e.dev.alerts = { receivers: [{ name: 'on call', email: 'a@b.io' }] }),
      /dev\.alerts\.receivers\[0\]\.name = "on call"/,
    ],
    [
      'receiver duplicate name',
      (e) =>
        (e.dev.alerts = {
          receivers: [
            { name: 'a', email: 'a@b.io' },
            { name: 'a', email: 'c@d.io' },
          ],
        }),
      /dev\.alerts\.receivers\[1\]\.name = "a": must be unique/,
    ],
    [
      'unknown environment name',
      (e) => (e.qa = { ...e.dev, tags: { ...e.dev.tags, environment: 'qa' } }),
      /qa\.\(name\) = "qa": environment name must be one of "dev", "staging", "prod"/,
    ],
  ])('rejects %s', (_label, mutate, message) => {
    const envs = copy();
    mutate(envs);
    expect(() => validateEnvironments(envs)).toThrow(message);
  });

  test('a valid receiver list passes', () => {
    const envs = copy();
    envs.dev.alerts = {
      receivers: [
        { name: 'ops', email: 'ops@example.com' },
        { name: 'slack', webhookUrl: 'https://hooks.slack.com/x' },
      ],
    };
    expect(environmentErrors('dev', envs.dev)).toEqual([]);
  });

  test('lists every problem of every environment in ONE error', () => {
    const envs = copy();
    envs.dev.location = 'West Europe';
    envs.dev.logRetentionDays = 1;
    envs.prod.storageReplication = 'LRS';
    let message = '';
    try {
      validateEnvironments(envs);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid environment settings \(3 problem\(s\)\):/);
    expect(message).toContain('dev.location = "West Europe"');
    expect(message).toContain('dev.logRetentionDays = 1');
    expect(message).toContain('prod.storageReplication = "LRS"');
  });

  test('an empty set of environments is rejected', () => {
    expect(() => validateEnvironments({})).toThrow(/at least one environment is required/);
  });
});
