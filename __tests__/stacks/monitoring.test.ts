/**
 * The monitoring of an environment, synthesized once per suite from a fixed test rollout with a
 * canary (never stacks/rollout.ts): for every alert its query or metric, dimensions, threshold and
 * action group; the action group's receivers; the workbook; the daily drift job.
 */
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';
import type { EnvironmentRollout } from '../../constructs/serving/rollout-validation';
import { buildApp } from '../../stacks/app';
import { DRIFT_JOB_COMMAND } from '../../stacks/drift-job';
import {
  DEFAULT_ALERT_THRESHOLDS,
  ENVIRONMENTS,
  EnvironmentConfig,
  EnvName,
  validateEnvironments,
} from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import { resolveThresholds, stableDeployment } from '../../stacks/monitoring';
import { validateSynthesizedAzapi } from '../helpers/azapi-schema';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';

type Block = Record<string, unknown>;
type StackJson = { resource: Record<string, Record<string, Block>> };

/** prod with a 10 % canary: the alerts must name deployments, not the endpoint as a whole. */
const CANARY: EnvironmentRollout = {
  deployments: {
    blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
    green: { model: 'fraud-detection-model:2', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
  },
  traffic: { blue: 90, green: 10 },
};

const PROD: EnvironmentConfig = {
  ...ENVIRONMENTS.prod,
  alerts: {
    receivers: [
      { name: 'oncall', email: 'oncall@example.com' },
      { name: 'slack', webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' },
      { name: 'pagerduty', webhookUrl: 'https://events.pagerduty.com/integration/abc/enqueue' },
    ],
    thresholds: { p95LatencyMs: 1500, cpuPercent: 80 },
  },
};

function synth(envName: EnvName, env: EnvironmentConfig, rollout: EnvironmentRollout) {
  const stack = new FraudStack(Testing.app(), `fraud-${envName}`, {
    envName,
    env,
    rollout,
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

const prod = synth('prod', PROD, CANARY);
const dev = synth('dev', ENVIRONMENTS.dev, TEST_ROLLOUTS.dev);

const resources = (parsed: StackJson, type: string): Record<string, Block> => parsed.resource[type] ?? {};
const byName = (parsed: StackJson, type: string, name: string): Block => {
  const found = Object.values(resources(parsed, type)).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0] as Block;
};
const ACTION_GROUP_REF = '${azurerm_monitor_action_group.Monitoring_ActionGroup_';

describe('action group (prod)', () => {
  const groups = Object.values(resources(prod.parsed, 'azurerm_monitor_action_group'));

  test('one group with every receiver, the common alert schema on each', () => {
    expect(groups).toHaveLength(1);
    const g = groups[0] as Block;
    expect(g).toMatchObject({ name: 'ag-fraud-prod', short_name: 'fraudprod', enabled: true });
    expect(g.email_receiver).toEqual([
      { name: 'oncall', email_address: 'oncall@example.com', use_common_alert_schema: true },
    ]);
    expect(g.webhook_receiver).toEqual([
      {
        name: 'slack',
        service_uri: 'https://hooks.slack.com/services/T000/B000/XXXX',
        use_common_alert_schema: true,
      },
      {
        name: 'pagerduty',
        service_uri: 'https://events.pagerduty.com/integration/abc/enqueue',
        use_common_alert_schema: true,
      },
    ]);
  });

  test('an environment without receivers still gets its group (alerts fire into Azure Monitor)', () => {
    const devGroups = Object.values(resources(dev.parsed, 'azurerm_monitor_action_group'));
    expect(devGroups).toHaveLength(1);
    expect(devGroups[0]).toMatchObject({ name: 'ag-fraud-dev', email_receiver: [], webhook_receiver: [] });
  });
});

describe('receiver validation fails synth, naming environment and receiver', () => {
  const withReceivers = (receivers: NonNullable<EnvironmentConfig['alerts']>['receivers']) => ({
    ...ENVIRONMENTS,
    staging: { ...ENVIRONMENTS.staging, alerts: { receivers } },
  });

  test.each([
    [
      'malformed e-mail',
      [{ name: 'oncall', email: 'oncall(at)example.com' }],
      /staging\.alerts\.receivers\[0\]\.email = "oncall\(at\)example\.com": must be an e-mail address \(receiver "oncall"\)/,
    ],
    [
      'webhook over http',
      [{ name: 'teams', webhookUrl: 'http://example.webhook.office.com/x' }],
      /staging\.alerts\.receivers\[0\]\.webhookUrl = "http:\/\/example\.webhook\.office\.com\/x": must be an https:\/\/ URL \(receiver "teams"\)/,
    ],
  ])('%s', (_, receivers, message) => {
    expect(() => validateEnvironments(withReceivers(receivers))).toThrow(message);
    // The app validates before any stack is built: synth never starts.
    expect(() => buildApp({ environments: withReceivers(receivers), rollout: TEST_ROLLOUTS })).toThrow(
      message,
    );
  });

  test.each([
    [
      'errorRatePercent',
      0,
      /prod\.alerts\.thresholds\.errorRatePercent = 0: must be a number above 0 and below 100/,
    ],
    ['availabilityPercent', 100, /availabilityPercent = 100: must be a number above 0 and below 100/],
    ['cpuPercent', 101, /cpuPercent = 101: must be a number above 0 and at most 100/],
    ['p95LatencyMs', -1, /p95LatencyMs = -1: must be a positive number of milliseconds/],
    ['minRequests', 2.5, /minRequests = 2.5: must be an integer from 1 to 1000000/],
    ['atMaxInstancesMinutes', 20, /atMaxInstancesMinutes = 20: must be 15, 30 or 60/],
  ])('threshold %s = %p is refused', (field, value, message) => {
    const envs = {
      ...ENVIRONMENTS,
      prod: { ...ENVIRONMENTS.prod, alerts: { thresholds: { [field]: value } } },
    };
    expect(() => validateEnvironments(envs as Record<EnvName, EnvironmentConfig>)).toThrow(message);
  });
});

describe('alerts (prod, blue 90 / green 10)', () => {
  const logAlert = (name: string) =>
    byName(prod.parsed, 'azurerm_monitor_scheduled_query_rules_alert_v2', name);
  const metricAlert = (name: string) => byName(prod.parsed, 'azurerm_monitor_metric_alert', name);
  const criteria = (a: Block) => (a.criteria as Block[])[0] as Block;

  test('every alert notifies the action group and resolves by itself', () => {
    const logs = Object.values(resources(prod.parsed, 'azurerm_monitor_scheduled_query_rules_alert_v2'));
    const metrics = Object.values(resources(prod.parsed, 'azurerm_monitor_metric_alert'));
    // error rate, availability, drift, canary rollback (__tests__/scripts/canary-azure.test.ts);
    // latency + per deployment cpu, memory, at-max (2 x 3)
    expect(logs).toHaveLength(4);
    expect(metrics).toHaveLength(7);
    for (const a of logs) {
      expect((a.action as Block).action_groups).toEqual([expect.stringContaining(ACTION_GROUP_REF)]);
      expect(a.auto_mitigation_enabled).toBe(true);
      // tables appear with their first rows: a validated query would fail the first apply
      expect(a.skip_query_validation).toBe(true);
      expect(a.scopes).toEqual([expect.stringContaining('${azurerm_log_analytics_workspace.')]);
    }
    for (const a of metrics) {
      expect(a.action).toEqual([{ action_group_id: expect.stringContaining(ACTION_GROUP_REF) }]);
      expect(a.auto_mitigate).toBe(true);
    }
  });

  test('error rate: 5xx share per deployment from the traffic log, > 5 % over 5 min, sev 1', () => {
    const a = logAlert('fraud-prod-error-rate');
    expect(a).toMatchObject({ severity: 1, evaluation_frequency: 'PT5M', window_duration: 'PT5M' });
    const c = criteria(a);
    expect(c).toMatchObject({
      operator: 'GreaterThan',
      threshold: 5,
      time_aggregation_method: 'Maximum',
      metric_measure_column: 'error_rate_percent',
      dimension: [{ name: 'DeploymentName', operator: 'Include', values: ['*'] }],
    });
    const q = c.query as string;
    expect(q).toMatch(/^AmlOnlineEndpointTrafficLog\n\| where EndpointName == "fraud-prod-[0-9a-z]+"/);
    expect(q).toContain('errors = countif(toint(ResponseCode) >= 500) by DeploymentName');
    expect(q).toContain(`| where requests >= ${DEFAULT_ALERT_THRESHOLDS.minRequests}`);
    expect(q).toContain('error_rate_percent = 100.0 * errors / requests');
  });

  test('availability: answered share (not 5xx, not 429) per deployment, < 99 % over 5 min, sev 1', () => {
    const a = logAlert('fraud-prod-availability');
    expect(a).toMatchObject({ severity: 1, evaluation_frequency: 'PT5M', window_duration: 'PT5M' });
    const c = criteria(a);
    expect(c).toMatchObject({
      operator: 'LessThan',
      threshold: 99,
      time_aggregation_method: 'Minimum',
      metric_measure_column: 'availability_percent',
      dimension: [{ name: 'DeploymentName', operator: 'Include', values: ['*'] }],
    });
    expect(c.query).toContain('failed = countif(code >= 500 or code == 429)');
    expect(c.query).toContain('"(unrouted)"');
  });

  test('P95 latency: endpoint metric split by deployment, the environment threshold (1500 ms), sev 2', () => {
    const a = metricAlert('fraud-prod-latency-p95');
    expect(a).toMatchObject({ severity: 2, frequency: 'PT1M', window_size: 'PT5M' });
    expect(a.scopes).toEqual([
      expect.stringMatching(/^\$\{azapi_resource\.Serving_Endpoint_[A-Z0-9]+\.id\}$/),
    ]);
    expect(a.criteria).toEqual([
      {
        metric_namespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
        metric_name: 'RequestLatency_P95',
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold: 1500,
        dimension: [{ name: 'deployment', operator: 'Include', values: ['*'] }],
      },
    ]);
  });

  test('drift: latest model_drift_detected per model of this environment, > 0, hourly over 2 days', () => {
    const a = logAlert('fraud-prod-drift');
    expect(a).toMatchObject({ severity: 2, evaluation_frequency: 'PT1H', window_duration: 'P2D' });
    const c = criteria(a);
    expect(c).toMatchObject({
      operator: 'GreaterThan',
      threshold: 0,
      metric_measure_column: 'drift_detected',
      dimension: [{ name: 'model', operator: 'Include', values: ['*'] }],
    });
    expect(c.query).toBe(
      [
        'AppMetrics',
        '| where Name == "model_drift_detected"',
        '| extend environment = tostring(Properties.environment), model = tostring(Properties.model)',
        '| where environment == "prod"',
        '| summarize arg_max(TimeGenerated, Max) by model',
        '| project model, drift_detected = Max',
      ].join('\n'),
    );
  });

  test.each(['blue', 'green'])('deployment %s: its own CPU, memory and at-max alerts', (d) => {
    const deploymentRef = expect.stringMatching(
      new RegExp(`^\\$\\{azapi_resource\\.Serving_Endpoint_Deployments_${d}_[A-Z0-9]+\\.id\\}$`),
    );
    const cpu = metricAlert(`fraud-prod-${d}-cpu`);
    expect(cpu).toMatchObject({
      severity: 2,
      frequency: 'PT5M',
      window_size: 'PT15M',
      scopes: [deploymentRef],
    });
    expect(cpu.criteria).toEqual([
      {
        metric_namespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments',
        metric_name: 'CpuUtilizationPercentage',
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold: 80,
        dimension: [],
      },
    ]);
    const memory = metricAlert(`fraud-prod-${d}-memory`);
    expect(memory).toMatchObject({
      severity: 2,
      frequency: 'PT1M',
      window_size: 'PT5M',
      scopes: [deploymentRef],
    });
    expect(memory.criteria).toEqual([
      expect.objectContaining({
        metric_name: 'CpuMemoryUtilizationPercentage',
        aggregation: 'Maximum',
        operator: 'GreaterThan',
        threshold: 90,
      }),
    ]);
    const atMax = metricAlert(`fraud-prod-${d}-at-max`);
    expect(atMax).toMatchObject({ severity: 2, frequency: 'PT5M', window_size: 'PT30M' });
    expect(atMax.scopes).toEqual([
      expect.stringMatching(new RegExp(`^\\$\\{azurerm_monitor_autoscale_setting\\.Serving_Autoscale_${d}_`)),
    ]);
    expect(atMax.criteria).toEqual([
      {
        metric_namespace: 'microsoft.insights/autoscalesettings',
        metric_name: 'ObservedCapacity',
        aggregation: 'Minimum',
        operator: 'GreaterThanOrEqual',
        threshold: 10, // prod autoscale maximum
        dimension: [],
      },
    ]);
  });

  test('the traffic log reaches its own table in the workspace', () => {
    const diag = Object.values(resources(prod.parsed, 'azurerm_monitor_diagnostic_setting')).filter(
      (d) => d.name === 'traffic-to-log-analytics',
    );
    expect(diag).toEqual([
      expect.objectContaining({
        target_resource_id: expect.stringContaining('${azapi_resource.Serving_Endpoint_'),
        log_analytics_destination_type: 'Dedicated',
        enabled_log: [{ category: 'AmlOnlineEndpointTrafficLog' }],
      }),
    ]);
  });

  test('thresholds: environment values over the defaults, the rest the originals', () => {
    expect(prod.stack.monitoring.thresholds).toEqual({
      ...DEFAULT_ALERT_THRESHOLDS,
      p95LatencyMs: 1500,
      cpuPercent: 80,
    });
    expect(resolveThresholds(undefined)).toEqual({
      errorRatePercent: 5,
      p95LatencyMs: 2000,
      availabilityPercent: 99,
      minRequests: 20,
      cpuPercent: 85,
      memoryPercent: 90,
      atMaxInstancesMinutes: 30,
    });
  });
});

describe('workbook', () => {
  const workbooks = Object.values(resources(prod.parsed, 'azurerm_application_insights_workbook'));

  test('one workbook with a stable UUID name, on the workspace', () => {
    expect(workbooks).toHaveLength(1);
    const w = workbooks[0] as Block;
    expect(w.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(w.source_id).toMatch(/^\$\{lower\(azurerm_log_analytics_workspace\..+\.id\)\}$/);
    expect(w.display_name).toBe('Fraud model monitoring (prod)');
    // Another synth gives the same name (no random provider).
    const again = JSON.parse(synth('prod', PROD, CANARY).json) as StackJson;
    expect(Object.values(resources(again, 'azurerm_application_insights_workbook'))[0]?.name).toBe(w.name);
  });

  test("the original's views", () => {
    const doc = JSON.parse((workbooks[0] as Block).data_json as string) as {
      version: string;
      items: {
        type: number;
        customWidth?: string;
        content: { title?: string; query?: string; visualization?: string };
      }[];
    };
    expect(doc.version).toBe('Notebook/1.0');
    const queries = doc.items
      .filter((i) => i.type === 3)
      .map((i) => ({ ...i.content, width: i.customWidth }));
    const byTitle = (re: RegExp) => {
      const q = queries.find((x) => re.test(x.title ?? ''));
      expect(q).toBeDefined();
      return q as { query: string; visualization: string; width?: string };
    };
    expect(byTitle(/Latency percentiles/).query).toContain(
      'p50 = percentile(TotalDurationMs, 50), p95 = percentile(TotalDurationMs, 95), p99 = percentile(TotalDurationMs, 99) by DeploymentName',
    );
    const requests = byTitle(/^Requests per deployment/);
    const errors = byTitle(/^Error rate/);
    expect([requests.width, errors.width]).toEqual(['50', '50']); // side by side
    expect(requests.query).toContain('by DeploymentName, bin(TimeGenerated, 5m)');
    expect(errors.query).toMatch(/project TimeGenerated, DeploymentName, error_rate_percent$/);
    expect(byTitle(/prediction scores/)).toMatchObject({ visualization: 'barchart' });
    expect(byTitle(/prediction scores/).query).toContain('Name == "scoring_pred_proba"');
    const drift = byTitle(/Drift status per feature/);
    expect(drift.visualization).toBe('table');
    expect(drift.query).toContain('Name == "model_drift_feature_statistic"');
    expect(drift.query).toContain('arg_max(TimeGenerated, *) by model, feature, test');
  });
});

describe('daily drift job', () => {
  const schedules = Object.values(resources(prod.parsed, 'azapi_resource')).filter(
    (r) =>
      r.type === 'Microsoft.MachineLearningServices/workspaces/schedules@2026-05-01' &&
      r.name === 'fraud-daily-drift',
  );

  test('every azapi body passes the schema', () => {
    expect(validateSynthesizedAzapi(prod.json)).toEqual([]);
    expect(validateSynthesizedAzapi(dev.json)).toEqual([]);
  });

  test('06:00 UTC every day, the drift CLI on the jobs cluster, the stable deployment model', () => {
    expect(schedules).toHaveLength(1);
    const props = ((schedules[0] as Block).body as Block).properties as Block;
    expect(props.trigger).toEqual({ triggerType: 'Cron', expression: '0 6 * * *', timeZone: 'UTC' });
    expect(props.isEnabled).toBe(true);
    const job = (props.action as Block).jobDefinition as Block;
    // Terraform unescapes `$${{` to `${{`; nothing else is escaped (no quotes, no backslashes).
    expect(job.command).toBe(DRIFT_JOB_COMMAND.split('${{').join('$${{'));
    expect(job.command).not.toMatch(/["\\]/);
    expect(job.computeId).toEqual(expect.stringContaining('Jobs_Cluster'));
    expect(job.codeId).toEqual(expect.stringContaining('DriftJob_Code'));
    expect(job.inputs).toEqual({
      model: {
        jobInputType: 'custom_model',
        mode: 'ReadOnlyMount',
        // blue has 90 %: the stable side's model
        uri: expect.stringMatching(
          /^azureml:\/\/registries\/.+\/models\/fraud-detection-model\/versions\/1$/,
        ),
      },
      environment: { jobInputType: 'literal', value: 'prod' },
    });
    expect(job.environmentVariables).toEqual({
      ORT_DISABLE_TELEMETRY: '1',
      LOG_ANALYTICS_WORKSPACE_ID: expect.stringContaining('.workspace_id}'),
    });
  });

  test('the connection string travels only in sensitive_body', () => {
    const s = schedules[0] as Block;
    expect(JSON.stringify(s.body)).not.toContain('connection_string');
    expect(s.sensitive_body).toEqual({
      properties: {
        action: {
          jobDefinition: {
            environmentVariables: {
              APPLICATIONINSIGHTS_CONNECTION_STRING: expect.stringContaining('.connection_string}'),
            },
          },
        },
      },
    });
  });

  test('the cluster identity may read the logs and the registry model', () => {
    const grants = Object.values(resources(prod.parsed, 'azurerm_role_assignment'));
    expect(grants).toContainEqual(
      expect.objectContaining({
        role_definition_name: 'Log Analytics Reader',
        scope: expect.stringContaining('${azurerm_log_analytics_workspace.'),
        principal_id: expect.stringContaining('Jobs_Cluster'),
      }),
    );
    expect(grants).toContainEqual(
      expect.objectContaining({
        role_definition_name: 'AzureML Registry User',
        principal_id: expect.stringContaining('Jobs_Cluster'),
      }),
    );
  });

  test('stable deployment: most live traffic, first on a tie or before any traffic', () => {
    expect(stableDeployment(CANARY)).toBe('blue');
    expect(stableDeployment({ ...CANARY, traffic: { blue: 10, green: 90 } })).toBe('green');
    expect(stableDeployment({ ...CANARY, notLiveYet: true, traffic: { blue: 0, green: 0 } })).toBe('blue');
    expect(stableDeployment({ deployments: {}, traffic: {} })).toBeUndefined();
  });
});
