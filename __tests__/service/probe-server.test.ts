/**
 * The probe thread (issue 9 C, "probes are slow under load" and "liveness dies under a
 * connection flood"): its answers follow the serving phase, and its liveness fails when the main
 * thread's event loop stalls (it is not blind just because it runs on its own thread).
 */
import * as net from 'node:net';
import { ProbeServer } from '../../service/probes/probe-server';

let probes: ProbeServer;
beforeAll(async () => {
  probes = await ProbeServer.start({ host: '127.0.0.1', port: 0, stallMs: 300 });
});
afterAll(() => probes.close());

const get = async (path: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(`http://127.0.0.1:${probes.port}${path}`);
  return { status: res.status, body: await res.json() };
};

test('readiness, liveness and /health follow the phase the main thread sets', async () => {
  expect(await get('/health/ready')).toEqual({ status: 503, body: { status: 'loading' } });
  expect(await get('/health/live')).toEqual({ status: 200, body: { status: 'alive' } });
  probes.setModel('fraud-test:1');
  probes.setPhase('ready');
  await new Promise((r) => setTimeout(r, 20)); // the model reference travels by message
  expect(await get('/health/ready')).toEqual({
    status: 200,
    body: { status: 'ready', model: 'fraud-test:1' },
  });
  expect(await get('/health')).toEqual({ status: 200, body: { status: 'healthy' } });
  probes.setPhase('draining');
  expect(await get('/health/ready')).toEqual({ status: 503, body: { status: 'draining' } });
  expect((await get('/score')).status).toBe(404);
});

test('GIVEN the main event loop stalls longer than stallMs THEN liveness answers 503 stalled', async () => {
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(probes.port, '127.0.0.1', () => resolve(s));
  });
  let text = '';
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  const closed = new Promise((r) => socket.once('close', r));
  // Block this (the main) thread: no heartbeat for 1.5 s; the request goes out after 0.5 s, and
  // the probe thread has a second to answer it (a busy machine may schedule it late).
  const t0 = Date.now();
  while (Date.now() - t0 < 500);
  socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  while (Date.now() - t0 < 1500);
  await closed;
  expect(text).toMatch(/^HTTP\/1\.1 503/);
  expect(text).toMatch(/"status":"stalled"/);
  await new Promise((r) => setTimeout(r, 250)); // beating again
  expect((await get('/health/live')).status).toBe(200);
});
