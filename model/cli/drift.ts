/**
 * npm run drift -- --baseline <model package> --current <file.csv | log-analytics> [options]
 *
 * Compares current data with the model's baseline (the distributions in its manifest) and
 * writes drift-report.json, drift-report.html and a markdown summary drift.md. Exit code: 0 no drift, 1 drift, 2 error (with
 * the reason on stderr). When APPLICATIONINSIGHTS_CONNECTION_STRING is set it also sends the
 * drift metrics the alert watches (model/drift/metrics.ts); otherwise it says it skipped them.
 */
import '../runtime/no-telemetry';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithBaseline, type CurrentData, type RawBaseline } from '../drift/compare';
import { parseDuration } from '../drift/duration';
import { driftMetricRecords, emitDriftMetrics } from '../drift/metrics';
import { renderDriftHtml } from '../drift/render-html';
import { renderDriftMarkdown } from '../drift/render-markdown';
import { csvCurrentData, readCsvFeatures } from '../drift/sources/csv-source';
import { currentFromDriftWindows, driftWindowKql, logAnalyticsQuery } from '../drift/sources/log-analytics';
import type { DriftThresholds } from '../drift/thresholds';
import { loadModelPackage } from '../package/loader';
import { numberOption, parseCliArgs, stringOption, UsageError, intOption } from './args';

const USAGE = `usage: npm run drift -- --baseline <model package> --current <file.csv | log-analytics> [options]
  --baseline DIR          model package folder (model.json holds the baseline distributions)
  --current SRC           a transactions CSV (original schema), or 'log-analytics' to read the
                          service's drift windows (AppEvents) for this model from a workspace
  --workspace-id ID       Log Analytics workspace id (or LOG_ANALYTICS_WORKSPACE_ID)
  --window D              how far back to read from Log Analytics (default 24h)
  --end ISO               end of the window (default now)
  --baseline-data CSV     the training CSV: KS on raw values instead of the baseline bins
  --no-score              skip prediction drift on a CSV (otherwise the CSV is scored with model.onnx)
  --p-value P             drift when p < P (default 0.1, the original's rule)
  --psi X                 drift when PSI >= X; 0 turns the PSI rule off (default 0.25)
  --correction C          none | bonferroni (default none)
  --min-rows N            fewer current rows is an error (default 100)
  --skip-invalid          skip and count invalid CSV rows instead of failing
  --out-dir DIR           where the reports go (default drift-report); --out is the same
  --environment NAME      'environment' dimension of the metrics (or DRIFT_ENVIRONMENT; default local);
                          --env is the same
exit: 0 no drift, 1 drift, 2 error`;

export const EXIT = { ok: 0, drift: 1, error: 2 } as const;

async function main(argv: string[]): Promise<number> {
  const values = parseCliArgs(argv, {
    baseline: { type: 'string' },
    current: { type: 'string' },
    'workspace-id': { type: 'string' },
    window: { type: 'string' },
    end: { type: 'string' },
    'baseline-data': { type: 'string' },
    'no-score': { type: 'boolean' },
    'p-value': { type: 'string' },
    psi: { type: 'string' },
    correction: { type: 'string' },
    'min-rows': { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    'out-dir': { type: 'string' },
    out: { type: 'string' },
    environment: { type: 'string' },
    env: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const baselineDir = stringOption(values, 'baseline');
  const currentArg = stringOption(values, 'current');
  if (!baselineDir) throw new UsageError('--baseline is required (a model package folder)');
  if (!currentArg) throw new UsageError("--current is required (a CSV file or 'log-analytics')");
  const correction = stringOption(values, 'correction');
  if (correction !== undefined && correction !== 'none' && correction !== 'bonferroni') {
    throw new UsageError(`--correction must be none or bonferroni, got '${correction}'`);
  }
  const thresholds: DriftThresholds = {
    pValue: numberOption(values, 'p-value', Number.MIN_VALUE, 0.999999),
    psi: numberOption(values, 'psi', 0, 100),
    correction,
    minRows: intOption(values, 'min-rows', 1, 1_000_000_000),
  };
  const skipInvalid = Boolean(values['skip-invalid']);
  const pkg = loadModelPackage(baselineDir);
  const { manifest } = pkg;

  let current: CurrentData;
  if (currentArg === 'log-analytics') {
    const workspaceId = stringOption(values, 'workspace-id') ?? process.env.LOG_ANALYTICS_WORKSPACE_ID;
    if (!workspaceId)
      throw new UsageError('--current log-analytics needs --workspace-id (or LOG_ANALYTICS_WORKSPACE_ID)');
    const endText = stringOption(values, 'end');
    const end = endText ? new Date(endText) : new Date();
    if (Number.isNaN(end.getTime())) throw new UsageError(`--end must be an ISO-8601 time, got '${endText}'`);
    let windowMs: number;
    try {
      windowMs = parseDuration(stringOption(values, 'window') ?? '24h', '--window');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const window = { start: new Date(end.getTime() - windowMs), end };
    const query = logAnalyticsQuery({ workspaceId, endpoint: process.env.LOG_ANALYTICS_ENDPOINT });
    const model = `${manifest.name}:${manifest.version}`;
    const rows = await query(driftWindowKql(model), window);
    current = currentFromDriftWindows(rows, manifest, window, `log-analytics:${workspaceId}`);
  } else {
    const features = await readCsvFeatures(currentArg, manifest, { skipInvalid });
    let scores: Float32Array | undefined;
    if (!values['no-score'] && features.rows > 0) {
      const { scoreWithOnnx } = await import('../drift/sources/onnx-scores');
      scores = await scoreWithOnnx(pkg.dir, manifest, features.matrix, features.rows);
    }
    current = csvCurrentData(currentArg, features, scores);
  }
  let rawBaseline: RawBaseline | undefined;
  const baselineData = stringOption(values, 'baseline-data');
  if (baselineData)
    rawBaseline = { numeric: (await readCsvFeatures(baselineData, manifest, { skipInvalid })).numeric };

  const report = compareWithBaseline(manifest, current, { thresholds, rawBaseline });
  const outDir = path.resolve(
    stringOption(values, 'out-dir') ?? stringOption(values, 'out') ?? 'drift-report',
  );
  fs.mkdirSync(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'drift-report.json');
  const htmlPath = path.join(outDir, 'drift-report.html');
  fs.writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(htmlPath, renderDriftHtml(report));
  fs.writeFileSync(path.join(outDir, 'drift.md'), renderDriftMarkdown(report));

  const lines = report.features.map(
    (f) =>
      `  ${f.drifted ? 'DRIFT' : 'ok   '} ${f.feature.padEnd(22)} ${f.test.padEnd(9)} stat ${f.statistic.toPrecision(4).padStart(10)}  p ${f.pValue.toPrecision(3).padStart(9)}  psi ${f.psi.toFixed(4)}`,
  );
  process.stdout.write(
    `${report.drifted ? `drift detected in ${report.driftedFeatures.length} of ${report.features.length} tests` : `no drift in ${report.features.length} tests`} (${report.model}, ${report.rows.current} current rows from ${report.source})\n${lines.join('\n')}\nwrote ${jsonPath}\nwrote ${htmlPath}\n`,
  );

  const environment =
    stringOption(values, 'environment') ??
    stringOption(values, 'env') ??
    process.env.DRIFT_ENVIRONMENT ??
    'local';
  const connectionString = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (connectionString) {
    const records = driftMetricRecords(report, environment);
    await emitDriftMetrics(records, connectionString);
    process.stdout.write(
      `sent ${records.length} drift metric(s) to Application Insights (environment ${environment})\n`,
    );
  } else {
    process.stdout.write('drift metrics not sent: APPLICATIONINSIGHTS_CONNECTION_STRING is not set\n');
  }
  return report.drifted ? EXIT.drift : EXIT.ok;
}

/**
 * Exits once stdout and stderr are drained: the Application Insights SDK leaves timers behind
 * after shutdown() that would keep the process alive for ~40 s.
 */
function exitWith(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exitWith, (e: unknown) => {
  const err = e as Error;
  process.stderr.write(`drift: error: ${err.message}\n${err instanceof UsageError ? `${USAGE}\n` : ''}`);
  exitWith(EXIT.error);
});
