import {
  AZURE_NAME_RULES,
  azureNameError,
  checkAzureName,
  envCode,
  platformNames,
  stableHash,
} from '../../../constructs/core/naming';

describe('stableHash', () => {
  test('is stable across calls and processes (pinned value)', () => {
    expect(stableHash(['fraud', 'dev', ''])).toBe(stableHash(['fraud', 'dev', '']));
    // Pinned: a change here renames every globally unique resource of every environment.
    expect(stableHash(['fraud', 'dev', ''])).toBe('7fyqt3');
    expect(stableHash(['fraud', 'staging', ''])).toBe('7nxtf6');
    expect(stableHash(['fraud', 'prod', ''])).toBe('5v11pv');
    expect(stableHash(['fraud', 'prod', ''])).toBe(platformNames({ project: 'fraud', env: 'prod' }).hash);
  });

  test('changes with each input, including the salt', () => {
    const base = stableHash(['fraud', 'dev', '']);
    expect(stableHash(['fraud', 'prod', ''])).not.toBe(base);
    expect(stableHash(['fraud', 'dev', 'x1'])).not.toBe(base);
    expect(stableHash(['fraud2', 'dev', ''])).not.toBe(base);
  });

  test('has the requested length and only lowercase letters and digits', () => {
    for (const length of [4, 6, 10, 16]) {
      expect(stableHash(['a', String(length)], length)).toMatch(new RegExp(`^[a-z0-9]{${length}}$`));
    }
  });

  test('rejects a length outside 4..16', () => {
    expect(() => stableHash(['a'], 3)).toThrow(/length must be an integer from 4 to 16, got 3/);
    expect(() => stableHash(['a'], 17)).toThrow(/got 17/);
  });
});

describe('platformNames', () => {
  test('builds deterministic names per environment', () => {
    const n = platformNames({ project: 'fraud', env: 'staging' });
    expect(n).toEqual({
      hash: n.hash,
      resourceGroup: 'rg-fraud-staging',
      logAnalytics: 'log-fraud-staging',
      appInsights: 'appi-fraud-staging',
      keyVault: `kv-fraud-stg-${n.hash}`,
      storageAccount: `stfraudstg${n.hash}`,
      containerRegistry: `crfraudstg${n.hash}`,
      workspace: 'mlw-fraud-staging',
      modelRegistry: `mlr-fraud-stg-${n.hash}`,
    });
    expect(platformNames({ project: 'fraud', env: 'staging' })).toEqual(n);
  });

  test('a salt changes only the globally unique names', () => {
    const a = platformNames({ project: 'fraud', env: 'dev' });
    const b = platformNames({ project: 'fraud', env: 'dev', salt: 'r2' });
    expect(b.resourceGroup).toBe(a.resourceGroup);
    expect(b.workspace).toBe(a.workspace);
    expect(b.keyVault).not.toBe(a.keyVault);
    expect(b.storageAccount).not.toBe(a.storageAccount);
  });

  test('env codes shorten the length-limited names', () => {
    expect([envCode('dev'), envCode('staging'), envCode('prod'), envCode('qa')]).toEqual([
      'dev',
      'stg',
      'prd',
      'qa',
    ]);
  });

  test('names breaking Azure rules fail with resource, value and rule, all in one error', () => {
    expect(() => platformNames({ project: 'frauddetection', env: 'staging' })).toThrow(
      /Key Vault name 'kv-frauddetection-stg-[a-z0-9]{6}' \(28 chars\) breaks the keyVault naming rule: 3-24[\s\S]*storage account name/,
    );
    expect(() => platformNames({ project: 'fr_aud', env: 'dev' })).toThrow(
      /storage account name 'stfr_auddev[a-z0-9]{6}' \(17 chars\) breaks the storageAccount naming rule: 3-24 lowercase letters and digits/,
    );
  });
});

describe('Azure naming rules', () => {
  test.each<[keyof typeof AZURE_NAME_RULES, string, boolean]>([
    ['storageAccount', 'stfrauddev123abc', true],
    ['storageAccount', 'st-fraud', false],
    ['storageAccount', 'STFRAUD', false],
    ['storageAccount', 'st', false],
    ['storageAccount', 'a'.repeat(25), false],
    ['keyVault', 'kv-fraud-dev-abc123', true],
    ['keyVault', '1kv-fraud', false],
    ['keyVault', 'kv--fraud', false],
    ['keyVault', 'kv-fraud-', false],
    ['containerRegistry', 'crfrauddev', true],
    ['containerRegistry', 'cr-fraud', false],
    ['containerRegistry', 'cr1', false],
    ['resourceGroup', 'rg-fraud-dev', true],
    ['resourceGroup', 'rg-fraud.', false],
    ['logAnalyticsWorkspace', 'log-fraud-dev', true],
    ['logAnalyticsWorkspace', 'log', false],
    ['logAnalyticsWorkspace', '-log-fraud', false],
    ['applicationInsights', 'appi-fraud-dev', true],
    ['applicationInsights', 'appi/fraud', false],
    ['mlWorkspace', 'mlw-fraud-dev', true],
    ['mlWorkspace', '-mlw', false],
    ['mlRegistry', 'mlr-fraud-dev-abc', true],
    ['mlRegistry', 'm', false],
    ['mlRegistry', 'mlr.fraud', false],
    ['onlineEndpoint', 'fraud-dev-ep', true],
    ['onlineEndpoint', 'fraud--ep', false],
    ['onlineEndpoint', '9fraud', false],
    ['onlineEndpoint', 'a'.repeat(33), false],
    ['onlineDeployment', 'blue', true],
    ['onlineDeployment', 'b', false],
    ['diagnosticSetting', 'to-log-analytics', true],
    ['diagnosticSetting', 'to/la', false],
  ])('%s %j valid=%s', (kind, value, valid) => {
    const error = azureNameError(kind, 'thing', value);
    if (valid) {
      expect(error).toBeUndefined();
      expect(checkAzureName(kind, 'thing', value)).toBe(value);
    } else {
      expect(error).toContain(
        `thing name '${value}' (${value.length} chars) breaks the ${kind} naming rule: `,
      );
      expect(() => checkAzureName(kind, 'thing', value)).toThrow(AZURE_NAME_RULES[kind].description);
    }
  });
});
