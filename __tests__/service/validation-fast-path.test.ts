/**
 * validateScoringInput builds its result by a one-literal fast path when every field is
 * present (the batch hot path) and field by field otherwise: both must give the same object
 * (same keys, same order, same values) as the rule "known, non-null fields in TRANSACTION_FIELDS
 * order", and unknown fields must never pass through.
 */
import fc from 'fast-check';
import { TRANSACTION_FIELDS, validateScoringInput } from '../../model/schema';
import { transaction } from './helpers';

const FIELDS = TRANSACTION_FIELDS.filter((f) => f !== 'is_fraud');

test('valid rows with any subset of fields (absent, null or set) give exactly their known non-null fields, in order', () => {
  fc.assert(
    fc.property(
      fc.nat(500),
      fc.array(fc.constantFrom('set', 'absent', 'null'), {
        minLength: FIELDS.length,
        maxLength: FIELDS.length,
      }),
      fc.boolean(),
      (i, modes, extra) => {
        const full = transaction(i);
        const raw: Record<string, unknown> = extra ? { is_fraud: 1, note: 'x' } : {};
        FIELDS.forEach((f, k) => {
          // amount is required: keep it so the row stays valid
          const mode = f === 'amount' ? 'set' : modes[k];
          if (mode === 'set') raw[f] = full[f];
          else if (mode === 'null') raw[f] = null;
        });
        const r = validateScoringInput(raw, 'instances[0]');
        expect(r.ok).toBe(true);
        const expected = Object.fromEntries(FIELDS.filter((f) => raw[f] != null).map((f) => [f, raw[f]]));
        expect(r.ok && Object.keys(r.value)).toEqual(Object.keys(expected));
        expect(r.ok && r.value).toStrictEqual(expected);
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});
