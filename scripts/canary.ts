/**
 * `npm run canary -- analyze --env <env> [--window 1h] [--end ISO] [--source local|log-analytics]
 *   [--telemetry <file.jsonl | dir>] [--workspace-id ID] [--endpoint NAME] [--root DIR]
 *   [--json <file | ->] [--apply-edit]`
 *
 * Compares each canary (a deployment with live or mirrored traffic in stacks/rollout.ts) with
 * the stable deployment over the window and prints one verdict per canary — promote, hold or
 * roll back — with its evidence and the exact next edit to stacks/rollout.ts, within the
 * environment's maxCanaryStep. Exit 0: promote or hold; 1: a canary should be rolled back;
 * 2: error (the reason on stderr). The statistics are model/canary/; this file is the plumbing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { environmentRolloutProblems, rolloutProblems } from '../constructs/serving/rollout-validation';
import {
  analyzeCanaries,
  canaryRoles,
  type CanaryAnalysis,
  type RolloutState,
} from '../model/canary/analyze';
import { LocalTelemetrySource } from '../model/canary/local-source';
import { LogAnalyticsCanarySource } from '../model/canary/log-analytics-source';
import type { CanaryDataSource } from '../model/canary/source';
import { parseDuration } from '../model/drift/duration';
import { logAnalyticsQuery } from '../model/drift/sources/log-analytics';
import { CANARY_SETTINGS, canarySettingsErrors } from '../stacks/canary-settings';
import { ENV_NAMES, ENVIRONMENTS, type EnvName } from '../stacks/environments';
import { rolloutEditProblems, setTraffic } from './rollout-edit';
import { evaluateRolloutSource, loadWorkingRollout, ROLLOUT_FILE } from './rollout-load';

const USAGE = `usage: npm run canary -- analyze --env <${ENV_NAMES.join('|')}> [options]
  --window D            how far back to look (default 1h)
  --end ISO             end of the window (default now)
  --source S            local | log-analytics (default: local when --telemetry is given)
  --telemetry PATH      local: a .jsonl file or a folder written by npm run serve with TELEMETRY_LOCAL_FILE
  --workspace-id ID     log-analytics: the workspace id (or LOG_ANALYTICS_WORKSPACE_ID)
  --endpoint NAME       log-analytics: the online endpoint's name (or CANARY_ENDPOINT_NAME)
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
        'workspace-id': { type: 'string' },
        endpoint: { type: 'string' },
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
  if (positionals.length !== 1 || positionals[0] !== 'analyze') {
    throw new UsageError(
      `expected the command 'analyze', got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'}`,
    );
  }
  const env = values.env;
  if (!env || !(ENV_NAMES as readonly string[]).includes(env)) {
    throw new UsageError(
      `--env must be one of ${ENV_NAMES.join(', ')}, got ${env === undefined ? 'nothing' : `'${env}'`}`,
    );
  }
  const envName = env as EnvName;
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
  const source = stable && canaries.length > 0 ? makeSource(values, io) : undefined;
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

function makeSource(
  values: { source?: string; telemetry?: string; 'workspace-id'?: string; endpoint?: string },
  io: CanaryCliIo,
): CanaryDataSource {
  const kind = values.source ?? (values.telemetry ? 'local' : 'log-analytics');
  if (kind === 'local') {
    if (!values.telemetry) throw new UsageError('--source local needs --telemetry <file.jsonl | folder>');
    return new LocalTelemetrySource(values.telemetry);
  }
  if (kind === 'log-analytics') {
    const workspaceId = values['workspace-id'] ?? io.env.LOG_ANALYTICS_WORKSPACE_ID;
    const endpoint = values.endpoint ?? io.env.CANARY_ENDPOINT_NAME;
    if (!workspaceId)
      throw new UsageError('--source log-analytics needs --workspace-id (or LOG_ANALYTICS_WORKSPACE_ID)');
    if (!endpoint) throw new UsageError('--source log-analytics needs --endpoint (or CANARY_ENDPOINT_NAME)');
    return new LogAnalyticsCanarySource(
      logAnalyticsQuery({ workspaceId, endpoint: io.env.LOG_ANALYTICS_ENDPOINT }),
      endpoint,
      workspaceId,
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
    process.exitCode = code;
  });
}
