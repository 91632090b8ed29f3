/**
 * The service's own JSON body reader (service/http/json-body.ts), which replaced express.json:
 * - `parseJsonBody` gives exactly the value (or the rejection) of body-parser's strict parse,
 *   including for large batches, which it parses in pieces: property-tested on bodies with
 *   row separators inside strings, Python's `", "` separators, pretty printing, and broken ones;
 * - over HTTP, the reader keeps the contract of limits, content encodings and read errors, and a
 *   keep-alive connection stays usable after a refused body;
 * - `charset=utf8`, which app.ts accepts as UTF-8, is now served (body-parser refused it, 415).
 */
import * as fc from 'fast-check';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { parseJsonBody } from '../../service/http/json-body';
import type { ServingModel } from '../../service/scoring/load-model';
import { listenApp, loadTestModel, postJson, transaction, type TestServer } from './helpers';

/** body-parser 2.x with `strict: true` after iconv-lite's UTF-8 decode: the contract. */
function referenceParse(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = text.trimStart().charAt(0); // JSON's blanks are among trimStart's
  const blanksOnly = [...text.slice(0, text.length - text.trimStart().length)].every((c) =>
    ' \t\n\r'.includes(c),
  );
  if (!blanksOnly || (first !== '{' && first !== '[')) throw new SyntaxError('strict');
  return JSON.parse(text) as unknown;
}

function outcome(parse: (b: Buffer) => unknown, bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parse(bytes) };
  } catch {
    return { ok: false };
  }
}

/** Python's json.dumps separators: `", "` and `": "`. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v);
}

describe('parseJsonBody', () => {
  // Strings that look like row boundaries or break naive scanners.
  const tricky = fc.oneof(
    fc.string({ maxLength: 30, unit: 'grapheme' }),
    fc.constantFrom('},{', '},', '}, {', '"},{"a":1', '\\', ']}', '{"instances":[', 'é€😀', '\u2028'),
  );
  const row = fc.record({
    transaction_id: tricky,
    amount: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
    nested: fc.oneof(
      fc.constant(null),
      fc.array(fc.dictionary(fc.string({ maxLength: 3 }), tricky), { maxLength: 2 }),
    ),
    // Rows of 1.7-3 KB: 80 or more make a body above the piecewise threshold (128 KiB).
    pad: fc.integer({ min: 1700, max: 3000 }).map((n) => 'p'.repeat(n)),
  });
  const format = fc.constantFrom<(v: unknown) => string>(
    (v) => JSON.stringify(v),
    (v) => JSON.stringify(v, null, 1),
    pythonJson,
  );
  const mutate = fc.constantFrom<(s: string) => string>(
    (s) => s,
    (s) => s,
    (s) => s.replace(/\]\s*\}\s*$/, ',]}'), // trailing comma
    (s) => s.replace(/\]\s*\}\s*$/, '],"explain":true}'),
    (s) => s.slice(0, Math.floor(s.length / 2)),
    (s) => s.replace(/\},/, '},,'),
    (s) => `\ufeff${s}`,
    (s) => `[${s.slice(1)}`,
  );

  test('large batches: the same value or rejection as the strict whole-body parse', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 80, maxLength: 160 }), format, mutate, (rows, write, change) => {
        const bytes = Buffer.from(change(write({ instances: rows })));
        expect(outcome(parseJsonBody, bytes)).toStrictEqual(outcome(referenceParse, bytes));
      }),
      { seed: 9, numRuns: 40 },
    );
  });

  const huge = 'p'.repeat(140 * 1024); // above the piecewise threshold
  test.each([
    // A cut after the last row would leave an empty piece: `[{...},]` is not JSON.
    ['a trailing comma after a large row', `{"instances":[{"a":1},{"pad":"${huge}"},]}`],
    ['a trailing comma and blanks after a large row', `{"instances":[{"a":1},{"pad":"${huge}"}, ]}`],
    ['a large batch', `{"instances":[{"a":1},{"pad":"${huge}"},{"b":"},{"}]}`],
    ['a large array that only looks like a batch', `["instances":[{"pad":"${huge}"}]}`],
    ['empty', ''],
    ['byte-order mark only', '\ufeff'],
    ['blank', ' \n'],
    ['a string', '"x"'],
    ['a number', '12'],
    ['NaN', '{"a":NaN}'],
    ['blank then object', ' \r\n{"a":1} '],
    ['array', '[1,2]'],
    ['byte-order mark then object', '\ufeff{"a":1}'],
  ])('small bodies: %s', (_what, text) => {
    const bytes = Buffer.from(text);
    expect(outcome(parseJsonBody, bytes)).toStrictEqual(outcome(referenceParse, bytes));
  });

  test('invalid UTF-8 decodes to U+FFFD, as before', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]),
      Buffer.from('"}'),
    ]);
    expect(parseJsonBody(bytes)).toStrictEqual(referenceParse(bytes));
  });
});

describe('the reader over HTTP', () => {
  let model: ServingModel;
  let srv: TestServer;
  const LIMIT = 64 * 1024;
  beforeAll(async () => {
    model = await loadTestModel();
    srv = await listenApp({ config: { maxBatch: 2000, bodyLimitBytes: LIMIT } });
    srv.state.setReady(model);
  });
  afterAll(async () => {
    await srv.close();
    await model.session.release();
  });

  const score = (body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${srv.url}/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  test('charset=utf8 is UTF-8: served, as app.ts intends (body-parser answered 415)', async () => {
    const res = await postJson(
      `${srv.url}/score`,
      { features: transaction(1) },
      { 'content-type': 'application/json; charset=utf8' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ pred_proba: expect.any(Number) });
  });

  test('gzip, deflate and br bodies are decoded; the limit applies to the decoded bytes', async () => {
    const body = Buffer.from(JSON.stringify({ instances: [transaction(1), transaction(2)] }));
    const bomb = Buffer.alloc(LIMIT + 1, 0x20);
    for (const [encoding, compress] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ] as const) {
      const ok = await score(compress(body), { 'content-encoding': encoding.toUpperCase() });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { predictions: number[] }).predictions).toHaveLength(2);
      const big = await score(compress(bomb), { 'content-encoding': encoding });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({
        error: 'payload_too_large',
        message: `request body exceeds the limit of ${LIMIT} bytes`,
      });
      const corrupt = await score('not compressed', { 'content-encoding': encoding });
      expect(corrupt.status).toBe(400);
      expect(await corrupt.json()).toMatchObject({
        error: 'invalid_request',
        message: 'request body could not be decoded',
      });
    }
  });

  test('after a refused body the keep-alive connection serves the next request', async () => {
    const ok = JSON.stringify({ features: transaction(3) });
    const head = (length: number): string =>
      `POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    const tooBig = 'x'.repeat(LIMIT + 10);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(srv.url).port), '127.0.0.1');
      let out = '';
      socket.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('pred_proba')) {
          socket.destroy();
          resolve(out);
        }
      });
      socket.once('error', reject);
      socket.write(`${head(tooBig.length)}${tooBig}${head(Buffer.byteLength(ok))}${ok}`);
    });
    expect(text).toMatch(/^HTTP\/1\.1 413 [^]*payload_too_large[^]*HTTP\/1\.1 200 [^]*pred_proba/);
  });

  test('a client that leaves mid-body leaves nothing behind: the server keeps answering', async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(new URL(srv.url).port), '127.0.0.1', () => {
        socket.write(
          'POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"features":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.once('close', () => resolve());
      socket.once('error', () => undefined);
    });
    expect((await postJson(`${srv.url}/score`, { features: transaction(4) })).status).toBe(200);
  });
});
