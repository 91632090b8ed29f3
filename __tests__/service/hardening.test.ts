/**
 * Issue 9 A, C (the HTTP-level findings) and D against buildApp on a real listening server:
 * the original clients' routes, deeply nested JSON, charsets, encodings, the bearer scheme,
 * and metrics keyed on typed error reasons.
 */
import { parseScoreBody } from '../../service/http/score-route';
import { HttpError } from '../../service/http/errors';
import type { ServingModel } from '../../service/scoring/load-model';
import { ServingState } from '../../service/scoring/serving-state';
import { ServiceTelemetry, TELEMETRY_NAMES } from '../../service/telemetry/service-telemetry';
import {
  listenApp,
  loadTestModel,
  memoryLogger,
  MemorySink,
  postJson,
  transaction,
  type TestServer,
} from './helpers';

let model: ServingModel;
let srv: TestServer;
let sink: MemorySink;
let telemetry: ServiceTelemetry;
const log = memoryLogger('debug');
const key = 'k3y-'.repeat(6);

beforeAll(async () => {
  model = await loadTestModel();
  sink = new MemorySink();
  telemetry = new ServiceTelemetry({ deploymentName: 'blue', logger: log.logger, sink, sampleRows: 0 });
  telemetry.attachModel(model.manifest);
  srv = await listenApp({ logger: log.logger, telemetry });
  srv.state.setReady(model);
});
afterAll(async () => {
  await srv.close();
  await telemetry.shutdown(100);
  await model.session.release();
});

describe("the original project's clients, unchanged (A)", () => {
  test('POST /predict answers exactly as POST /score, with the same validation and telemetry', async () => {
    telemetry.flushAggregates();
    sink.metrics.length = 0;
    const body = { features: transaction(5) };
    const viaScore = await postJson(`${srv.url}/score`, body);
    const viaPredict = await postJson(`${srv.url}/predict`, body);
    expect(viaPredict.status).toBe(200);
    const answer = (await viaPredict.json()) as { pred_proba: number };
    expect(answer).toEqual(await viaScore.json());
    expect(answer.pred_proba).toEqual(expect.any(Number));
    const bad = await postJson(`${srv.url}/predict`, { features: { amount: 'x' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: 'invalid_request',
      errors: [{ field: 'features.amount' }],
    });
    expect((await fetch(`${srv.url}/predict`)).status).toBe(405);
    telemetry.flushAggregates();
    expect(sink.metrics.filter((m) => m.name === TELEMETRY_NAMES.latency)).toHaveLength(2);
    expect(sink.metrics.find((m) => m.name === TELEMETRY_NAMES.rows)?.value).toBe(2);
    expect(sink.metrics.find((m) => m.name === TELEMETRY_NAMES.invalid)?.properties.reason).toBe(
      'validation',
    );
  });

  test('GET /health answers {"status":"healthy"} when ready and 503 otherwise; GET / a small JSON message', async () => {
    const health = await fetch(`${srv.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    const root = await fetch(`${srv.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/application\/json/);
    expect(await root.json()).toMatchObject({ message: expect.stringMatching(/POST \/score/) });
    const loading = await listenApp({ state: new ServingState() });
    try {
      const h = await fetch(`${loading.url}/health`);
      expect(h.status).toBe(503);
      expect(await h.json()).toEqual({ status: 'loading' });
    } finally {
      await loading.close();
    }
  });
});

describe('the service under attack (C)', () => {
  test('5,000 levels of nesting (10 KB) get a JSON 400 naming the field, no HTML, no stack, no paths', async () => {
    const nested = `{"features":{"amount":1,"currency":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    expect(nested.length).toBeGreaterThan(10_000);
    const res = await postJson(`${srv.url}/score`, nested);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const text = await res.text();
    expect(text).not.toMatch(/<html|<pre|\n\s+at |node_modules|\/work\//i);
    const body = JSON.parse(text) as { errors: { field: string; value: unknown }[] };
    expect(body.errors[0].field).toBe('features.currency');
    expect(String(body.errors[0].value).length).toBeLessThan(100);
    const deepRow = `{"instances":[${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}]}`;
    const res2 = await postJson(`${srv.url}/score`, deepRow);
    expect(res2.status).toBe(400);
    expect(await res2.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('charset utf-16 is 415 as documented; br is named among the encodings', async () => {
    const utf16 = await postJson(
      `${srv.url}/score`,
      Buffer.from('{"features":{"amount":1}}', 'utf16le').toString('latin1'),
      {
        'content-type': 'application/json; charset=utf-16',
      },
    );
    expect(utf16.status).toBe(415);
    expect(await utf16.json()).toMatchObject({ error: 'unsupported_media_type', message: /use utf-8/ });
    expect(
      (
        await postJson(
          `${srv.url}/score`,
          { features: transaction() },
          { 'content-type': 'application/json; charset=UTF-8' },
        )
      ).status,
    ).toBe(200);
    const zstd = await postJson(`${srv.url}/score`, '{}', { 'content-encoding': 'zstd' });
    expect(zstd.status).toBe(415);
    expect(((await zstd.json()) as { message: string }).message).toMatch(/gzip, deflate or br/);
  });

  test('the bearer scheme is case-insensitive', async () => {
    const s = await listenApp({ config: { apiKey: key } });
    s.state.setReady(model);
    try {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const res = await postJson(
          `${s.url}/predict`,
          { features: transaction() },
          { authorization: `${scheme} ${key}` },
        );
        expect(res.status).toBe(200);
      }
      expect(
        (await postJson(`${s.url}/score`, { features: transaction() }, { authorization: `bearer ${key}x` }))
          .status,
      ).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('typed error codes (D)', () => {
  test('the batch limit is a typed reason on the error, not words matched in its rule', async () => {
    let thrown: unknown;
    try {
      parseScoreBody({ instances: Array.from({ length: 3 }, () => ({ amount: 1 })) }, 2);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).reason).toBe('batch_too_large');
    telemetry.flushAggregates();
    sink.metrics.length = 0;
    await postJson(`${srv.url}/score`, { instances: Array.from({ length: 51 }, (_, i) => transaction(i)) });
    telemetry.flushAggregates();
    expect(
      sink.metrics.filter((m) => m.name === TELEMETRY_NAMES.invalid).map((m) => m.properties.reason),
    ).toEqual(['batch_too_large']);
  });
});
