/**
 * Drift aggregates, masked sampling and the telemetry facade. The exporter is replaced by an
 * in-memory sink here; the real Application Insights SDK is exercised end to end against a
 * local ingestion endpoint in server-process.test.ts.
 */
import { featureMatrix, UNKNOWN_CATEGORY } from '../../model/features';
import { histogramBin } from '../../model/package/manifest';
import type { ScoringInput } from '../../model/schema';
import type { ServingModel } from '../../service/scoring/load-model';
import { DriftAggregator, type DriftWindow } from '../../service/telemetry/drift-aggregator';
import { maskRow, RowSampler } from '../../service/telemetry/row-sampler';
import { ServiceTelemetry, TELEMETRY_NAMES } from '../../service/telemetry/service-telemetry';
import type { TelemetryProperties, TelemetrySink } from '../../service/telemetry/sink';
import { listenApp, loadTestModel, memoryLogger, postJson, transaction } from './helpers';

class MemorySink implements TelemetrySink {
  readonly metrics: { name: string; value: number; properties: TelemetryProperties }[] = [];
  readonly events: { name: string; properties: TelemetryProperties }[] = [];
  readonly exceptions: { error: Error; properties: TelemetryProperties }[] = [];
  flushed = 0;
  trackMetric(name: string, value: number, properties: TelemetryProperties): void {
    this.metrics.push({ name, value, properties });
  }
  trackEvent(name: string, properties: TelemetryProperties): void {
    this.events.push({ name, properties });
  }
  trackException(error: Error, properties: TelemetryProperties): void {
    this.exceptions.push({ error, properties });
  }
  async flush(): Promise<void> {
    this.flushed += 1;
  }
  async shutdown(): Promise<void> {}
}

let model: ServingModel;
beforeAll(async () => {
  model = await loadTestModel();
});
afterAll(() => model.session.release());

const rows = (n: number): ScoringInput[] =>
  Array.from({ length: n }, (_, i) => transaction(i) as unknown as ScoringInput);

describe('DriftAggregator', () => {
  test('counts features on the baseline bins, categories on baseline keys, scores on score bins', () => {
    const agg = new DriftAggregator(model.manifest);
    const inputs = [...rows(30), { amount: 5, merchant_category: 'never-seen-category' }];
    const features = featureMatrix(inputs, model.manifest.featureSpec);
    const scores = Float32Array.from(inputs, (_, i) => i / inputs.length);
    agg.record(features, inputs, scores);
    const w: DriftWindow = agg.take();
    expect(w.rows).toBe(31);
    const names = model.manifest.input.featureNames;
    for (const [name, h] of Object.entries(w.numeric)) {
      expect(h.edges).toEqual(model.manifest.baseline.numeric[name].edges);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(31);
      const col = names.indexOf(name);
      const expected = new Array<number>(h.edges.length + 1).fill(0);
      for (let r = 0; r < 31; r += 1) expected[histogramBin(h.edges, features[r * names.length + col])] += 1;
      expect(h.counts).toEqual(expected);
    }
    expect(Object.keys(w.numeric).length).toBeGreaterThan(0);
    expect(w.categorical.merchant_category[UNKNOWN_CATEGORY]).toBeGreaterThanOrEqual(1);
    expect(Object.keys(w.categorical.merchant_category)).not.toContain('never-seen-category');
    expect(w.score.counts.reduce((a, b) => a + b, 0)).toBe(31);
    expect(agg.take().rows).toBe(0); // take() starts a new window
  });
});

describe('masked sampling', () => {
  test('identifiers become salted hashes; other fields and the score are kept', () => {
    const tx = transaction(1) as unknown as ScoringInput;
    const a = maskRow(tx, 0.25, 'salt-1');
    expect(a.customer_id).toMatch(/^h:[0-9a-f]{16}$/);
    expect(a.transaction_id).toMatch(/^h:/);
    expect(a.merchant_id).toMatch(/^h:/);
    expect(a.device_fingerprint).toMatch(/^h:/);
    expect(a).toMatchObject({ amount: tx.amount, merchant_category: tx.merchant_category, pred_proba: 0.25 });
    expect(maskRow(tx, 0.25, 'salt-1').customer_id).toBe(a.customer_id);
    expect(maskRow(tx, 0.25, 'salt-2').customer_id).not.toBe(a.customer_id);
    expect(JSON.stringify(a)).not.toContain('CUST-SECRET');
  });

  test('the reservoir keeps at most capacity rows, uniformly drawn, and resets per window', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const sampler = new RowSampler({ capacity: 5, salt: 's', random });
    sampler.offer(rows(200), new Float32Array(200));
    const sample = sampler.take();
    expect(sample).toHaveLength(5);
    expect(new Set(sample.map((r) => r.customer_id)).size).toBe(5);
    expect(sample.some((r) => (r.amount as number) > 12.5 + 3.25 * 5)).toBe(true); // not just the first rows
    expect(sampler.take()).toHaveLength(0);
    const off = new RowSampler({ capacity: 0 });
    off.offer(rows(3), new Float32Array(3));
    expect(off.take()).toHaveLength(0);
  });
});

describe('ServiceTelemetry', () => {
  test('GIVEN no sink THEN telemetry is off: nothing aggregated, shutdown resolves', async () => {
    const t = new ServiceTelemetry({ deploymentName: 'blue', logger: memoryLogger().logger });
    t.attachModel(model.manifest);
    t.recordScored(new Float32Array(model.width), rows(1), new Float32Array(1), 1);
    t.recordInvalid('validation');
    t.flushAggregates();
    expect(t.enabled).toBe(false);
    await expect(t.shutdown(100)).resolves.toBeUndefined();
  });

  test('GIVEN a sink WHEN the app serves good and bad requests THEN metrics, drift window, sample and exceptions carry the deployment and no identifier', async () => {
    const sink = new MemorySink();
    const telemetry = new ServiceTelemetry({
      deploymentName: 'green',
      logger: memoryLogger().logger,
      sink,
      sampleRows: 3,
    });
    telemetry.attachModel(model.manifest);
    const s = await listenApp({ telemetry, config: { deploymentName: 'green', maxBatch: 5 } });
    s.state.setReady(model);
    try {
      await postJson(`${s.url}/score`, { features: transaction(1) });
      await postJson(`${s.url}/score`, { instances: rows(4) });
      await postJson(`${s.url}/score`, { features: { amount: 'x' } });
      await postJson(`${s.url}/score`, { features: { amount: 1, hour_of_day: 99 } });
      await postJson(`${s.url}/score`, '{bad json');
      await postJson(`${s.url}/score`, { instances: rows(6) });
      await fetch(`${s.url}/score`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
      await fetch(`${s.url}/missing`);
    } finally {
      await s.close();
    }
    // An internal error (a released session) is tracked as an exception with its correlation id.
    const broken = await loadTestModel();
    await broken.session.release();
    const s2 = await listenApp({ telemetry, config: { deploymentName: 'green' } });
    s2.state.setReady(broken);
    try {
      const res = await postJson(
        `${s2.url}/score`,
        { features: transaction(2) },
        { 'x-ms-client-request-id': 'corr-telemetry' },
      );
      expect(res.status).toBe(500);
    } finally {
      await s2.close();
    }
    expect(sink.exceptions).toHaveLength(1);
    expect(sink.exceptions[0].properties).toMatchObject({
      deployment: 'green',
      correlationId: 'corr-telemetry',
    });
    await telemetry.shutdown(1000);
    expect(sink.flushed).toBe(1);

    const latency = sink.metrics.filter((m) => m.name === TELEMETRY_NAMES.latency);
    expect(latency).toHaveLength(2);
    expect(latency[0].properties).toEqual({ deployment: 'green', model: 'fraud-test:1' });
    const invalid = Object.fromEntries(
      sink.metrics
        .filter((m) => m.name === TELEMETRY_NAMES.invalid)
        .map((m) => [m.properties.reason, m.value]),
    );
    expect(invalid).toEqual({
      validation: 2,
      invalid_json: 1,
      batch_too_large: 1,
      unsupported_media_type: 1,
      not_found: 1,
    });
    expect(sink.metrics.filter((m) => m.name === TELEMETRY_NAMES.rows).map((m) => m.value)).toEqual([5]);
    const scoreBins = sink.metrics.filter((m) => m.name === TELEMETRY_NAMES.score);
    expect(scoreBins.reduce((a, m) => a + m.value, 0)).toBe(5);

    const drift = sink.events.find((e) => e.name === TELEMETRY_NAMES.driftEvent);
    expect(drift?.properties.deployment).toBe('green');
    expect(drift?.properties.rows).toBe('5');
    expect((JSON.parse(drift?.properties.score ?? '[]') as number[]).reduce((a, b) => a + b, 0)).toBe(5);
    expect((JSON.parse(drift?.properties['numeric.amount'] ?? '[]') as number[]).length).toBe(
      model.manifest.baseline.numeric.amount.edges.length + 1,
    );
    for (const value of Object.values(drift?.properties ?? {})) expect(value.length).toBeLessThan(8192);
    const samples = sink.events.filter((e) => e.name === TELEMETRY_NAMES.sampleEvent);
    expect(samples).toHaveLength(3);
    expect(samples[0].properties.customer_id).toMatch(/^h:[0-9a-f]{16}$/);
    expect(Number(samples[0].properties.pred_proba)).toBeGreaterThanOrEqual(0);
    const everything = JSON.stringify([sink.metrics, sink.events, sink.exceptions]);
    expect(everything).not.toMatch(/CUST-SECRET|dev-\d+-fp|tx-10\d\d/);
  });
});
