import { BACKEND_ENV_VARS, stateBackendFromEnv } from '../../stacks/backend';

describe('stateBackendFromEnv', () => {
  test('no variables: local state', () => {
    expect(stateBackendFromEnv({})).toEqual({ kind: 'local' });
    expect(stateBackendFromEnv({ TF_STATE_RESOURCE_GROUP: ' ' })).toEqual({ kind: 'local' });
  });

  test('all three required variables: azurerm, optional prefix and subscription', () => {
    expect(
      stateBackendFromEnv({
        TF_STATE_RESOURCE_GROUP: 'rg-tfstate',
        TF_STATE_STORAGE_ACCOUNT: 'sttfstate',
        TF_STATE_CONTAINER: 'tfstate',
        TF_STATE_KEY_PREFIX: 'fraud/',
        TF_STATE_SUBSCRIPTION_ID: 'sub',
      }),
    ).toEqual({
      kind: 'azurerm',
      resourceGroupName: 'rg-tfstate',
      storageAccountName: 'sttfstate',
      containerName: 'tfstate',
      keyPrefix: 'fraud/',
      subscriptionId: 'sub',
    });
  });

  test('a partial set is an error naming what is missing', () => {
    expect(() => stateBackendFromEnv({ TF_STATE_RESOURCE_GROUP: 'rg', TF_STATE_CONTAINER: 'c' })).toThrow(
      /set TF_STATE_STORAGE_ACCOUNT too, or unset TF_STATE_RESOURCE_GROUP, TF_STATE_CONTAINER for local state/,
    );
  });

  test('documents the variable names', () => {
    expect(Object.values(BACKEND_ENV_VARS)).toEqual([
      'TF_STATE_RESOURCE_GROUP',
      'TF_STATE_STORAGE_ACCOUNT',
      'TF_STATE_CONTAINER',
      'TF_STATE_KEY_PREFIX',
      'TF_STATE_SUBSCRIPTION_ID',
    ]);
  });
});
