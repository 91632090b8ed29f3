/**
 * `npm start`, the main job on a laptop: make sure a model package exists under models/
 * (generate seeded synthetic data and train one if none does), then serve it on
 * 127.0.0.1:8080 and print an example request in the original clients' shape.
 *
 * Environment variables work as for `npm run serve` (docs/service.md); HOST defaults to
 * 127.0.0.1. Training goes through the trainer only (model/train/quickstart.ts). MODEL_DIR, when set, is served as-is and nothing is trained.
 * Flags: --rows N (training rows, default 50000), --seed N (default 42).
 */
import '../scoring/ort-no-telemetry'; // first: before anything loads onnxruntime-node
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { latestModelPackage } from '../../model/package/loader';
import { DEFAULT_MODEL_NAME } from '../../model/train/api';
import { trainQuickstartPackage } from '../../model/train/quickstart';
import { runServer } from '../server';

const MODELS_ROOT = path.resolve(__dirname, '../../models');

/** One transaction from the original's published sample (identifiers included, as clients send). */
const EXAMPLE = {
  features: {
    transaction_id: 'c8cd74ce-4ec7-431f-baa8-61cb42a56746',
    transaction_ts: '2025-08-11T17:36:37.015811',
    customer_id: 'C3649',
    merchant_id: 'M205',
    amount: 275.67,
    currency: 'CAD',
    merchant_category: 'retail',
    device_fingerprint: 'D13435',
    ip_geo_country: 'IN',
    hour_of_day: 17,
    day_of_week: 0,
    customer_tenure_days: 713,
    avg_monthly_spend: 494.12,
    num_prev_tx_24h: 0,
  },
};

function positiveInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

async function ensureModel(rows: number, seed: number): Promise<string> {
  const existing = latestModelPackage(MODELS_ROOT, DEFAULT_MODEL_NAME);
  if (existing) {
    process.stderr.write(`using model package ${path.relative(process.cwd(), existing)}\n`);
    return existing;
  }
  process.stderr.write(
    `no model package under ${path.relative(process.cwd(), MODELS_ROOT) || '.'}/: generating ${rows} synthetic transactions (seed ${seed}) and training one\n`,
  );
  const t0 = performance.now();
  const result = await trainQuickstartPackage({ outRoot: MODELS_ROOT, rows, seed });
  process.stderr.write(
    `trained ${result.manifest.name}:${result.manifest.version} in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
      `(ROC AUC ${result.metrics.rocAuc.toFixed(3)}; report: ${path.relative(process.cwd(), path.join(result.dir, 'report.md'))})\n`,
  );
  return result.dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, seed: { type: 'string' } } });
  const modelDir =
    process.env.MODEL_DIR ??
    (await ensureModel(positiveInt('rows', values.rows, 50_000), positiveInt('seed', values.seed, 42)));
  const service = await runServer({ ...process.env, MODEL_DIR: modelDir });
  if (!service) return; // configuration rejected; runServer logged why and set the exit code
  await service.ready;
  const body = JSON.stringify(EXAMPLE);
  process.stderr.write(
    `\nscoring service ready at ${service.url} (Ctrl-C to stop). Try:\n\n` +
      `  curl -s ${service.url}/score -H 'content-type: application/json' -d '${body}'\n\n` +
      `  (POST /predict, the original clients' path, answers the same)\n\n` +
      `  curl -s ${service.url}/metadata\n\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
