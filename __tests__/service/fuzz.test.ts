/**
 * Property-based fuzzing of request bodies (fast-check, seeded): whatever a client sends,
 * the answer is a JSON 2xx/4xx, never a 5xx, and the server keeps answering.
 */
import * as fc from 'fast-check';
import { FIELD_RULES } from '../../model/schema';
import type { ServingModel } from '../../service/scoring/load-model';
import { listenApp, loadTestModel, postJson, transaction, type TestServer } from './helpers';

let model: ServingModel;
let srv: TestServer;
beforeAll(async () => {
  model = await loadTestModel();
  srv = await listenApp({ config: { maxBatch: 20, bodyLimitBytes: 32 * 1024 } });
  srv.state.setReady(model);
});
afterAll(async () => {
  await srv.close();
  await model.session.release();
});

const FIELDS = Object.keys(FIELD_RULES);
const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 23, 24, 1e7, 1e308, -0, 0.5),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 'US', 'USD', 'grocery', '2025-01-01T00:00:00Z', 'x'.repeat(129)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
/** Transaction-like objects: some real fields with arbitrary values, some junk keys. */
const txLike = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS, 'is_fraud', '__proto__', 'constructor', 'junk'), anyValue, {
    maxKeys: 16,
  }),
  fc.integer({ min: 0, max: 50 }).map((i) => transaction(i)),
  fc
    .tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom(...FIELDS), anyValue)
    .map(([i, f, v]) => ({ ...transaction(i), [f]: v })),
);

interface Outcome {
  status: number;
  body: Record<string, unknown>;
}

async function send(body: string, contentType = 'application/json'): Promise<Outcome> {
  const res = await fetch(`${srv.url}/score`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

function checkOutcome(o: Outcome): void {
  expect(o.status).toBeLessThan(500);
  if (o.status === 200) {
    const ps = 'pred_proba' in o.body ? [o.body.pred_proba] : (o.body.predictions as unknown[]);
    for (const p of ps) {
      expect(typeof p).toBe('number');
      expect(p as number).toBeGreaterThanOrEqual(0);
      expect(p as number).toBeLessThanOrEqual(1);
    }
  } else {
    expect(typeof o.body.error).toBe('string');
    expect(typeof o.body.message).toBe('string');
  }
}

test('structured bodies: {features}, {instances}, or anything JSON', async () => {
  const body = fc.oneof(
    txLike.map((features) => ({ features })),
    fc.array(txLike, { maxLength: 25 }).map((instances) => ({ instances })),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({
      features: fc.jsonValue({ maxDepth: 2 }),
      instances: fc.option(fc.jsonValue({ maxDepth: 2 })),
    }),
  );
  await fc.assert(
    fc.asyncProperty(body, async (b) => checkOutcome(await send(JSON.stringify(b) ?? 'null'))),
    { numRuns: 300, seed: 42 },
  );
});

test('raw bytes and text under various content types', async () => {
  const raw = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.constantFrom(
      '{"features":{"amount":NaN}}',
      '{"instances":[',
      '[]',
      '""',
      'null',
      '{"features":{"amount":1e999}}',
    ),
  );
  const type = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
  );
  await fc.assert(
    fc.asyncProperty(raw, type, async (r, t) => checkOutcome(await send(r, t))),
    { numRuns: 200, seed: 7 },
  );
});

test('the server still answers after fuzzing', async () => {
  expect((await fetch(`${srv.url}/health/live`)).status).toBe(200);
  const res = await postJson(`${srv.url}/score`, { features: transaction(1) });
  expect(res.status).toBe(200);
});
