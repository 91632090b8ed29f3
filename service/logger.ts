/**
 * Structured JSON logs, one object per line on stdout (Azure ML collects container stdout;
 * `getLogs` and Log Analytics parse it as-is). No library: a line is `JSON.stringify` of
 * `{ts, level, msg, ...fields}`, written synchronously so that lines are never interleaved
 * and nothing is lost on exit.
 *
 * Callers never pass raw request payloads or identifiers; the scoring routes log field
 * names and rules only.
 */
import type { LogLevel } from './config';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** Whether `level` lines are written (to skip building expensive fields). */
  enabled(level: LogLevel): boolean;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** Where lines go. @default process.stdout */
  readonly write?: (line: string) => void;
  /** Fields on every line. @default {} */
  readonly base?: LogFields;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (RANK[level] < min) return;
      write(`${safeStringify({ ts: new Date().toISOString(), level, msg, ...base, ...fields })}\n`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
      enabled: (level) => RANK[level] >= min,
    };
  };
  return make(options.base ?? {});
}

/** Errors become {name, message, stack}; cycles and BigInts do not throw. */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}
