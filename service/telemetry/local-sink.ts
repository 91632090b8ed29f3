/**
 * A telemetry sink that appends JSON lines to a local file, for laptops and tests: two local
 * servers (blue and green) started with `TELEMETRY_LOCAL_FILE` leave what `npm run canary --
 * analyze --source local` reads (model/canary/local-source.ts parses this format; service/ may
 * not import model/canary, so the format is written out here and a test ties the two).
 *
 * One record per line, keys in this order (the reader has a fast path for request lines):
 *   {"type":"request","ts":<epoch ms>,"deployment":"blue","model":"name:version","status":200,"durationMs":3.2,"scores":[0.01,...]}
 *   {"type":"request","ts":...,"deployment":"blue","model":"...","status":500}            (an internal error)
 *   {"type":"metric","ts":...,"name":"...","value":1,"properties":{...}}
 *   {"type":"event","ts":...,"name":"...","properties":{...}}
 * Scores are rounded to 6 decimals. Nothing here holds identifiers: the service only passes
 * metric/event properties that are already masked, and exceptions are reduced to a 500 record.
 * Writes are buffered by a write stream, off the request path; flush() waits for them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../logger';
import type { RequestTelemetry, TelemetryProperties, TelemetrySink } from './sink';

export function createLocalFileSink(file: string, logger: Logger): TelemetrySink {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const out = fs.createWriteStream(file, { flags: 'a' });
  let failed = false;
  out.on('error', (err) => {
    if (!failed) logger.warn('local telemetry file write failed', { file, err: String(err) });
    failed = true;
  });
  const write = (line: string): void => {
    if (!failed) out.write(`${line}\n`);
  };
  const head = (type: string): string => `{"type":"${type}","ts":${Date.now()}`;
  const prop = (p: TelemetryProperties, key: string): string => JSON.stringify(p[key] ?? '');
  logger.info('telemetry to a local file', { file });
  return {
    trackRequest(r: RequestTelemetry): void {
      let scores = '';
      for (let i = 0; i < r.scores.length; i += 1)
        scores += `${i ? ',' : ''}${Math.round(r.scores[i] * 1e6) / 1e6}`;
      write(
        `${head('request')},"deployment":${prop(r.properties, 'deployment')},"model":${prop(r.properties, 'model')},"status":${r.status},"durationMs":${Math.round(r.durationMs * 1000) / 1000},"scores":[${scores}]}`,
      );
    },
    trackMetric(name, value, properties): void {
      write(
        `${head('metric')},"name":${JSON.stringify(name)},"value":${value},"properties":${JSON.stringify(properties)}}`,
      );
    },
    trackEvent(name, properties): void {
      write(`${head('event')},"name":${JSON.stringify(name)},"properties":${JSON.stringify(properties)}}`);
    },
    trackException(_error, properties): void {
      write(
        `${head('request')},"deployment":${prop(properties, 'deployment')},"model":${prop(properties, 'model')},"status":500}`,
      );
    },
    // An empty write's callback runs once everything written before it is flushed.
    flush: () => new Promise<void>((resolve) => (failed ? resolve() : out.write('', () => resolve()))),
    shutdown: () => new Promise<void>((resolve) => out.end(() => resolve())),
  };
}
