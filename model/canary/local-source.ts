/**
 * Canary data from the JSON-lines files the scoring service writes when started with
 * `TELEMETRY_LOCAL_FILE` (service/telemetry/local-sink.ts documents the format). Reads one file
 * or every `*.jsonl` file of a folder. Request lines take a fast path (fixed key order, no
 * JSON.parse): a million request records are read in well under a second.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeploymentWindow } from './analyze';
import type { CanaryDataSource, CanaryWindow } from './source';

/** Growable float64 buffer (no per-element objects). */
class Floats {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

interface Acc {
  model?: string;
  requests: number;
  errors: number;
  latency: Floats;
  scores: Floats;
}

const REQUEST_PREFIX = '{"type":"request","ts":';

/** Parses request records of `text` into per-deployment accumulators; returns lines skipped as malformed. */
export function accumulateRequests(
  text: string,
  window: CanaryWindow,
  wanted: ReadonlySet<string>,
  into: Map<string, Acc>,
): number {
  const start = window.start.getTime();
  const end = window.end.getTime();
  let malformed = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    if (text.startsWith(REQUEST_PREFIX, pos)) {
      if (!parseRequestLine(text, pos, eol, start, end, wanted, into)) malformed += 1;
    }
    pos = eol + 1;
  }
  return malformed;
}

function parseRequestLine(
  text: string,
  from: number,
  to: number,
  start: number,
  end: number,
  wanted: ReadonlySet<string>,
  into: Map<string, Acc>,
): boolean {
  // {"type":"request","ts":N,"deployment":"S","model":"S","status":N[,"durationMs":N,"scores":[...]]}
  let p = from + REQUEST_PREFIX.length;
  const tsEnd = text.indexOf(',', p);
  if (tsEnd < 0 || tsEnd > to) return false;
  const ts = Number(text.slice(p, tsEnd));
  if (!Number.isFinite(ts)) return false;
  if (ts < start || ts > end) return true;
  p = tsEnd + 1;
  if (!text.startsWith('"deployment":"', p)) return false;
  p += 14;
  const depEnd = text.indexOf('"', p);
  if (depEnd < 0 || depEnd > to) return false;
  const deployment = text.slice(p, depEnd);
  if (!wanted.has(deployment)) return true;
  p = depEnd + 1;
  if (!text.startsWith(',"model":"', p)) return false;
  p += 10;
  const modelEnd = text.indexOf('"', p);
  if (modelEnd < 0 || modelEnd > to) return false;
  const model = text.slice(p, modelEnd);
  p = modelEnd + 1;
  if (!text.startsWith(',"status":', p)) return false;
  p += 10;
  let statusEnd = p;
  while (statusEnd < to && text.charCodeAt(statusEnd) >= 48 && text.charCodeAt(statusEnd) <= 57)
    statusEnd += 1;
  const status = Number(text.slice(p, statusEnd));
  if (!(status >= 100 && status <= 599)) return false;
  let acc = into.get(deployment);
  if (!acc) {
    acc = { requests: 0, errors: 0, latency: new Floats(), scores: new Floats() };
    into.set(deployment, acc);
  }
  if (model) acc.model = model;
  acc.requests += 1;
  if (status >= 500) {
    acc.errors += 1;
    return true;
  }
  p = statusEnd;
  if (!text.startsWith(',"durationMs":', p)) return true;
  p += 14;
  const durEnd = text.indexOf(',', p);
  if (durEnd < 0 || durEnd > to) return false;
  const duration = Number(text.slice(p, durEnd));
  if (Number.isFinite(duration)) acc.latency.push(duration);
  p = durEnd + 1;
  if (!text.startsWith('"scores":[', p)) return true;
  p += 10;
  const close = text.indexOf(']', p);
  if (close < 0 || close > to) return false;
  while (p < close) {
    let comma = text.indexOf(',', p);
    if (comma < 0 || comma > close) comma = close;
    const v = Number(text.slice(p, comma));
    if (Number.isFinite(v)) acc.scores.push(v);
    p = comma + 1;
  }
  return true;
}

/** The local telemetry files as a CanaryDataSource. */
export class LocalTelemetrySource implements CanaryDataSource {
  readonly description: string;
  /** Problems met by the last load (malformed lines), for the caller to show. */
  warnings: string[] = [];
  private readonly files: string[];

  /** @param location a `.jsonl` file or a folder of them */
  constructor(location: string) {
    const abs = path.resolve(location);
    if (!fs.existsSync(abs))
      throw new Error(
        `local telemetry '${abs}' does not exist (start npm run serve with TELEMETRY_LOCAL_FILE)`,
      );
    this.files = fs.statSync(abs).isDirectory()
      ? fs
          .readdirSync(abs)
          .filter((f) => f.endsWith('.jsonl'))
          .sort()
          .map((f) => path.join(abs, f))
      : [abs];
    if (this.files.length === 0) throw new Error(`local telemetry folder '${abs}' has no .jsonl files`);
    this.description = `local:${abs}`;
  }

  async load(window: CanaryWindow, deployments: readonly string[]): Promise<Map<string, DeploymentWindow>> {
    const accs = new Map<string, Acc>();
    this.warnings = [];
    const wanted = new Set(deployments);
    for (const file of this.files) {
      const text = await fs.promises.readFile(file, 'utf8');
      const malformed = accumulateRequests(text, window, wanted, accs);
      if (malformed > 0) this.warnings.push(`${file}: ${malformed} malformed request line(s) skipped`);
    }
    const out = new Map<string, DeploymentWindow>();
    for (const [deployment, a] of accs) {
      out.set(deployment, {
        deployment,
        ...(a.model ? { model: a.model } : {}),
        requests: a.requests,
        errors: a.errors,
        latencyMs: a.latency.view(),
        scores: a.scores.view(),
      });
    }
    return out;
  }
}
