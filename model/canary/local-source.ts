/**
 * Canary data from the JSON-lines files the scoring service writes when started with
 * `TELEMETRY_LOCAL_FILE` (service/telemetry/local-sink.ts documents the format). Reads one file
 * or every `*.jsonl` file of a folder. Request lines are parsed from the bytes (fixed key order,
 * no string decoding, no JSON.parse, no per-line objects); other lines are skipped.
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

const REQUEST_PREFIX = Buffer.from('{"type":"request","ts":');
const DEPLOYMENT_KEY = Buffer.from(',"deployment":"');
const MODEL_KEY = Buffer.from(',"model":"');
const STATUS_KEY = Buffer.from(',"status":');
const DURATION_KEY = Buffer.from(',"durationMs":');
const SCORES_KEY = Buffer.from(',"scores":[');
const NEWLINE = 10;
const QUOTE = 34;
const COMMA = 44;
const CLOSE_BRACKET = 93;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A byte cursor over one file. Numbers are parsed from the bytes (digits, one '.', optional
 * '-'): integer mantissa / 10^k, which rounds exactly like Number() for up to 15 significant
 * digits; anything else (exponents, long mantissas) falls back to Number() on the text.
 */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  expect(key: Buffer, end: number): boolean {
    const { buf } = this;
    if (this.pos + key.length > end) return false;
    for (let k = 0; k < key.length; k += 1) if (buf[this.pos + k] !== key[k]) return false;
    this.pos += key.length;
    return true;
  }

  /** A JSON number up to `end`; NaN when malformed. Leaves pos after the number. */
  number(end: number): number {
    const { buf } = this;
    const from = this.pos;
    let p = from;
    let neg = false;
    if (buf[p] === 45) {
      neg = true;
      p += 1;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let seenDot = false;
    for (; p < end; p += 1) {
      const c = buf[p];
      if (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits += 1;
        if (seenDot) scale += 1;
      } else if (c === 46 && !seenDot) seenDot = true;
      else break;
    }
    const c = buf[p];
    if (c === 101 || c === 69 || digits > 15) {
      // Exponent or too many digits: let the JS parser decide.
      while (p < end && buf[p] !== COMMA && buf[p] !== CLOSE_BRACKET && buf[p] !== 125) p += 1;
      this.pos = p;
      return Number(buf.toString('latin1', from, p));
    }
    this.pos = p;
    if (digits === 0) return NaN;
    const v = scale === 0 ? mantissa : mantissa / POW10[scale];
    return neg ? -v : v;
  }

  /** The bytes of a JSON string body (no escapes expected) up to the closing quote: [start, end). */
  stringSpan(end: number): [number, number] | undefined {
    const { buf } = this;
    let close = this.pos;
    while (close < end && buf[close] !== QUOTE && buf[close] !== NEWLINE) close += 1;
    if (close >= end || buf[close] !== QUOTE) return undefined;
    const span: [number, number] = [this.pos, close];
    this.pos = close + 1;
    return span;
  }
}

interface Target {
  readonly name: Buffer;
  readonly acc: Acc;
  modelBytes?: Buffer;
}

/** Parses request records of `buf` into per-deployment accumulators; returns lines skipped as malformed. */
export function accumulateRequests(
  buf: Buffer,
  window: CanaryWindow,
  wanted: readonly string[],
  into: Map<string, Acc>,
): number {
  const start = window.start.getTime();
  const end = window.end.getTime();
  const targets: Target[] = wanted.map((name) => {
    let acc = into.get(name);
    if (!acc) {
      acc = { requests: 0, errors: 0, latency: new Floats(), scores: new Floats() };
      into.set(name, acc);
    }
    return { name: Buffer.from(name), acc };
  });
  const cur = new Cursor(buf);
  let malformed = 0;
  let pos = 0;
  const n = buf.length;
  while (pos < n) {
    cur.pos = pos;
    // A request line parsed to its end leaves the cursor on '}' + '\n': no separate newline scan.
    if (cur.expect(REQUEST_PREFIX, n)) {
      const ok = parseRequest(cur, n, start, end, targets);
      if (ok && buf[cur.pos] === 125 && (cur.pos + 1 === n || buf[cur.pos + 1] === NEWLINE)) {
        pos = cur.pos + 2;
        continue;
      }
      if (!ok) malformed += 1;
    }
    let eol = cur.pos;
    while (eol < n && buf[eol] !== NEWLINE) eol += 1;
    pos = eol + 1;
  }
  for (const t of targets) if (t.acc.requests === 0) into.delete(t.name.toString());
  return malformed;
}

function parseRequest(cur: Cursor, eol: number, start: number, end: number, targets: Target[]): boolean {
  // {"type":"request","ts":N,"deployment":"S","model":"S","status":N[,"durationMs":N,"scores":[...]]}
  const ts = cur.number(eol);
  if (!Number.isFinite(ts)) return false;
  if (ts < start || ts > end) return true;
  if (!cur.expect(DEPLOYMENT_KEY, eol)) return false;
  const dep = cur.stringSpan(eol);
  if (!dep) return false;
  const target = targets.find((t) => sameBytes(cur.buf, dep[0], dep[1], t.name));
  if (!target) return true;
  if (!cur.expect(MODEL_KEY, eol)) return false;
  const model = cur.stringSpan(eol);
  if (!model) return false;
  if (!target.modelBytes || !sameBytes(cur.buf, model[0], model[1], target.modelBytes)) {
    target.modelBytes = Buffer.from(cur.buf.subarray(model[0], model[1]));
    if (model[1] > model[0]) target.acc.model = target.modelBytes.toString('utf8');
  }
  if (!cur.expect(STATUS_KEY, eol)) return false;
  const status = cur.number(eol);
  if (!(status >= 100 && status <= 599)) return false;
  const acc = target.acc;
  acc.requests += 1;
  if (status >= 500) {
    acc.errors += 1;
    return true;
  }
  if (!cur.expect(DURATION_KEY, eol)) return true;
  const duration = cur.number(eol);
  if (Number.isFinite(duration)) acc.latency.push(duration);
  if (!cur.expect(SCORES_KEY, eol)) return true;
  while (cur.pos < eol && cur.buf[cur.pos] !== CLOSE_BRACKET) {
    const v = cur.number(eol);
    if (Number.isFinite(v)) acc.scores.push(v);
    else return false;
    if (cur.buf[cur.pos] === COMMA) cur.pos += 1;
  }
  if (cur.buf[cur.pos] !== CLOSE_BRACKET) return false;
  cur.pos += 1;
  return true;
}

function sameBytes(buf: Buffer, from: number, to: number, other: Buffer): boolean {
  if (to - from !== other.length) return false;
  for (let k = 0; k < other.length; k += 1) if (buf[from + k] !== other[k]) return false;
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
    for (const file of this.files) {
      const bytes = await fs.promises.readFile(file);
      const malformed = accumulateRequests(bytes, window, deployments, accs);
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
