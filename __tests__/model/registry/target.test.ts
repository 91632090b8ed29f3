import { resolveRegistryTarget } from '../../../model/registry/target';

const SUB = '00000000-1111-2222-3333-444444444444';

test('--registry with AZURE_SUBSCRIPTION_ID; the resource group is looked up unless given', () => {
  expect(resolveRegistryTarget({ registry: 'mlr-shared' }, { AZURE_SUBSCRIPTION_ID: SUB })).toEqual({
    subscriptionId: SUB,
    registryName: 'mlr-shared',
  });
  expect(
    resolveRegistryTarget(
      { registry: 'mlr-shared', subscription: 'x', resourceGroup: 'rg' },
      { AZURE_SUBSCRIPTION_ID: SUB },
    ),
  ).toEqual({ subscriptionId: 'x', registryName: 'mlr-shared', resourceGroup: 'rg' });
});

test('--env reads the per-environment variables first, then the shared ones', () => {
  const env = {
    FRAUD_REGISTRY_NAME: 'mlr-shared',
    FRAUD_PROD_SUBSCRIPTION_ID: 'prod-sub',
    AZURE_SUBSCRIPTION_ID: SUB,
  };
  expect(resolveRegistryTarget({ env: 'prod' }, env)).toEqual({
    subscriptionId: 'prod-sub',
    registryName: 'mlr-shared',
  });
  expect(resolveRegistryTarget({ env: 'dev' }, { ...env, FRAUD_DEV_REGISTRY_NAME: 'mlr-dev' })).toEqual({
    subscriptionId: SUB,
    registryName: 'mlr-dev',
  });
});

test('one error lists every problem', () => {
  expect(() => resolveRegistryTarget({ registry: 'a', env: 'qa' }, {})).toThrow(
    /give either --registry or --env, not both; --env must be one of dev, staging, prod, got 'qa'; no subscription/,
  );
  expect(() => resolveRegistryTarget({}, {})).toThrow(
    /--registry <name> or --env <env> is required; no subscription/,
  );
  expect(() => resolveRegistryTarget({ env: 'staging' }, { AZURE_SUBSCRIPTION_ID: SUB })).toThrow(
    /set FRAUD_STAGING_REGISTRY_NAME or FRAUD_REGISTRY_NAME/,
  );
});
