/**
 * The HTTP contract of buildApp, against a real listening server on 127.0.0.1 and a model
 * trained by the model pipeline in the test (helpers.ts).
 */
import { featureMatrix } from '../../model/features';
import type { ScoringInput } from '../../model/schema';
import type { ServingModel } from '../../service/scoring/load-model';
import { ServingState } from '../../service/scoring/serving-state';
import { listenApp, loadTestModel, memoryLogger, postJson, transaction, type TestServer } from './helpers';

let model: ServingModel;
let srv: TestServer;
const log = memoryLogger('debug');

beforeAll(async () => {
  model = await loadTestModel();
  srv = await listenApp({ logger: log.logger });
  srv.state.setReady(model);
});
afterAll(async () => {
  await srv.close();
  await model.session.release();
});

const score = (body: unknown, headers?: Record<string, string>) =>
  postJson(`${srv.url}/score`, body, headers);

async function expectError(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, code: body.error }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(typeof body.correlationId).toBe('string');
  return body;
}

describe('readiness', () => {
  test('GIVEN no model yet THEN live is 200, ready and score are 503; WHEN loaded THEN ready is 200', async () => {
    const state = new ServingState();
    const s = await listenApp({ state });
    try {
      expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
      const notReady = await fetch(`${s.url}/health/ready`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'loading' });
      await expectError(await postJson(`${s.url}/score`, { features: transaction() }), 503, 'not_ready');
      state.setReady(model);
      const ready = await fetch(`${s.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', model: 'fraud-test:1' });
      state.setDraining();
      expect((await fetch(`${s.url}/health/ready`)).status).toBe(503);
      // Draining still serves (in-flight and already-routed requests), keeping the connection
      // until the listener is closed; from then on answers close their connection.
      const during = await postJson(`${s.url}/score`, { features: transaction() });
      expect(during.status).toBe(200);
      expect(during.headers.get('connection')).toBe('keep-alive');
      state.setClosingConnections();
      const res = await postJson(`${s.url}/score`, { features: transaction() });
      expect(res.status).toBe(200);
      expect(res.headers.get('connection')).toBe('close');
    } finally {
      await s.close();
    }
  });
});

describe('POST /score contract', () => {
  test("the original clients' shape {features} answers pred_proba, model and deployment", async () => {
    const res = await score({ features: transaction(3) }, { 'x-ms-client-request-id': 'client-abc-123' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ms-client-request-id')).toBe('client-abc-123');
    const body = (await res.json()) as { pred_proba: number; model: string; deployment: string };
    expect(Object.keys(body).sort()).toEqual(['deployment', 'model', 'pred_proba']);
    expect(body.model).toBe('fraud-test:1');
    expect(body.deployment).toBe('blue');
    expect(body.pred_proba).toBeGreaterThanOrEqual(0);
    expect(body.pred_proba).toBeLessThanOrEqual(1);
  });

  test('scores equal a direct ORT run on the shared feature code', async () => {
    const txs = [0, 1, 2, 3, 4, 5].map(transaction);
    const expected = await model.session.scoreRows(
      featureMatrix(txs as unknown as ScoringInput[], model.manifest.featureSpec),
      txs.length,
    );
    const singles = await Promise.all(
      txs.map(
        async (tx) => ((await (await score({ features: tx })).json()) as { pred_proba: number }).pred_proba,
      ),
    );
    const batch = (await (await score({ instances: txs })).json()) as {
      predictions: number[];
      model: string;
    };
    expect(batch.model).toBe('fraud-test:1');
    expect(batch.predictions).toHaveLength(txs.length);
    txs.forEach((_, i) => {
      expect(singles[i]).toBeCloseTo(expected[i], 6);
      expect(batch.predictions[i]).toBeCloseTo(expected[i], 6);
    });
    // Risky inputs score higher than benign ones: the model is real, not a constant.
    const risky = {
      ...transaction(0),
      amount: 5000,
      avg_monthly_spend: 50,
      hour_of_day: 3,
      num_prev_tx_24h: 9,
      customer_tenure_days: 2,
      ip_geo_country: 'NG',
      merchant_category: 'electronics',
    };
    const benign = {
      ...transaction(0),
      amount: 20,
      avg_monthly_spend: 2000,
      hour_of_day: 14,
      num_prev_tx_24h: 0,
      customer_tenure_days: 3000,
      ip_geo_country: 'US',
      merchant_category: 'grocery',
    };
    const [r, b] = ((await (await score({ instances: [risky, benign] })).json()) as { predictions: number[] })
      .predictions;
    expect(r).toBeGreaterThan(b);
  });

  test('unknown fields are ignored and optional fields may be missing (imputed)', async () => {
    const res = await score({
      features: { amount: 99.5, is_fraud: 1, note: 'x' },
      extra: true,
      model: 'ignored',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { pred_proba: number };
    expect(body.pred_proba).toBeGreaterThanOrEqual(0);
  });

  test('batch of exactly MAX_BATCH rows is accepted', async () => {
    const res = await score({ instances: Array.from({ length: 50 }, (_, i) => transaction(i)) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { predictions: number[] }).predictions).toHaveLength(50);
  });
});

describe('POST /score errors', () => {
  test.each([
    ['a string amount', { amount: '12' }, 'features.amount', /finite number/],
    ['an hour out of range', { amount: 1, hour_of_day: 24 }, 'features.hour_of_day', /integer in 0\.\.23/],
    ['a fractional day', { amount: 1, day_of_week: 1.5 }, 'features.day_of_week', /integer in 0\.\.6/],
    ['a negative amount', { amount: -1 }, 'features.amount', /0\.\.10000000/],
    ['a missing amount', { currency: 'USD' }, 'features.amount', /is required/],
    [
      'an oversized string',
      { amount: 1, customer_id: 'c'.repeat(500) },
      'features.customer_id',
      /at most 128 characters/,
    ],
    ['a number as category', { amount: 1, currency: 7 }, 'features.currency', /string/],
  ])('400 names the field, value and rule for %s', async (_what, features, field, rule) => {
    const body = await expectError(await score({ features }), 400, 'invalid_request');
    const errors = body.errors as { field: string; value: unknown; rule: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe(field);
    expect(errors[0].rule).toMatch(rule);
    expect(errors[0]).toHaveProperty('value');
    expect(JSON.stringify(errors[0].value ?? '').length).toBeLessThan(100); // long values are shortened
  });

  test('Infinity (1e999 parses to it) is rejected by field; NaN literals are invalid JSON', async () => {
    const inf = await expectError(await score('{"features":{"amount":1e999}}'), 400, 'invalid_request');
    expect(inf.errors).toEqual([expect.objectContaining({ field: 'features.amount', value: 'Infinity' })]);
    const nan = await expectError(await score('{"features":{"amount":NaN}}'), 400, 'invalid_json');
    expect(nan.message).toMatch(/NaN and Infinity are not JSON/);
  });

  test('every bad field of every bad row is listed, with its row index', async () => {
    const instances = [
      transaction(0),
      { ...transaction(1), hour_of_day: -1 },
      transaction(2),
      { amount: 'x', day_of_week: 9 },
    ];
    const body = await expectError(await score({ instances }), 400, 'invalid_request');
    expect((body.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'instances[1].hour_of_day',
      'instances[3].amount',
      'instances[3].day_of_week',
    ]);
    expect(body.errorCount).toBe(3);
  });

  test.each([
    ['not an object', [1, 2], '(root)'],
    ['neither features nor instances', { rows: [] }, 'features'],
    [
      'both features and instances',
      { features: transaction(), instances: [transaction()] },
      'features|instances',
    ],
    ['features not an object', { features: 'amount=3' }, 'features'],
    ['instances not an array', { instances: { amount: 1 } }, 'instances'],
    ['empty instances', { instances: [] }, 'instances'],
    ['a row that is not an object', { instances: [transaction(), 5] }, 'instances[1]'],
  ])('400 for %s', async (_what, body, field) => {
    const res = await expectError(await score(body), 400, 'invalid_request');
    expect((res.errors as { field: string }[])[0].field).toBe(field);
  });

  test('more instances than MAX_BATCH is a 400 naming the limit', async () => {
    const body = await expectError(
      await score({ instances: Array.from({ length: 51 }, (_, i) => transaction(i)) }),
      400,
      'invalid_request',
    );
    expect(body.errors).toEqual([
      { field: 'instances', value: '51 rows', rule: 'must hold at most 50 instances (MAX_BATCH)' },
    ]);
  });

  test('malformed JSON is 400, oversized is 413, wrong media type is 415', async () => {
    await expectError(await score('{"features": {'), 400, 'invalid_json');
    const big = { instances: Array.from({ length: 40 }, () => ({ amount: 1, note: 'n'.repeat(2000) })) };
    await expectError(await score(big), 413, 'payload_too_large');
    await expectError(
      await fetch(`${srv.url}/score`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      }),
      415,
      'unsupported_media_type',
    );
    await expectError(
      await fetch(`${srv.url}/score`, { method: 'POST', body: JSON.stringify({ features: transaction() }) }),
      415,
      'unsupported_media_type',
    );
    await expectError(await fetch(`${srv.url}/score`, { method: 'POST' }), 415, 'unsupported_media_type');
    await expectError(
      await score('{"features":{"amount":1}}', { 'content-type': 'application/json; charset=latin1' }),
      415,
      'unsupported_media_type',
    );
    const empty = await fetch(`${srv.url}/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '',
    });
    expect(empty.status).toBe(400);
  });

  test('unknown routes are JSON 404, wrong methods JSON 405 with Allow', async () => {
    await expectError(await fetch(`${srv.url}/nope`), 404, 'not_found');
    await expectError(await postJson(`${srv.url}/`, {}), 405, 'method_not_allowed');
    const get = await expectError(await fetch(`${srv.url}/score`), 405, 'method_not_allowed');
    expect(get.message).toMatch(/use POST/);
    const del = await fetch(`${srv.url}/health/live`, { method: 'DELETE' });
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    await expectError(del, 405, 'method_not_allowed');
  });

  test('an internal failure is a generic 500 with a correlation id; the detail is only logged', async () => {
    const broken = await loadTestModel();
    await broken.session.release(); // a real failure inside ORT, not a mock
    const s = await listenApp({ logger: log.logger });
    s.state.setReady(broken);
    try {
      const body = await expectError(
        await postJson(
          `${s.url}/score`,
          { features: transaction() },
          { 'x-ms-client-request-id': 'corr-500' },
        ),
        500,
        'internal_error',
      );
      expect(body).toEqual({
        error: 'internal_error',
        message: 'internal error; quote correlation id corr-500',
        correlationId: 'corr-500',
      });
      const logged = log.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.correlationId === 'corr-500' && l.level === 'error');
      expect(logged).toMatchObject({ level: 'error', msg: 'request failed' });
    } finally {
      await s.close();
    }
  });

  test('identifiers are never logged in clear', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toMatch(/CUST-SECRET|dev-\d+-fp|tx-10\d\d/);
  });
});

describe('GET /metadata', () => {
  test('names the model, the deployment and each request field with its type', async () => {
    const res = await fetch(`${srv.url}/metadata`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      deployment: string;
      model: { ref: string; input: { featureNames: string[] } };
      request: { fields: { name: string; type: string; required: boolean; identifier: boolean }[] };
    };
    expect(body.deployment).toBe('blue');
    expect(body.model.ref).toBe('fraud-test:1');
    expect(body.model.input.featureNames).toEqual(model.manifest.input.featureNames);
    const fields = Object.fromEntries(body.request.fields.map((f) => [f.name, f]));
    expect(fields.amount).toMatchObject({ type: 'number', required: true, identifier: false });
    expect(fields.hour_of_day).toMatchObject({ type: 'integer', min: 0, max: 23 });
    expect(fields.customer_id).toMatchObject({ type: 'string', identifier: true });
  });
});

describe('optional API key', () => {
  const key = 'k3y-'.repeat(6);
  let s: TestServer;
  beforeAll(async () => {
    s = await listenApp({ config: { apiKey: key } });
    s.state.setReady(model);
  });
  afterAll(() => s.close());

  test('GIVEN API_KEY THEN /score and /metadata need it; probes do not', async () => {
    await expectError(await postJson(`${s.url}/score`, { features: transaction() }), 401, 'unauthorized');
    await expectError(
      await postJson(`${s.url}/score`, { features: transaction() }, { 'x-api-key': `${key}x` }),
      401,
      'unauthorized',
    );
    await expectError(await fetch(`${s.url}/metadata`), 401, 'unauthorized');
    expect((await postJson(`${s.url}/score`, { features: transaction() }, { 'x-api-key': key })).status).toBe(
      200,
    );
    expect(
      (await postJson(`${s.url}/score`, { features: transaction() }, { authorization: `Bearer ${key}` }))
        .status,
    ).toBe(200);
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
  });
});
