/**
 * The two value helpers every validator in the infrastructure code uses, so that a problem
 * message shows a value the same way wherever it comes from (environment settings, rollout
 * constants, policy rules, `npm run rollout`). Pure: no cdktf, no I/O.
 *
 * model/ and service/ cannot import constructs/ (DESIGN.md "Dependency direction"), so they keep
 * their own copies; everything under main.ts, stacks/, constructs/ and scripts/ uses these.
 */

/** A plain object (not null, not an array): what a config section must be before its fields are read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a plain object, else `{}`: for reading untyped input without casts. */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/**
 * A value as a problem message shows it: JSON (`"West Europe"`, `3`, `{"a":1}`), `unset` for
 * undefined, and `String(value)` for what JSON cannot show (functions, bigints, cycles).
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'unset';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
