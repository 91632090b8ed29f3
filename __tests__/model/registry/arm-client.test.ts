/**
 * The ARM client's long-running-operation paths other than Azure-AsyncOperation (covered in
 * register.test.ts): Location polling, provisioningState polling, the same-origin rule for
 * polling URLs, timeouts, and error bodies. A real HTTP server on 127.0.0.1 plays ARM.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { ArmClient, ArmError } from '../../../model/registry/arm-client';

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
type Handler = (req: http.IncomingMessage, n: number) => Reply;

let server: http.Server;
let base: string;
let handler: Handler;
let calls: string[];

const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }),
};
const client = (extra: Partial<ConstructorParameters<typeof ArmClient>[0]> = {}): ArmClient =>
  new ArmClient({ credential, endpoint: base, pollIntervalMs: 1, maxPollIntervalMs: 5, ...extra });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const r = handler(req, calls.length);
    res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
    res.end(r.body === undefined ? '' : JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => (calls = []));

test('Location: polls until it stops answering 202, then reads the resource from the original URI', async () => {
  handler = (req, n): Reply => {
    if (req.method === 'PUT')
      return { status: 202, headers: { location: `${base}/op/1`, 'retry-after': '0' } };
    if (req.url === '/op/1')
      return n < 4 ? { status: 202, headers: { 'retry-after': '0' } } : { status: 200 };
    return { status: 200, body: { properties: { provisioningState: 'Succeeded', x: 1 } } };
  };
  const arm = client();
  const r = await arm.putAndWait(arm.url('/subscriptions/s/thing', '2026-05-01'), { properties: {} });
  expect(r).toEqual({ properties: { provisioningState: 'Succeeded', x: 1 } });
  expect(calls).toEqual([
    'PUT /subscriptions/s/thing?api-version=2026-05-01',
    'GET /op/1',
    'GET /op/1',
    'GET /op/1',
    'GET /subscriptions/s/thing?api-version=2026-05-01',
  ]);
});

test('no operation header: follows provisioningState until terminal; Failed is an error', async () => {
  handler = (req, n): Reply =>
    req.method === 'PUT'
      ? { status: 201, body: { properties: { provisioningState: 'Creating' } } }
      : { status: 200, body: { properties: { provisioningState: n < 3 ? 'Updating' : 'Failed' } } };
  const arm = client();
  await expect(arm.putAndWait(arm.url('/subscriptions/s/thing', '2026-05-01'), {})).rejects.toThrow(
    /PUT .*\/thing ended in provisioningState 'Failed'/,
  );
  expect(calls).toHaveLength(3);
});

test('refuses to send the token to a polling URL on another origin', async () => {
  handler = (): Reply => ({
    status: 201,
    headers: { 'azure-asyncoperation': 'https://evil.example/op?x=1' },
  });
  const arm = client();
  await expect(arm.putAndWait(arm.url('/subscriptions/s/thing', '2026-05-01'), {})).rejects.toThrow(
    /refusing to poll Azure-AsyncOperation https:\/\/evil\.example\/op: it is not on the ARM endpoint/,
  );
  expect(calls).toHaveLength(1);
});

test('never sends the token off the ARM endpoint, e.g. to a foreign next-page link', async () => {
  handler = (): Reply => ({ status: 200, body: { value: [], nextLink: 'https://evil.example/page2' } });
  const arm = client();
  await expect(arm.get('https://evil.example/page2')).rejects.toThrow(
    /refusing to send GET https:\/\/evil\.example\/page2: it is not on the ARM endpoint/,
  );
  expect(calls).toHaveLength(0);
});

test('gives up after the operation timeout, saying the operation may still finish', async () => {
  handler = (req): Reply =>
    req.method === 'PUT'
      ? { status: 201, headers: { 'azure-asyncoperation': `${base}/op/2`, 'retry-after': '0' } }
      : { status: 200, body: { status: 'Running' } };
  const arm = client({ operationTimeoutMs: 50, pollIntervalMs: 5 });
  await expect(arm.putAndWait(arm.url('/subscriptions/s/thing', '2026-05-01'), {})).rejects.toThrow(
    /did not finish within 0 s; it may still complete: run the same command again/,
  );
});

test('errors carry the status and ARM error code; a 404 GET is undefined', async () => {
  handler = (req): Reply =>
    req.url?.startsWith('/missing')
      ? { status: 404, body: { error: { code: 'ResourceNotFound', message: 'nope' } } }
      : { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no write on registry' } } };
  const arm = client();
  await expect(arm.getOrUndefined(arm.url('/missing', '2026-05-01'))).resolves.toBeUndefined();
  const err = await arm.post(arm.url('/subscriptions/s/x', '2026-05-01'), {}).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ArmError);
  expect((err as ArmError).status).toBe(403);
  expect((err as ArmError).code).toBe('AuthorizationFailed');
  expect(String(err)).toMatch(
    /POST .*\/subscriptions\/s\/x answered 403 AuthorizationFailed: no write on registry/,
  );
  expect(String(err)).not.toContain('api-version'); // query strings (SAS, tokens) never printed
});
