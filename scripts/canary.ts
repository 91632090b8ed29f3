/**
 * `npm run canary -- analyze --env <env> [--window 1h] [--end ISO] [--source local|log-analytics]
 *   [--telemetry <file.jsonl | dir>] [--subscription ID] [--workspace-id ID] [--endpoint NAME]
 *   [--root DIR] [--json <file | ->] [--apply-edit]`
 * `npm run canary -- notify --env <env> --verdict-file <canary.json> [--subscription ID]`
 *
 * Compares each canary (a deployment with live or mirrored traffic in stacks/rollout.ts) with
 * the stable deployment over the window and prints one verdict per canary — promote, hold or
 * roll back — with its evidence and the exact next edit to stacks/rollout.ts, within the
 * environment's maxCanaryStep. Exit 0: promote or hold; 1: a canary should be rolled back;
 * 2: error (the reason on stderr). The statistics are model/canary/; this file is the plumbing.
 *
 * In Azure, `--env` is enough: the endpoint and the Log Analytics workspace are found by the
 * deterministic names synth uses (scripts/names.ts, constructs/core/naming.ts) in the subscription
 * (`--subscription` or AZURE_SUBSCRIPTION_ID), and the workspace is queried by its ARM resource id.
 * `notify` sends the rollback signal that the environment's rollback alert turns into a
 * notification of its action group (model/canary/rollback-signal.ts says why this way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { platformNames } from '../constructs/core/naming';
import { environmentRolloutProblems, rolloutProblems } from '../constructs/serving/rollout-validation';
import {
  analyzeCanaries,
  canaryRoles,
  type CanaryAnalysis,
  type RolloutState,
} from '../model/canary/analyze';
import { LocalTelemetrySource } from '../model/canary/local-source';
import { LogAnalyticsCanarySource } from '../model/canary/log-analytics-source';
import { canaryRollbackRecords } from '../model/canary/rollback-signal';
import type { CanaryDataSource } from '../model/canary/source';
import { parseDuration } from '../model/drift/duration';
import { emitDriftMetrics } from '../model/drift/metrics';
import { ArmClient } from '../model/registry/arm-client';
import { logAnalyticsQuery } from '../model/drift/sources/log-analytics';
import { CANARY_SETTINGS, canarySettingsErrors } from '../stacks/canary-settings';
import { ENV_NAMES, ENVIRONMENTS, type EnvironmentConfig, type EnvName } from '../stacks/environments';
import { resourceName } from './names';
import { rolloutEditProblems, setTraffic } from './rollout-edit';
import { evaluateRolloutSource, loadWorkingRollout, ROLLOUT_FILE } from './rollout-load';

const USAGE = `usage: npm run canary -- analyze --env <${ENV_NAMES.join('|')}> [options]
       npm run canary -- notify --env <env> --verdict-file <analyze's --json file> [--subscription ID]
  --window D            how far back to look (default 1h)
  --end ISO             end of the window (default now)
  --source S            local | log-analytics (default: local when --telemetry is given)
  --telemetry PATH      local: a .jsonl file or a folder written by npm run serve with TELEMETRY_LOCAL_FILE
  --subscription ID     log-analytics, notify: the subscription (or AZURE_SUBSCRIPTION_ID,
                        ARM_SUBSCRIPTION_ID); the workspace, endpoint and Application Insights
                        follow from the environment's deterministic names
  --workspace-id ID     log-analytics: the workspace GUID instead (or LOG_ANALYTICS_WORKSPACE_ID)
  --endpoint NAME       log-analytics: the online endpoint's name (or CANARY_ENDPOINT_NAME;
                        default the environment's deterministic endpoint name)
  --root DIR            project folder holding stacks/rollout.ts (default: the current folder)
  --json FILE           also write the analysis as JSON to FILE ('-': print JSON instead of text)
  --apply-edit          write the next edit of the first roll back (else the first promote) into
                        stacks/rollout.ts, checked like npm run rollout -- status
exit: 0 promote/hold, 1 roll back, 2 error`;

class UsageError extends Error {}

export interface CanaryCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default new Date() */
  readonly now?: Date;
  /** Azure access for log-analytics and notify. @default - DefaultAzureCredential, public cloud */
  readonly azure?: {
    readonly credential?: TokenCredential;
    /** @default 'https://management.azure.com' */
    readonly armEndpoint?: string;
  };
}

/** Runs the CLI; resolves to the exit code. */
export async function runCanaryCli(argv: readonly string[], io: CanaryCliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    const err = e as Error;
    io.err(`canary: error: ${err.message}${err instanceof UsageError ? `\n${USAGE}` : ''}`);
    return 2;
  }
}

async function run(argv: readonly string[], io: CanaryCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        window: { type: 'string' },
        end: { type: 'string' },
        source: { type: 'string' },
        telemetry: { type: 'string' },
        subscription: { type: 'string' },
        'workspace-id': { type: 'string' },
        endpoint: { type: 'string' },
        'verdict-file': { type: 'string' },
        root: { type: 'string' },
        json: { type: 'string' },
        'apply-edit': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const command = positionals.length === 1 ? positionals[0] : undefined;
  if (command !== 'analyze' && command !== 'notify') {
    throw new UsageError(
      `expected the command 'analyze' or 'notify', got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'}`,
    );
  }
  const env = values.env;
  if (!env || !(ENV_NAMES as readonly string[]).includes(env)) {
    throw new UsageError(
      `--env must be one of ${ENV_NAMES.join(', ')}, got ${env === undefined ? 'nothing' : `'${env}'`}`,
    );
  }
  const envName = env as EnvName;
  if (command === 'notify') return notify(envName, values, io);
  let windowMs: number;
  try {
    windowMs = parseDuration(values.window ?? '1h', '--window');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const end = values.end ? new Date(values.end) : (io.now ?? new Date());
  if (Number.isNaN(end.getTime()))
    throw new UsageError(`--end must be an ISO-8601 time, got '${values.end}'`);
  const window = { start: new Date(end.getTime() - windowMs), end };

  const settings = CANARY_SETTINGS[envName];
  const settingProblems = canarySettingsErrors(envName, settings);
  if (settingProblems.length > 0) throw new Error(`stacks/canary-settings.ts: ${settingProblems.join('; ')}`);

  const all = loadWorkingRollout(values.root ?? io.cwd) as Record<string, unknown>;
  const raw = all[envName];
  const problems = environmentRolloutProblems(envName, raw);
  if (problems.length > 0) throw new Error(`stacks/rollout.ts: ${problems.join('; ')}`);
  const rollout = raw as RolloutState;

  const { stable, canaries } = canaryRoles(rollout);
  // Without a canary there is nothing to read: no data source is needed (or contacted).
  const source = stable && canaries.length > 0 ? makeSource(envName, values, io) : undefined;
  const data = source && stable ? await source.load(window, [stable, ...canaries]) : new Map<string, never>();
  for (const w of source?.warnings ?? []) io.err(`canary: warning: ${w}`);
  const maxStep = (ENVIRONMENTS[envName] as { serving?: { maxCanaryStep?: number } }).serving?.maxCanaryStep;
  const analysis = analyzeCanaries({
    environment: envName,
    rollout,
    data,
    window,
    source: source?.description ?? 'none (no canary)',
    thresholds: settings,
    ...(maxStep !== undefined ? { maxStep } : {}),
  });
  const json = JSON.stringify({ verdict: overallVerdict(analysis), ...analysis }, null, 2);
  if (values.json === '-') io.out(json);
  else {
    io.out(formatAnalysis(analysis));
    if (values.json) fs.writeFileSync(path.resolve(io.cwd, values.json), `${json}\n`);
  }
  if (values['apply-edit']) io.out(applyNextEdit(analysis, values.root ?? io.cwd));
  return analysis.exitCode;
}

/** Application Insights components REST (azure-rest-api-specs applicationinsights, components_API.json). */
export const APP_INSIGHTS_API_VERSION = '2020-02-02';

/**
 * `notify`: sends one `canary_rollback` metric per rolled-back canary of the verdict file to the
 * environment's Application Insights; the environment's rollback alert (stacks/monitoring.ts)
 * fires its action group at severity 1 (model/canary/rollback-signal.ts: why not a direct call).
 * The connection string is APPLICATIONINSIGHTS_CONNECTION_STRING, or else read with an ARM GET of
 * the component by its deterministic name (`properties.ConnectionString`, readOnly in
 * Microsoft.Insights/components@2020-02-02; a Reader role suffices). Ingestion then uses the
 * component's instrumentation key, so it needs local authentication on (AppInsights' default here,
 * `localAuthenticationDisabled: false`).
 */
async function notify(
  env: EnvName,
  values: { 'verdict-file'?: string; subscription?: string },
  io: CanaryCliIo,
): Promise<number> {
  const file = values['verdict-file'];
  if (!file) throw new UsageError('notify needs --verdict-file (the file analyze wrote with --json)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.resolve(io.cwd, file), 'utf8'));
  } catch (e) {
    throw new Error(`--verdict-file ${file}: ${(e as Error).message}`);
  }
  const analysis = parsed as Partial<CanaryAnalysis>;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(analysis.verdicts))
    throw new Error(`--verdict-file ${file} is not a canary analysis (no 'verdicts' list)`);
  if (analysis.environment !== env)
    throw new Error(`--verdict-file ${file} analysed '${String(analysis.environment)}', not '${env}'`);
  const records = canaryRollbackRecords(analysis as CanaryAnalysis);
  const incomplete = records.find((r) => Object.values(r.properties).some((v) => typeof v !== 'string'));
  if (incomplete)
    throw new Error(
      `--verdict-file ${file}: a rollback verdict lacks canary, stable, canaryModel or reason: ${JSON.stringify(incomplete.properties)}`,
    );
  if (records.length === 0) {
    io.out(`notify: nothing to notify: no canary of ${env} is to be rolled back`);
    return 0;
  }
  let connectionString = io.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  let from = 'APPLICATIONINSIGHTS_CONNECTION_STRING';
  if (!connectionString) {
    const target = azureTargets(
      env,
      subscriptionOf(values, io, 'notify without APPLICATIONINSIGHTS_CONNECTION_STRING'),
    );
    const arm = new ArmClient({
      credential: io.azure?.credential ?? new DefaultAzureCredential(),
      endpoint: io.azure?.armEndpoint,
    });
    const component = (await arm.get(arm.url(target.appInsightsResourceId, APP_INSIGHTS_API_VERSION))) as {
      properties?: { ConnectionString?: unknown };
    };
    const cs = component?.properties?.ConnectionString;
    if (typeof cs !== 'string' || !cs.includes('InstrumentationKey='))
      throw new Error(`${target.appInsightsResourceId} has no properties.ConnectionString`);
    connectionString = cs;
    from = target.appInsightsResourceId;
  }
  process.env.OTEL_SERVICE_NAME ??= 'fraud-canary'; // AppRoleName of the signal
  await emitDriftMetrics(records, connectionString);
  io.out(
    `notify: sent ${records.length} canary_rollback signal(s) for ${records.map((r) => r.properties.canary).join(', ')} in ${env} to ${from}; the rollback alert notifies the action group`,
  );
  return 0;
}

/** One word for workflows: rollback if any canary must go back, else promote if any may advance. */
export function overallVerdict(a: CanaryAnalysis): 'rollback' | 'promote' | 'hold' | 'none' {
  if (a.verdicts.length === 0) return 'none';
  if (a.verdicts.some((v) => v.verdict === 'rollback')) return 'rollback';
  return a.verdicts.some((v) => v.verdict === 'promote') ? 'promote' : 'hold';
}

/**
 * Writes the next edit (first roll back, else first promote) into stacks/rollout.ts with the
 * comment-preserving editor of `npm run rollout:edit`. A promotion is checked like
 * `npm run rollout -- status --base <file before>` (synth rules and step limits); a rollback
 * only against the synth rules, as `rollout status --rollback` does.
 */
function applyNextEdit(a: CanaryAnalysis, root: string): string {
  const v =
    a.verdicts.find((x) => x.verdict === 'rollback') ?? a.verdicts.find((x) => x.verdict === 'promote');
  if (!v) return 'apply-edit: nothing to change (hold)';
  if (v.mirror > 0) {
    throw new Error(
      `apply-edit: the next edit of ${v.canary} also changes the mirror, which rollout:edit cannot do; make it by hand:\n${v.nextEdit.diff.join('\n')}`,
    );
  }
  const file = path.join(root, ROLLOUT_FILE);
  const before = fs.readFileSync(file, 'utf8');
  const edit = setTraffic(before, a.environment, v.nextEdit.traffic);
  const problems =
    v.verdict === 'promote'
      ? rolloutEditProblems(before, edit.source)
      : rolloutProblems(evaluateRolloutSource(edit.source, ROLLOUT_FILE));
  if (problems.length > 0) throw new Error(`apply-edit refused: ${problems.join('; ')}`);
  fs.writeFileSync(file, edit.source);
  return `apply-edit: ${v.verdict} ${v.canary}: ${edit.summary} (written to ${ROLLOUT_FILE})`;
}

/** Where an environment lives in Azure, by the deterministic names synth uses. */
export interface AzureTargets {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The online endpoint's name (FraudStack: `<prefix>-<env>-<hash>`). */
  readonly endpoint: string;
  /** ARM id of the environment's Log Analytics workspace. */
  readonly logAnalyticsResourceId: string;
  /** ARM id of the environment's (workspace-based) Application Insights component. */
  readonly appInsightsResourceId: string;
}

export function azureTargets(env: EnvName, subscriptionId: string): AzureTargets {
  const cfg: EnvironmentConfig = ENVIRONMENTS[env];
  const names = platformNames({ project: cfg.namePrefix, env, salt: cfg.salt });
  const rg = `/subscriptions/${subscriptionId}/resourceGroups/${names.resourceGroup}`;
  return {
    subscriptionId,
    resourceGroup: names.resourceGroup,
    endpoint: resourceName('endpoint', env),
    logAnalyticsResourceId: `${rg}/providers/Microsoft.OperationalInsights/workspaces/${names.logAnalytics}`,
    appInsightsResourceId: `${rg}/providers/Microsoft.Insights/components/${names.appInsights}`,
  };
}

function subscriptionOf(values: { subscription?: string }, io: CanaryCliIo, why: string): string {
  // ARM_SUBSCRIPTION_ID: Terraform's variable, already set in plan.yml, which also runs analyze.
  const sub = values.subscription ?? io.env.AZURE_SUBSCRIPTION_ID ?? io.env.ARM_SUBSCRIPTION_ID;
  if (!sub)
    throw new UsageError(`${why} needs --subscription (or AZURE_SUBSCRIPTION_ID, or ARM_SUBSCRIPTION_ID)`);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub))
    throw new UsageError(`--subscription must be a subscription id (GUID), got '${sub}'`);
  return sub;
}

function makeSource(
  env: EnvName,
  values: {
    source?: string;
    telemetry?: string;
    subscription?: string;
    'workspace-id'?: string;
    endpoint?: string;
  },
  io: CanaryCliIo,
): CanaryDataSource {
  const kind = values.source ?? (values.telemetry ? 'local' : 'log-analytics');
  if (kind === 'local') {
    if (!values.telemetry) throw new UsageError('--source local needs --telemetry <file.jsonl | folder>');
    return new LocalTelemetrySource(values.telemetry);
  }
  if (kind === 'log-analytics') {
    const workspaceId = values['workspace-id'] ?? io.env.LOG_ANALYTICS_WORKSPACE_ID;
    const endpoint = values.endpoint ?? io.env.CANARY_ENDPOINT_NAME ?? resourceName('endpoint', env);
    const logs = { credential: io.azure?.credential, endpoint: io.env.LOG_ANALYTICS_ENDPOINT };
    if (workspaceId) {
      return new LogAnalyticsCanarySource(logAnalyticsQuery({ ...logs, workspaceId }), endpoint, workspaceId);
    }
    // No GUID: query the environment's workspace by its ARM id (resource-centric query).
    const target = azureTargets(
      env,
      subscriptionOf(values, io, '--source log-analytics without --workspace-id'),
    );
    return new LogAnalyticsCanarySource(
      logAnalyticsQuery({ ...logs, resourceId: target.logAnalyticsResourceId }),
      endpoint,
      target.logAnalyticsResourceId,
    );
  }
  throw new UsageError(`--source must be local or log-analytics, got '${kind}'`);
}

const VERDICT_LABEL = { promote: 'PROMOTE', hold: 'HOLD', rollback: 'ROLL BACK' } as const;

/** The human-readable report. */
export function formatAnalysis(a: CanaryAnalysis): string {
  const lines = [`canary analysis: ${a.environment}, ${a.window.start} .. ${a.window.end}, ${a.source}`];
  if (a.stable === undefined) return [...lines, 'no live traffic: nothing to compare'].join('\n');
  if (a.verdicts.length === 0)
    return [...lines, `no canary: ${a.stable} takes all traffic and nothing is mirrored`].join('\n');
  for (const v of a.verdicts) {
    const share = v.traffic > 0 ? `live ${v.traffic} %` : `mirror ${v.mirror} %`;
    lines.push(
      '',
      `${v.canary} (${v.canaryModel}, ${share}) vs stable ${v.stable} (${v.stableModel}): ${VERDICT_LABEL[v.verdict]} - ${v.reason}`,
      ...v.evidence.map((e) => `  ${e.check.padEnd(19)} ${e.outcome.padEnd(15)} ${e.detail}`),
      `  next: ${v.nextEdit.summary}`,
      ...v.nextEdit.diff.map((d) => `    ${d}`),
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  void runCanaryCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    cwd: process.cwd(),
    env: process.env,
  }).then((code) => {
    // Exit once the output is written: after notify, the Application Insights SDK leaves timers
    // behind that would keep the process alive for ~40 s (as model/cli/drift.ts does).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
