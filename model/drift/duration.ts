/** Durations on the command line: `30m`, `1h`, `24h`, `7d`. */
const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `1h`; throws naming the value and the accepted form. */
export function parseDuration(text: string, what = 'window'): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]] : NaN;
  if (!(ms > 0) || ms > 90 * UNITS.d) {
    throw new Error(`${what} must be a duration like 30m, 1h, 24h or 7d (at most 90d), got '${text}'`);
  }
  return ms;
}
