/**
 * The project's one `isRecord` and one value formatter, used by every layer (model/, service/,
 * stacks/, constructs/, scripts/): a problem message shows a value the same way wherever it comes
 * from. A leaf module: it imports nothing from the project (eslint.config.mjs), so every layer
 * may import it without breaking DESIGN.md's dependency direction.
 */

/** A plain object (not null, not an array): what a config section or a JSON body must be before its fields are read. */
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
 * `maxLength` cuts long values (client-facing messages) and marks the cut with `…`.
 * @default maxLength - no limit
 */
export function formatValue(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  let text: string;
  if (value === undefined) {
    text = 'unset';
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
