/**
 * `npm run canary` in Azure, against one local HTTPS server standing in for Log Analytics' query
 * API, ARM and Application Insights ingestion: `analyze --env dev --subscription S` finds the
 * endpoint and the workspace by the deterministic names alone (resource-centric query), and
 * `notify` reads the component's connection string through ARM and sends the `canary_rollback`
 * signal through the real SDK. The CLI runs in a child (NODE_EXTRA_CA_CERTS is read at start).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import { Testing } from 'cdktf';
import { CANARY_ROLLBACK_METRIC, canaryRollbackKql } from '../../model/canary/rollback-signal';
import { azureTargets, runCanaryCli } from '../../scripts/canary';
import { resourceName } from '../../scripts/names';
import { ENVIRONMENTS } from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';
import { REPO } from '../service/helpers';
import { selfSignedCert } from '../helpers/self-signed-cert';

const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const SUB = '00000000-0000-0000-0000-0000000000aa';
const ROLLOUT = `export const ROLLOUT = {
  dev: {
    deployments: {
      blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS2_v2', instanceCount: 1 },
      green: { model: 'fraud-detection-model:v2', instanceType: 'Standard_DS2_v2', instanceCount: 1 },
    },
    traffic: { blue: 90, green: 10 },
  },
  staging: { deployments: { blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS3_v2', instanceCount: 1 } }, traffic: { blue: 100 } },
  prod: { deployments: { blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS3_v2', instanceCount: 2 } }, traffic: { blue: 100 } },
};
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-azure-'));
  fs.mkdirSync(path.join(dir, 'root', 'stacks'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'root', 'stacks', 'rollout.ts'), ROLLOUT);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the Azure names follow from the environment and the subscription', () => {
  const t = azureTargets('dev', SUB);
  expect(t).toEqual({
    subscriptionId: SUB,
    resourceGroup: 'rg-fraud-dev',
    endpoint: resourceName('endpoint', 'dev'),
    logAnalyticsResourceId: `/subscriptions/${SUB}/resourceGroups/rg-fraud-dev/providers/Microsoft.OperationalInsights/workspaces/log-fraud-dev`,
    appInsightsResourceId: `/subscriptions/${SUB}/resourceGroups/rg-fraud-dev/providers/Microsoft.Insights/components/appi-fraud-dev`,
  });
});

type Block = Record<string, unknown>;

test('the synthesized stack has those names, and the rollback alert fires the action group at severity 1', () => {
  const stack = new FraudStack(Testing.app(), 'fraud-dev', {
    envName: 'dev',
    env: ENVIRONMENTS.dev,
    rollout: TEST_ROLLOUTS.dev,
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const parsed = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Block>> };
  const one = (type: string, where: (r: Block) => boolean = () => true): Block => {
    const found = Object.values(parsed.resource[type] ?? {}).filter(where);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const t = azureTargets('dev', SUB);
  expect(one('azurerm_resource_group').name).toBe(t.resourceGroup);
  expect(one('azurerm_log_analytics_workspace').name).toBe(t.logAnalyticsResourceId.split('/').pop());
  expect(one('azurerm_application_insights').name).toBe(t.appInsightsResourceId.split('/').pop());
  const endpoint = one('azapi_resource', (r) =>
    String(r.type).startsWith('Microsoft.MachineLearningServices/workspaces/onlineEndpoints@'),
  );
  expect(endpoint.name).toBe(t.endpoint);

  const alert = one(
    'azurerm_monitor_scheduled_query_rules_alert_v2',
    (r) => r.name === 'fraud-dev-canary-rollback',
  );
  expect(alert).toMatchObject({
    severity: 1,
    evaluation_frequency: 'PT5M',
    window_duration: 'PT30M',
    auto_mitigation_enabled: true,
    skip_query_validation: true,
  });
  expect(alert.scopes).toEqual([expect.stringContaining('${azurerm_log_analytics_workspace.')]);
  expect((alert.action as Block).action_groups).toEqual([
    expect.stringContaining('${azurerm_monitor_action_group.Monitoring_ActionGroup_'),
  ]);
  expect((alert.criteria as Block[])[0]).toMatchObject({
    query: canaryRollbackKql('dev'),
    operator: 'GreaterThan',
    threshold: 0,
    time_aggregation_method: 'Total',
    metric_measure_column: 'rollbacks',
    dimension: [{ name: 'canary', operator: 'Include', values: ['*'] }],
  });
  expect(canaryRollbackKql('dev')).toBe(
    [
      'AppMetrics',
      '| where Name == "canary_rollback"',
      '| extend environment = tostring(Properties.environment), canary = tostring(Properties.canary)',
      '| where environment == "dev"',
      '| summarize rollbacks = sum(ItemCount) by canary',
    ].join('\n'),
  );
});

interface Envelope {
  data?: {
    baseType?: string;
    baseData?: { metrics?: { name: string; value: number }[]; properties?: Record<string, string> };
  };
}

test('analyze with --env alone rolls the worse canary back; notify sends the rollback signal', async () => {
  const tls = selfSignedCert(dir);
  const seen: { method: string; url: string; auth?: string; query?: string }[] = [];
  const received: Envelope[] = [];
  let port = 0;
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
      const url = req.url ?? '';
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (/\/v2(\.1)?\/track$/.test(url)) {
        const items = raw
          .toString('utf8')
          .split('\n')
          .filter((s) => s.trim())
          .flatMap((s) => [JSON.parse(s) as Envelope | Envelope[]].flat());
        received.push(...items);
        return send(200, { itemsReceived: items.length, itemsAccepted: items.length, errors: [] });
      }
      const entry = { method: req.method ?? '', url, auth: req.headers.authorization };
      if (url.endsWith('/query')) {
        const query = (JSON.parse(raw.toString('utf8')) as { query: string }).query;
        seen.push({ ...entry, query });
        const table = (columns: string[], rows: unknown[][]) => ({
          tables: [
            { name: 'PrimaryResult', columns: columns.map((name) => ({ name, type: 'string' })), rows },
          ],
        });
        if (query.startsWith('AmlOnlineEndpointTrafficLog')) {
          // green fails 10 % of its requests, blue 0.1 %.
          return send(
            200,
            table(
              ['DeploymentName', 'requests', 'errors', 'p95'],
              [
                ['blue', 2000, 2, 120],
                ['green', 2000, 200, 125],
              ],
            ),
          );
        }
        const rows = [0.05, 0.1, 0.2, 0.3, 0.4].flatMap((s) => [
          ['blue', s, 'fraud-detection-model:v1'],
          ['green', s, 'fraud-detection-model:v2'],
        ]);
        return send(200, table(['deployment', 'score', 'model'], rows));
      }
      seen.push(entry);
      if (
        req.method === 'GET' &&
        url.startsWith(
          `/subscriptions/${SUB}/resourceGroups/rg-fraud-dev/providers/Microsoft.Insights/components/appi-fraud-dev?`,
        )
      ) {
        return send(200, {
          properties: {
            ConnectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint=https://127.0.0.1:${port}/`,
          },
        });
      }
      send(404, { error: { code: 'NotFound', message: url } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  let out = '';
  let err = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        path.join(__dirname, 'canary-azure-child.ts'),
        `https://127.0.0.1:${port}`,
        path.join(dir, 'root'),
        SUB,
      ],
      {
        env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: tls.certPath, ORT_DISABLE_TELEMETRY: '1' },
      },
    );
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(err).toBe('');
  expect(code).toBe(0);
  const { analyze, notify } = JSON.parse(out) as Record<
    'analyze' | 'notify',
    { code: number; out: string; err: string }
  >;
  expect(analyze.err).toBe('');
  expect(analyze.code).toBe(1);
  expect(analyze.out).toMatch(/green .*ROLL BACK/);
  // Both queries ran resource-centric on the environment's workspace, with the endpoint's name.
  const queries = seen.filter((s) => s.query !== undefined);
  expect(queries).toHaveLength(2);
  for (const q of queries) {
    expect(q.url).toBe(`/v1${azureTargets('dev', SUB).logAnalyticsResourceId}/query`);
    expect(q.auth).toBe('Bearer test-token');
  }
  expect(queries.find((q) => q.query?.startsWith('AmlOnlineEndpointTrafficLog'))?.query).toContain(
    `EndpointName == "${resourceName('endpoint', 'dev')}"`,
  );
  // notify: the connection string came from ARM, the signal reached ingestion.
  expect(notify).toMatchObject({ code: 0, err: '' });
  expect(notify.out).toMatch(/sent 1 canary_rollback signal\(s\) for green in dev/);
  expect(seen.filter((s) => s.method === 'GET').map((s) => s.auth)).toEqual(['Bearer test-token']);
  const metrics = received
    .filter((e) => e.data?.baseType === 'MetricData')
    .flatMap((e) =>
      (e.data?.baseData?.metrics ?? []).map((m) => ({
        ...m,
        properties: e.data?.baseData?.properties ?? {},
      })),
    );
  expect(metrics).toHaveLength(1);
  expect(metrics[0]).toMatchObject({ name: CANARY_ROLLBACK_METRIC.name, value: 1 });
  expect(metrics[0].properties).toMatchObject({
    environment: 'dev',
    canary: 'green',
    stable: 'blue',
    canary_model: 'fraud-detection-model:v2',
  });
  expect(new Set(received.map((e) => e.data?.baseType))).toEqual(new Set(['MetricData']));
}, 90_000);

test('notify: nothing for a hold, a clear error for a missing or foreign verdict file', async () => {
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCanaryCli(args, {
      out: (t) => (out += t),
      err: (t) => (err += t),
      cwd: dir,
      env: {},
    });
    return { code, out, err };
  };
  const write = (name: string, analysis: unknown) =>
    fs.writeFileSync(path.join(dir, name), JSON.stringify(analysis));
  write('hold.json', {
    verdict: 'hold',
    environment: 'dev',
    verdicts: [{ canary: 'green', verdict: 'hold' }],
  });
  write('prod.json', { verdict: 'rollback', environment: 'prod', verdicts: [] });
  expect(await run(['notify', '--env', 'dev', '--verdict-file', 'hold.json'])).toEqual({
    code: 0,
    out: 'notify: nothing to notify: no canary of dev is to be rolled back',
    err: '',
  });
  expect((await run(['notify', '--env', 'dev', '--verdict-file', 'prod.json'])).err).toMatch(
    /prod\.json analysed 'prod', not 'dev'/,
  );
  write('bare.json', { verdict: 'rollback', environment: 'dev', verdicts: [{ verdict: 'rollback' }] });
  expect((await run(['notify', '--env', 'dev', '--verdict-file', 'bare.json'])).err).toMatch(
    /bare\.json: a rollback verdict lacks canary/,
  );
  expect((await run(['notify', '--env', 'dev'])).err).toMatch(/notify needs --verdict-file/);
  expect((await run(['notify', '--env', 'dev', '--verdict-file', 'nope.json'])).code).toBe(2);
});
