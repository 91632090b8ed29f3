/**
 * model/schema's validation fast paths (the batch hot path of POST /score) must not change a
 * verdict or a message:
 * - a full, valid row is taken by straight-line code; every other row by the general loop. Both
 *   must agree with the rule table read field by field (`checkField`), for rows with any mix of
 *   valid, missing, null and wrong values;
 * - the timestamp rule is `Date.parse` accepts the string; plain ISO-8601 date-times are
 *   recognised without calling it, and that shortcut may only ever say yes where Date.parse does.
 */
import * as fc from 'fast-check';
import {
  checkField,
  FIELD_RULES,
  isPlainIsoDateTime,
  TRANSACTION_FIELDS,
  validateScoringInput,
  type FieldError,
} from '../../model/schema';
import { transaction } from './helpers';

type ScoringField = keyof typeof FIELD_RULES;
const FIELDS = TRANSACTION_FIELDS.filter((f): f is ScoringField => f !== 'is_fraud');

/** The contract, read straight from the rule table. */
function reference(raw: Record<string, unknown>, prefix: string): ReturnType<typeof validateScoringInput> {
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const v = raw[field];
    if (v === undefined || v === null) {
      if (field === 'amount') {
        errors.push({ field: `${prefix}.${field}`, value: v, rule: `is required; ${checkField(field, v)}` });
      }
      continue;
    }
    const broken = checkField(field, v);
    if (broken) errors.push({ field: `${prefix}.${field}`, value: v, rule: broken });
    else value[field] = v;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: value as never };
}

test('rows with any mix of valid, missing, null and wrong fields: the verdict, errors and value of the rule table', () => {
  const wrong = fc.oneof(
    fc.constantFrom(null, undefined, '', -1, 24, 1.5, 1e7 + 1, Infinity, NaN, true, 'x'.repeat(129), {}, []),
    fc.constantFrom(
      '2025-13-01T00:00:00Z',
      '2025-02-30T00:00:00Z',
      '2025-09-19T24:00:00Z',
      'yesterday',
      '12',
    ),
    fc.string({ maxLength: 8 }),
    fc.double(),
  );
  fc.assert(
    fc.property(
      fc.nat(200),
      fc.array(fc.option(wrong, { freq: 3 }), { minLength: FIELDS.length, maxLength: FIELDS.length }),
      (i, changes) => {
        const raw: Record<string, unknown> = transaction(i);
        FIELDS.forEach((f, k) => {
          if (changes[k] !== null) raw[f] = changes[k];
        });
        expect(validateScoringInput(raw, 'instances[1]')).toStrictEqual(reference(raw, 'instances[1]'));
      },
    ),
    { seed: 11, numRuns: 2000 },
  );
});

test('each field broken alone in a full row is named (the straight-line path lists every field)', () => {
  for (const field of FIELDS) {
    const raw: Record<string, unknown> = { ...transaction(3), [field]: field === 'amount' ? 'x' : -1 };
    const r = validateScoringInput(raw, 'features');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.field)).toEqual([`features.${field}`]);
  }
});

describe('timestamps', () => {
  test('every string the ISO shortcut accepts, Date.parse accepts (years, months, days, fractions, zones)', () => {
    const accepted: string[] = [];
    const pad = (v: number, n: number): string => String(v).padStart(n, '0');
    for (const year of [0, 1, 99, 100, 1000, 1600, 1900, 1970, 2000, 2024, 2025, 2100, 9999]) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          for (const time of [
            '00:00:00',
            '23:59:59',
            '12:30:45.5',
            '11:44:16.968098',
            '01:02:03.123456789',
            '24:00:00',
            '23:60:00',
            '23:59:60',
          ]) {
            for (const zone of ['', 'Z', '+00:00', '-23:59', '+23:59', '+24:00', '-00:60']) {
              const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${zone}`;
              if (isPlainIsoDateTime(s)) accepted.push(s);
            }
          }
        }
      }
    }
    expect(accepted.length).toBeGreaterThan(100_000); // the shortcut does take the common forms
    expect(accepted.filter((s) => Number.isNaN(Date.parse(s)))).toEqual([]);
  });

  test('near-ISO strings: the timestamp rule is exactly Date.parse', () => {
    const base = fc.constantFrom(
      '2025-09-19T11:44:16.968098',
      '2024-02-29T00:00:00Z',
      '2025-09-19T11:44:16+01:00',
      '1999-12-31T23:59:59.1234567891Z',
    );
    const edit = fc.record({
      at: fc.nat(40),
      ch: fc.constantFrom(...'0123456789-:T.Z+ tz/'),
      drop: fc.boolean(),
    });
    fc.assert(
      fc.property(base, fc.array(edit, { maxLength: 3 }), (s: string, edits) => {
        let t = s;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = e.drop ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + e.ch + t.slice(at + 1);
        }
        const parses = t.length > 0 && !Number.isNaN(Date.parse(t));
        if (isPlainIsoDateTime(t)) expect(parses).toBe(true);
        const accepted = checkField('transaction_ts', t) === undefined;
        expect(accepted).toBe(parses && t.length <= 64);
      }),
      { seed: 5, numRuns: 3000 },
    );
  });
});
