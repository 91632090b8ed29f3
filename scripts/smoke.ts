/**
 * `npm run smoke -- --uri <scoring uri> [--requests 20] [--expect-deployment <name>] [--max-p95-ms 2000]`
 *
 * The deploy workflow's smoke test, run after each environment's apply: it calls the endpoint's
 * scoring URI with the original project's request shape (`{"features": {...}}`), checks the
 * shape of every answer (`pred_proba` in [0, 1], the model `name:version`, the deployment that
 * served it), reports which deployments served and the latency, and exits non-zero on any
 * failure so that the promotion to the next environment stops.
 *
 * The key comes from the environment (`SCORING_KEY`), never from the command line, so it does
 * not show in process lists or logs. Azure ML names the deployment that served a request in the
 * `azureml-model-deployment` response header (Azure ML docs, "Safe rollout for online endpoints":
 * https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints);
 * our service also puts it in the body, and the two must agree.
 */
import { parseArgs } from 'node:util';

/** The original client's example transaction (README, "Try it"). */
export const SMOKE_FEATURES = {
  amount: 980,
  hour_of_day: 3,
  ip_geo_country: 'NG',
  merchant_category: 'electronics',
  avg_monthly_spend: 120,
  customer_tenure_days: 12,
  num_prev_tx_24h: 6,
} as const;

export interface SmokeOptions {
  readonly uri: string;
  /** Endpoint key or token. @default - no Authorization header (a local server without API_KEY) */
  readonly key?: string;
  /** @default 20 */
  readonly requests?: number;
  /** Fail unless this deployment served at least one request. @default - any deployment */
  readonly expectDeployment?: string;
  /** Fail when the p95 latency is above this. @default 2000 (the original's latency alert) */
  readonly maxP95Ms?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export interface SmokeReport {
  readonly ok: boolean;
  readonly problems: string[];
  /** Deployment -> number of answers it served. */
  readonly servedBy: Record<string, number>;
  readonly models: string[];
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number };
}

/** Runs the smoke test; never throws for a bad answer, it reports it. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeReport> {
  const n = options.requests ?? 20;
  const problems: string[] = [];
  const servedBy: Record<string, number> = {};
  const models = new Set<string>();
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(options.uri, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        },
        body: JSON.stringify({ features: SMOKE_FEATURES }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (e) {
      problems.push(`request ${i + 1}: ${(e as Error).message}`);
      continue;
    }
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (res.status !== 200) {
      problems.push(`request ${i + 1}: HTTP ${res.status}: ${text.slice(0, 200)}`);
      continue;
    }
    const problem = answerProblem(text, res.headers.get('azureml-model-deployment'));
    if (typeof problem === 'string') {
      problems.push(`request ${i + 1}: ${problem}`);
      continue;
    }
    servedBy[problem.deployment] = (servedBy[problem.deployment] ?? 0) + 1;
    models.add(problem.model);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN;
  const latencyMs = { p50: round(q(0.5)), p95: round(q(0.95)), max: round(sorted[sorted.length - 1] ?? NaN) };
  if (options.expectDeployment && !servedBy[options.expectDeployment]) {
    problems.push(
      `deployment '${options.expectDeployment}' served none of ${n} requests (served: ${fmt(servedBy) || 'none'})`,
    );
  }
  const maxP95 = options.maxP95Ms ?? 2000;
  if (latencyMs.p95 > maxP95) problems.push(`p95 latency ${latencyMs.p95} ms is above ${maxP95} ms`);
  return { ok: problems.length === 0, problems, servedBy, models: [...models], latencyMs };
}

/** Checks one 200 answer; returns what served it, or the problem. */
function answerProblem(text: string, header: string | null): { deployment: string; model: string } | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `the answer is not JSON: ${text.slice(0, 120)}`;
  }
  if (typeof body !== 'object' || body === null) return 'the answer is not a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.pred_proba !== 'number' || !(b.pred_proba >= 0 && b.pred_proba <= 1)) {
    return `pred_proba must be a number in [0, 1], got ${JSON.stringify(b.pred_proba)}`;
  }
  if (typeof b.model !== 'string' || !/^[^:\s]+:[^:\s]+$/.test(b.model)) {
    return `model must be 'name:version', got ${JSON.stringify(b.model)}`;
  }
  if (typeof b.deployment !== 'string' || b.deployment === '') {
    return `deployment must name the deployment that served, got ${JSON.stringify(b.deployment)}`;
  }
  if (header !== null && header !== b.deployment) {
    return `the azureml-model-deployment header says '${header}' but the body says '${b.deployment}'`;
  }
  return { deployment: b.deployment, model: b.model };
}

const round = (x: number) => Math.round(x * 10) / 10;
const fmt = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

const USAGE =
  'usage: SCORING_KEY=<key> npm run smoke -- --uri <scoring uri> [--requests n] [--expect-deployment name] [--max-p95-ms n]';

export async function runSmokeCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        uri: { type: 'string' },
        requests: { type: 'string' },
        'expect-deployment': { type: 'string' },
        'max-p95-ms': { type: 'string' },
      },
    }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const badInt = (v: string | undefined) => v !== undefined && !/^[1-9]\d*$/.test(v);
  if (!values.uri || !/^https?:\/\//.test(values.uri)) {
    err(
      `--uri must be the endpoint's http(s) scoring URI, got ${JSON.stringify(values.uri ?? null)}\n${USAGE}`,
    );
    return 2;
  }
  if (badInt(values.requests) || badInt(values['max-p95-ms'])) {
    err(`--requests and --max-p95-ms must be positive whole numbers\n${USAGE}`);
    return 2;
  }
  const report = await runSmoke({
    uri: values.uri,
    key: env.SCORING_KEY || undefined,
    requests: values.requests ? Number(values.requests) : undefined,
    expectDeployment: values['expect-deployment'],
    maxP95Ms: values['max-p95-ms'] ? Number(values['max-p95-ms']) : undefined,
  });
  out(
    `smoke: ${report.ok ? 'ok' : 'FAILED'}; served by ${fmt(report.servedBy) || 'none'}; ` +
      `model ${report.models.join(', ') || '-'}; latency p50 ${report.latencyMs.p50} ms, ` +
      `p95 ${report.latencyMs.p95} ms, max ${report.latencyMs.max} ms`,
  );
  report.problems.forEach((p) => err(`  - ${p}`));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  void runSmokeCli(
    process.argv.slice(2),
    process.env,
    (s) => console.log(s),
    (s) => console.error(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
