/**
 * The monitoring constructs on their own: what each synthesizes from its props, and the values
 * Azure refuses, refused at synth with the allowed values named.
 */
import 'cdktf/lib/testing/adapters/jest';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  ActionGroup,
  actionGroupErrors,
  LogAlert,
  logAlertErrors,
  LogQueryRef,
  MetricAlert,
  metricAlertErrors,
  stableUuid,
  Workbook,
  workbookDocument,
} from '../../../constructs/monitoring';
import type { MetricRef } from '../../../constructs/core/metric';

type Block = Record<string, unknown>;

function synthOne(build: (scope: Construct) => void): Record<string, Record<string, Block>> {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  return (JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Block>> }).resource;
}
const only = (r: Record<string, Record<string, Block>>, type: string): Block => {
  const all = Object.values(r[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0] as Block;
};

const LATENCY: MetricRef = {
  resourceId:
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e',
  namespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
  name: 'RequestLatency_P95',
  aggregation: 'Average',
  dimensions: { deployment: ['*'] },
};
const QUERY: LogQueryRef = {
  workspaceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log',
  query: 'T | summarize v = count() by D',
  measureColumn: 'v',
  aggregation: 'Maximum',
  dimensions: ['D'],
};

describe('ActionGroup', () => {
  test('e-mail and webhook receivers, each with the common alert schema', () => {
    const r = synthOne((s) => {
      new ActionGroup(s, 'Ag', {
        name: 'ag-x',
        shortName: 'x',
        resourceGroupName: 'rg',
        receivers: [
          { name: 'teams', webhookUrl: 'https://example.webhook.office.com/a' },
          { name: 'ops', email: 'ops@example.com' },
        ],
      });
    });
    expect(only(r, 'azurerm_monitor_action_group')).toMatchObject({
      short_name: 'x',
      email_receiver: [{ name: 'ops', email_address: 'ops@example.com', use_common_alert_schema: true }],
      webhook_receiver: [
        { name: 'teams', service_uri: 'https://example.webhook.office.com/a', use_common_alert_schema: true },
      ],
    });
  });

  test('refuses a short name Azure refuses and a receiver with no or two targets', () => {
    expect(actionGroupErrors({ shortName: 'fraud-staging' })).toEqual([
      "shortName 'fraud-staging' must be 1..12 characters, got 13",
    ]);
    expect(actionGroupErrors({ shortName: 'x', receivers: [{ name: 'a' }] })).toEqual([
      "receiver 'a' must set exactly one of email or webhookUrl",
    ]);
    expect(() =>
      synthOne((s) => new ActionGroup(s, 'Ag', { name: 'n', shortName: '', resourceGroupName: 'rg' })),
    ).toThrow(/ActionGroup 'test\/Ag':\n- shortName '' must be 1\.\.12 characters/);
  });
});

describe('MetricAlert', () => {
  test('scopes, criterion and dimensions come from the MetricRef', () => {
    const r = synthOne((s) => {
      new MetricAlert(s, 'A', {
        name: 'lat',
        resourceGroupName: 'rg',
        metric: LATENCY,
        operator: 'GreaterThan',
        threshold: 2000,
        severity: 2,
        frequency: 'PT1M',
        windowSize: 'PT5M',
        actionGroupIds: ['ag-id'],
        description: 'd',
      });
    });
    expect(only(r, 'azurerm_monitor_metric_alert')).toMatchObject({
      scopes: [LATENCY.resourceId],
      severity: 2,
      frequency: 'PT1M',
      window_size: 'PT5M',
      auto_mitigate: true,
      action: [{ action_group_id: 'ag-id' }],
      criteria: [
        {
          metric_namespace: LATENCY.namespace,
          metric_name: 'RequestLatency_P95',
          aggregation: 'Average',
          operator: 'GreaterThan',
          threshold: 2000,
          dimension: [{ name: 'deployment', operator: 'Include', values: ['*'] }],
        },
      ],
    });
  });

  test('refuses what azurerm refuses, naming the allowed values', () => {
    const ok = { frequency: 'PT1M', windowSize: 'PT5M', severity: 2, threshold: 1, metric: LATENCY } as const;
    expect(metricAlertErrors(ok)).toEqual([]);
    expect(metricAlertErrors({ ...ok, frequency: 'PT10M' as never })).toEqual([
      "frequency 'PT10M' must be one of PT1M, PT5M, PT15M, PT30M, PT1H",
    ]);
    expect(metricAlertErrors({ ...ok, frequency: 'PT15M', windowSize: 'PT5M' })).toEqual([
      'windowSize PT5M must be at least the frequency PT15M',
    ]);
    expect(metricAlertErrors({ ...ok, severity: 5 as never, threshold: Number.NaN })).toEqual([
      'severity 5 must be an integer 0..4',
      'threshold NaN must be a finite number',
    ]);
    expect(metricAlertErrors({ ...ok, metric: { ...LATENCY, dimensions: { deployment: [] } } })).toEqual([
      "dimension 'deployment' needs at least one value ('*' for every value)",
    ]);
  });
});

describe('LogAlert', () => {
  test('query, measure, split and action group', () => {
    const r = synthOne((s) => {
      new LogAlert(s, 'A', {
        name: 'err',
        resourceGroupName: 'rg',
        location: 'westeurope',
        query: QUERY,
        operator: 'GreaterThan',
        threshold: 5,
        severity: 1,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT5M',
        actionGroupIds: ['ag-id'],
        description: 'd',
      });
    });
    expect(only(r, 'azurerm_monitor_scheduled_query_rules_alert_v2')).toMatchObject({
      scopes: [QUERY.workspaceId],
      auto_mitigation_enabled: true,
      skip_query_validation: false,
      action: { action_groups: ['ag-id'] },
      criteria: [
        {
          query: QUERY.query,
          time_aggregation_method: 'Maximum',
          metric_measure_column: 'v',
          operator: 'GreaterThan',
          threshold: 5,
          dimension: [{ name: 'D', operator: 'Include', values: ['*'] }],
        },
      ],
    });
  });

  test('refuses what azurerm refuses', () => {
    const ok = {
      evaluationFrequency: 'PT5M',
      windowDuration: 'PT5M',
      severity: 1,
      threshold: 1,
      query: QUERY,
    } as const;
    expect(logAlertErrors(ok)).toEqual([]);
    expect(logAlertErrors({ ...ok, windowDuration: 'P3D' as never })).toEqual([
      expect.stringMatching(/^windowDuration 'P3D' must be one of PT1M, .*, P1D, P2D$/),
    ]);
    expect(logAlertErrors({ ...ok, evaluationFrequency: 'PT1H', windowDuration: 'PT30M' })).toEqual([
      'windowDuration PT30M must be at least the evaluationFrequency PT1H',
    ]);
    expect(logAlertErrors({ ...ok, query: { ...QUERY, query: ' ', measureColumn: '' } })).toEqual([
      'query must not be empty',
      'measureColumn is required for the Maximum aggregation',
    ]);
  });
});

describe('Workbook', () => {
  test('a stable lower-case UUID from the seed; different seeds differ', () => {
    const a = stableUuid('fraud-prod/model-monitoring');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('fraud-prod/model-monitoring')).toBe(a);
    expect(stableUuid('fraud-dev/model-monitoring')).not.toBe(a);
  });

  test('markdown and query items in the Notebook/1.0 format, half-width items side by side', () => {
    const doc = workbookDocument(
      [
        { kind: 'markdown', text: '# t' },
        { kind: 'query', title: 'q', query: 'T', visualization: 'timechart', widthPercent: 50 },
      ],
      'ws-id',
    );
    expect(doc).toEqual({
      version: 'Notebook/1.0',
      isLocked: false,
      fallbackResourceIds: ['ws-id'],
      items: [
        { type: 1, name: 'text - 0', content: { json: '# t' } },
        {
          type: 3,
          name: 'query - 1',
          customWidth: '50',
          content: {
            version: 'KqlItem/1.0',
            title: 'q',
            query: 'T',
            size: 0,
            timeContext: { durationMs: 86_400_000 },
            queryType: 0,
            resourceType: 'microsoft.operationalinsights/workspaces',
            crossComponentResources: ['ws-id'],
            visualization: 'timechart',
          },
        },
      ],
    });
  });

  test('synthesizes the workbook with a lower-cased source id; refuses empty or bad items', () => {
    const r = synthOne((s) => {
      new Workbook(s, 'W', {
        seed: 'x',
        displayName: 'X',
        resourceGroupName: 'rg',
        location: 'westeurope',
        workspaceId: '/subscriptions/S/resourceGroups/RG/providers/x/y/Z',
        items: [{ kind: 'markdown', text: 'hi' }],
      });
    });
    const w = only(r, 'azurerm_application_insights_workbook');
    expect(w).toMatchObject({ name: stableUuid('x'), display_name: 'X', category: 'workbook' });
    expect(w.source_id).toBe('${lower("/subscriptions/S/resourceGroups/RG/providers/x/y/Z")}');
    expect(() =>
      synthOne(
        (s) =>
          new Workbook(s, 'W', {
            seed: 'x',
            displayName: 'X',
            resourceGroupName: 'rg',
            location: 'l',
            workspaceId: 'w',
            items: [{ kind: 'query', title: 't', query: ' ', visualization: 'table', widthPercent: 0 }],
          }),
      ),
    ).toThrow(/items\[0\] 't': empty query\n- items\[0\] 't': widthPercent 0 must be in \(0, 100\]/);
  });
});
