import 'cdktf/lib/testing/adapters/jest';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { ContainerRegistry as AzContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { TerraformResource, TerraformStack, Testing } from 'cdktf';
import { managedIdentity } from '../../../constructs/core/grants';
import { AppInsights } from '../../../constructs/platform/app-insights';
import { ContainerRegistry } from '../../../constructs/platform/container-registry';
import { Diagnostics } from '../../../constructs/platform/diagnostics';
import { KeyVault } from '../../../constructs/platform/key-vault';
import { LogAnalytics } from '../../../constructs/platform/log-analytics';
import { MlWorkspace } from '../../../constructs/platform/ml-workspace';
import { SecureStorage } from '../../../constructs/platform/storage';

/** `${type.logicalId.attr}` of a resource, without hard-coding cdktf's hashed logical ids. */
const ref = (r: TerraformResource, attr: string): string =>
  '${' + `${r.terraformResourceType}.${r.friendlyUniqueId}.${attr}` + '}';

function setup() {
  const stack = new TerraformStack(Testing.app(), 'platform');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const resourceGroup = new ResourceGroup(stack, 'rg', { name: 'rg-fraud-dev', location: 'westeurope' });
  return { stack, resourceGroup };
}

function fullPlatform() {
  const { stack, resourceGroup } = setup();
  const base = { resourceGroup };
  const logAnalytics = new LogAnalytics(stack, 'LogAnalytics', { ...base, name: 'log-fraud-dev' });
  const appInsights = new AppInsights(stack, 'AppInsights', {
    ...base,
    name: 'appi-fraud-dev',
    logAnalytics,
  });
  const keyVault = new KeyVault(stack, 'KeyVault', {
    ...base,
    name: 'kv-fraud-dev-abc123',
    tenantId: 'tenant',
  });
  const storage = new SecureStorage(stack, 'Storage', { ...base, name: 'stfrauddevabc123' });
  const containerRegistry = new ContainerRegistry(stack, 'Acr', { ...base, name: 'crfrauddevabc123' });
  const workspace = new MlWorkspace(stack, 'Workspace', {
    ...base,
    name: 'mlw-fraud-dev',
    appInsights,
    keyVault,
    storage,
    containerRegistry,
  });
  return { stack, logAnalytics, appInsights, keyVault, storage, containerRegistry, workspace };
}

describe('platform constructs', () => {
  const p = fullPlatform();
  const synth = Testing.synth(p.stack);

  test('Log Analytics: PerGB2018 with retention and quota defaults', () => {
    expect(synth).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      name: 'log-fraud-dev',
      sku: 'PerGB2018',
      retention_in_days: 30,
      daily_quota_gb: -1,
      location: '${azurerm_resource_group.rg.location}',
    });
  });

  test('Application Insights is workspace-based', () => {
    expect(synth).toHaveResourceWithProperties(ApplicationInsights, {
      name: 'appi-fraud-dev',
      application_type: 'web',
      workspace_id: ref(p.logAnalytics.resource, 'id'),
      retention_in_days: 90,
      local_authentication_disabled: false,
    });
  });

  test('Key Vault: RBAC, purge protection, soft delete, prevent_destroy', () => {
    expect(synth).toHaveResourceWithProperties(AzKeyVault, {
      name: 'kv-fraud-dev-abc123',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      sku_name: 'standard',
      lifecycle: { prevent_destroy: true },
    });
  });

  test('storage: TLS 1.2, HTTPS only, private blobs, versioning, soft delete, prevent_destroy', () => {
    expect(synth).toHaveResourceWithProperties(StorageAccount, {
      name: 'stfrauddevabc123',
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: true,
      default_to_oauth_authentication: true,
      cross_tenant_replication_enabled: false,
      account_replication_type: 'LRS',
      blob_properties: {
        versioning_enabled: true,
        change_feed_enabled: true,
        delete_retention_policy: { days: 7 },
        container_delete_retention_policy: { days: 7 },
      },
      lifecycle: { prevent_destroy: true },
    });
  });

  test('container registry: admin user and anonymous pull off', () => {
    expect(synth).toHaveResourceWithProperties(AzContainerRegistry, {
      name: 'crfrauddevabc123',
      admin_enabled: false,
      anonymous_pull_enabled: false,
      sku: 'Basic',
    });
  });

  test('ML workspace: system identity wired to App Insights, Key Vault, storage and ACR', () => {
    expect(synth).toHaveResourceWithProperties(MachineLearningWorkspace, {
      name: 'mlw-fraud-dev',
      identity: { type: 'SystemAssigned' },
      application_insights_id: ref(p.appInsights.resource, 'id'),
      key_vault_id: ref(p.keyVault.resource, 'id'),
      storage_account_id: ref(p.storage.resource, 'id'),
      container_registry_id: ref(p.containerRegistry.resource, 'id'),
      lifecycle: { prevent_destroy: true },
    });
  });

  test('workspace identity gets blob, Key Vault and ACR push roles as a service principal', () => {
    const principal = ref(p.workspace.resource, 'identity[0].principal_id');
    for (const [role, scope] of [
      ['Storage Blob Data Contributor', ref(p.storage.resource, 'id')],
      ['Key Vault Administrator', ref(p.keyVault.resource, 'id')],
      ['AcrPush', ref(p.containerRegistry.resource, 'id')],
    ]) {
      expect(synth).toHaveResourceWithProperties(RoleAssignment, {
        role_definition_name: role,
        scope,
        principal_id: principal,
        principal_type: 'ServicePrincipal',
      });
    }
    expect(p.workspace.principalId).toContain('TfToken');
  });

  test('one grant method on every grantable resource: the role, scoped to the resource, under the caller id', () => {
    const q = fullPlatform();
    const assignments = [
      q.containerRegistry.grant('EndpointPull', 'AcrPull', managedIdentity('pid-1')),
      q.keyVault.grant('ServiceSecrets', 'Key Vault Secrets User', managedIdentity('pid-2')),
      q.keyVault.grant('Deployer', 'Key Vault Secrets Officer', { principalId: 'pid-3' }),
      q.storage.grant('Reader', 'Storage Blob Data Reader', { principalId: 'pid-4', principalType: 'User' }),
      q.appInsights.grant('Publisher', 'Monitoring Metrics Publisher', managedIdentity('pid-5')),
      q.workspace.grant('Scientist', 'AzureML Data Scientist', {
        principalId: 'pid-6',
        principalType: 'Group',
      }),
    ];
    expect(assignments.map((a) => a.node.path)).toEqual([
      'platform/Acr/EndpointPull',
      'platform/KeyVault/ServiceSecrets',
      'platform/KeyVault/Deployer',
      'platform/Storage/Reader',
      'platform/AppInsights/Publisher',
      'platform/Workspace/Scientist',
    ]);
    const all = (
      JSON.parse(Testing.synth(q.stack)) as {
        resource: { azurerm_role_assignment: Record<string, Record<string, unknown>> };
      }
    ).resource.azurerm_role_assignment;
    const byPrincipal = (pid: string) => Object.values(all).find((r) => r.principal_id === pid);
    const scope = (type: string) =>
      expect.stringMatching(new RegExp(`^\\$\\{${type}\\.[A-Za-z0-9_]+\\.id\\}$`));
    expect(byPrincipal('pid-1')).toMatchObject({
      role_definition_name: 'AcrPull',
      scope: scope('azurerm_container_registry'),
      principal_type: 'ServicePrincipal',
    });
    expect(byPrincipal('pid-2')).toMatchObject({
      role_definition_name: 'Key Vault Secrets User',
      scope: scope('azurerm_key_vault'),
    });
    // A grantee without a type (e.g. the deployer) sends none: Azure resolves it.
    expect(byPrincipal('pid-3')).toMatchObject({ role_definition_name: 'Key Vault Secrets Officer' });
    expect(byPrincipal('pid-3')?.principal_type).toBeUndefined();
    expect(byPrincipal('pid-4')).toMatchObject({
      scope: scope('azurerm_storage_account'),
      principal_type: 'User',
    });
    expect(byPrincipal('pid-5')).toMatchObject({ scope: scope('azurerm_application_insights') });
    expect(byPrincipal('pid-6')).toMatchObject({
      scope: scope('azurerm_machine_learning_workspace'),
      principal_type: 'Group',
    });
    expect(() => q.containerRegistry.grant('EndpointPull', 'AcrPull', managedIdentity('pid-7'))).toThrow(
      /EndpointPull/,
    );
    // @ts-expect-error a role of another resource type does not type-check
    q.keyVault.grant('Wrong', 'AcrPull', managedIdentity('pid-8'));
  });

  test('metric helpers return MetricRefs with namespace, name and default aggregation', () => {
    expect(p.keyVault.metricAvailability()).toMatchObject({
      namespace: 'Microsoft.KeyVault/vaults',
      name: 'Availability',
      aggregation: 'Average',
    });
    expect(p.keyVault.metricApiLatency('Maximum').aggregation).toBe('Maximum');
    expect(p.storage.metricTransactions()).toMatchObject({ name: 'Transactions', aggregation: 'Total' });
    expect(p.storage.metricAvailability().namespace).toBe('Microsoft.Storage/storageAccounts');
    expect(p.containerRegistry.metricSuccessfulPulls().name).toBe('SuccessfulPullCount');
    expect(p.containerRegistry.metricStorageUsed().name).toBe('StorageUsed');
    expect(p.appInsights.metricRequestDuration()).toMatchObject({
      namespace: 'microsoft.insights/components',
      name: 'requests/duration',
    });
    expect(p.appInsights.metricFailedRequests().aggregation).toBe('Count');
    expect(p.appInsights.metricServerExceptions().name).toBe('exceptions/server');
    expect(p.workspace.metricFailedRuns()).toMatchObject({
      namespace: 'Microsoft.MachineLearningServices/workspaces',
      name: 'Failed Runs',
    });
    expect(p.logAnalytics.metric('Heartbeat').namespace).toBe('Microsoft.OperationalInsights/workspaces');
    expect(p.workspace.metricFailedRuns().resourceId).toBe(p.workspace.workspaceId);
  });

  test('storage containers are private and named by the rule', () => {
    const q = fullPlatform();
    q.storage.addContainer('BuildContexts', 'build-contexts');
    expect(Testing.synth(q.stack)).toHaveResourceWithProperties(StorageContainer, {
      name: 'build-contexts',
      container_access_type: 'private',
      storage_account_id: ref(q.storage.resource, 'id'),
    });
    expect(() => q.storage.addContainer('Bad', 'Build_Contexts')).toThrow(
      /storage container name 'Build_Contexts' breaks the rule: 3-63 lowercase/,
    );
    expect(q.storage.blobUrl('build-contexts', 'a/')).toMatch(/build-contexts\/a\/$/);
  });
});

describe('Diagnostics', () => {
  test('sends allLogs and AllMetrics to Log Analytics by default', () => {
    const { stack, resourceGroup } = setup();
    const la = new LogAnalytics(stack, 'La', { resourceGroup, name: 'log-fraud-dev' });
    const laId = ref(la.resource, 'id');
    new Diagnostics(stack, 'Diag', { targetResourceId: '/target', logAnalytics: la });
    new Diagnostics(stack, 'MetricsOnly', {
      targetResourceId: '/st',
      logAnalytics: la,
      logCategoryGroups: [],
      metricCategories: ['Transaction'],
      destinationType: 'Dedicated',
    });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      name: 'to-log-analytics',
      target_resource_id: '/target',
      log_analytics_workspace_id: laId,
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    expect(out).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: '/st',
      enabled_metric: [{ category: 'Transaction' }],
      log_analytics_destination_type: 'Dedicated',
    });
  });

  test('rejects a setting with nothing to send and a bad name', () => {
    const { stack, resourceGroup } = setup();
    const la = new LogAnalytics(stack, 'La', { resourceGroup, name: 'log-fraud-dev' });
    expect(
      () =>
        new Diagnostics(stack, 'Empty', {
          targetResourceId: '/t',
          logAnalytics: la,
          logCategoryGroups: [],
          metricCategories: [],
        }),
    ).toThrow(/at least one log category group or metric category/);
    expect(
      () => new Diagnostics(stack, 'BadName', { targetResourceId: '/t', logAnalytics: la, name: 'a/b' }),
    ).toThrow(/diagnostic setting name 'a\/b'/);
  });
});

describe('platform construct validation', () => {
  test.each<[string, (s: ReturnType<typeof setup>) => void, RegExp]>([
    [
      'log retention',
      (s) =>
        new LogAnalytics(s.stack, 'x', {
          resourceGroup: s.resourceGroup,
          name: 'log-x-dev',
          retentionDays: 10,
        }),
      /retentionDays must be an integer from 30 to 730, got 10/,
    ],
    [
      'log analytics name',
      (s) => new LogAnalytics(s.stack, 'x', { resourceGroup: s.resourceGroup, name: 'l' }),
      /Log Analytics workspace name 'l'/,
    ],
    [
      'key vault soft delete',
      (s) =>
        new KeyVault(s.stack, 'x', {
          resourceGroup: s.resourceGroup,
          name: 'kv-ok-name',
          tenantId: 't',
          softDeleteRetentionDays: 5,
        }),
      /softDeleteRetentionDays must be an integer from 7 to 90, got 5/,
    ],
    [
      'key vault name',
      (s) => new KeyVault(s.stack, 'x', { resourceGroup: s.resourceGroup, name: 'kv_bad', tenantId: 't' }),
      /Key Vault name 'kv_bad'/,
    ],
    [
      'storage soft delete',
      (s) =>
        new SecureStorage(s.stack, 'x', { resourceGroup: s.resourceGroup, name: 'stok', softDeleteDays: 0 }),
      /softDeleteDays must be an integer from 1 to 365, got 0/,
    ],
    [
      'storage name',
      (s) => new SecureStorage(s.stack, 'x', { resourceGroup: s.resourceGroup, name: 'st-bad' }),
      /storage account name 'st-bad'/,
    ],
    [
      'acr private needs premium',
      (s) =>
        new ContainerRegistry(s.stack, 'x', {
          resourceGroup: s.resourceGroup,
          name: 'crokname',
          publicNetworkAccessEnabled: false,
        }),
      /sku 'Basic' cannot disable public network access; use 'Premium'/,
    ],
    [
      'acr name',
      (s) => new ContainerRegistry(s.stack, 'x', { resourceGroup: s.resourceGroup, name: 'cr-bad' }),
      /container registry name 'cr-bad'/,
    ],
  ])('rejects %s', (_label, build, message) => {
    expect(() => build(setup())).toThrow(message);
  });

  test('prevent_destroy can be switched off for stateful resources', () => {
    const { stack, resourceGroup } = setup();
    new SecureStorage(stack, 'Storage', { resourceGroup, name: 'stfrauddev', preventDestroy: false });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(StorageAccount, {
      lifecycle: { prevent_destroy: false },
    });
  });
});
