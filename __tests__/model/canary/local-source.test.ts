/**
 * The local telemetry format: what service/telemetry/local-sink.ts writes is what
 * model/canary/local-source.ts reads (the two sides cannot import each other).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalTelemetrySource } from '../../../model/canary/local-source';
import { createJsonLogger } from '../../../service/logger';
import { createLocalFileSink } from '../../../service/telemetry/local-sink';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-telemetry-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('requests, errors, latencies and scores round-trip per deployment; other lines are ignored', async () => {
  const logger = createJsonLogger({ level: 'error', write: () => undefined });
  const sink = createLocalFileSink(path.join(dir, 'blue.jsonl'), logger);
  const props = { deployment: 'blue', model: 'fraud:1' };
  sink.trackMetric('scoring_latency_ms', 3, props);
  sink.trackRequest?.({
    status: 200,
    durationMs: 3.25,
    scores: Float32Array.of(0.125, 0.5),
    properties: props,
  });
  sink.trackRequest?.({ status: 200, durationMs: 7.5, scores: Float32Array.of(0.25), properties: props });
  sink.trackException(new Error('boom'), { ...props, correlationId: 'c1' });
  sink.trackEvent('scoring_drift_window', { ...props, rows: '3' });
  await sink.flush();
  await sink.shutdown();
  // A second deployment's file, a truncated line, and a line outside the window.
  fs.writeFileSync(
    path.join(dir, 'green.jsonl'),
    [
      '{"type":"request","ts":1,"deployment":"green","model":"fraud:2","status":200,"durationMs":1,"scores":[0.9]}',
      `{"type":"request","ts":${Date.now()},"deployment":"green","model":"fraud:2","status":200,"durationMs":2,"scores":[0.75,0.5]}`,
      `{"type":"request","ts":${Date.now()},"deployment":"green","model":"fraud:2","sta`,
      '',
    ].join('\n'),
  );
  const source = new LocalTelemetrySource(dir);
  const now = Date.now();
  const data = await source.load({ start: new Date(now - 60_000), end: new Date(now + 1000) }, [
    'blue',
    'green',
  ]);
  expect(source.description).toBe(`local:${dir}`);
  const blue = data.get('blue');
  expect(blue).toMatchObject({ model: 'fraud:1', requests: 3, errors: 1 });
  expect(Array.from(blue?.latencyMs ?? [])).toEqual([3.25, 7.5]);
  expect(Array.from(blue?.scores ?? [])).toEqual([0.125, 0.5, 0.25]);
  const green = data.get('green');
  expect(green).toMatchObject({ requests: 1, errors: 0 });
  expect(Array.from(green?.scores ?? [])).toEqual([0.75, 0.5]);
  expect(source.warnings.join()).toMatch(/green\.jsonl: 1 malformed request line\(s\) skipped/);
  expect(() => new LocalTelemetrySource(path.join(dir, 'missing'))).toThrow(
    /does not exist \(start npm run serve with TELEMETRY_LOCAL_FILE\)/,
  );
});
