/**
 * npm run score -- --model <package> --data in.csv --out out.csv [--explain] [--top K]
 *                  [--skip-invalid]
 *
 * Scores a CSV in the original transaction schema without a server: the same feature module and
 * model.onnx as the scoring service. A progress bar goes to stderr; a short summary to stdout.
 */
import '../runtime/no-telemetry'; // first: before onnxruntime-node loads
import * as path from 'node:path';
import { formatRowErrors, scoreCsvFile } from '../score/batch-score';
import { intOption, parseCliArgs, runCli, stringOption, UsageError } from './args';
import { ProgressBar } from './progress';

const USAGE = `usage: npm run score -- --model <package> --data in.csv --out out.csv [options]
  --model dir        model package folder (models/<name>/<version>) or a folder holding exactly one
  --data in.csv      transactions in the original CSV schema (is_fraud optional, ignored)
  --out out.csv      written as transaction_id,pred_proba (in input order)
  --explain          add bias and the top contributions per row (TreeSHAP, log-odds):
                     bias,feature_1,value_1,contribution_1,...; bias + all contributions = margin
  --top K            contributions per row with --explain (default 3)
  --skip-invalid     leave invalid rows out (each is listed with its line and field, and counted)
                     instead of failing the run`;

async function main(): Promise<void> {
  const values = parseCliArgs(process.argv.slice(2), {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    explain: { type: 'boolean' },
    top: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const model = stringOption(values, 'model');
  const data = stringOption(values, 'data');
  const out = stringOption(values, 'out');
  for (const [name, v] of [
    ['model', model],
    ['data', data],
    ['out', out],
  ] as const) {
    if (!v) throw new UsageError(`--${name} is required`);
  }
  const topK = intOption(values, 'top', 1, 11, 3);
  if (values.top !== undefined && !values.explain) throw new UsageError('--top needs --explain');
  const bar = new ProgressBar();
  const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
  let summary;
  try {
    summary = await scoreCsvFile({
      model: model as string,
      data: data as string,
      out: out as string,
      explain: Boolean(values.explain),
      topK,
      skipInvalid: Boolean(values['skip-invalid']),
      onProgress: (p) =>
        bar.update('score', p.bytesRead, p.totalBytes, `${mb(p.bytesRead)} · ${p.rows} rows`),
    });
  } finally {
    bar.done();
  }
  const lines = [
    `model     ${summary.model}`,
    `scored    ${summary.rows} rows -> ${path.relative(process.cwd(), summary.out) || summary.out}`,
    `time      ${summary.seconds.toFixed(1)} s (${Math.round(summary.rows / Math.max(summary.seconds, 1e-9))} rows/s)`,
  ];
  if (summary.invalid > 0) {
    lines.push(
      `skipped   ${summary.invalid} invalid row(s) (--skip-invalid); first problems:`,
      formatRowErrors(summary.errors),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

runCli(main, USAGE);
