/** Small helpers for the model CLIs: typed option parsing with clear messages. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** parseArgs with strict checking; unknown options become a UsageError naming the option. */
export function parseCliArgs(argv: string[], options: NonNullable<ParseArgsConfig['options']>): OptionValues {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Reads an integer option; `undefined` when absent and no default. */
export function intOption(
  values: OptionValues,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${String(raw)}'`);
  }
  return v;
}

export function numberOption(
  values: OptionValues,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be a number in ${min}..${max}, got '${String(raw)}'`);
  }
  return v;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** Runs a CLI main: usage errors exit 2, other errors exit 1, both with one clear line. */
export function runCli(main: () => Promise<void>, usage: string): void {
  main().then(
    () => undefined,
    (e: unknown) => {
      const err = e as Error;
      if (err instanceof UsageError) {
        process.stderr.write(`error: ${err.message}\n\n${usage}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 1;
      }
    },
  );
}
