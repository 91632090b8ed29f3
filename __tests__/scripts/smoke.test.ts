import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runSmoke, runSmokeCli } from '../../scripts/smoke';
import type { ServingModel } from '../../service/scoring/load-model';
import { listenApp, loadTestModel, TestServer } from '../service/helpers';

/** A plain server on 127.0.0.1 that answers every request with `answer`. */
async function fixedServer(
  answer: (res: http.ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/score`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('smoke test script', () => {
  let real: TestServer;
  let model: ServingModel;
  beforeAll(async () => {
    model = await loadTestModel();
    real = await listenApp({ config: { deploymentName: 'green' } });
    real.state.setReady(model);
  });
  afterAll(async () => {
    await real.close();
    await model.session.release();
  });

  test('passes against the real scoring service and names the deployment that served', async () => {
    const report = await runSmoke({ uri: `${real.url}/score`, requests: 5, expectDeployment: 'green' });
    expect(report.problems).toEqual([]);
    expect(report.servedBy).toEqual({ green: 5 });
    expect(report.models).toEqual(['fraud-test:1']);
    expect(report.latencyMs.p95).toBeGreaterThan(0);
  });

  test('fails when the expected deployment served nothing', async () => {
    const report = await runSmoke({ uri: `${real.url}/score`, requests: 2, expectDeployment: 'blue' });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(["deployment 'blue' served none of 2 requests (served: green 2)"]);
  });

  test('fails on a wrong answer shape, an HTTP error, and a header that contradicts the body', async () => {
    const shapes = await fixedServer((res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ pred_proba: 1.7, model: 'm:1', deployment: 'blue' }));
    });
    const errors = await fixedServer((res) => {
      res.statusCode = 502;
      res.end('bad gateway');
    });
    const header = await fixedServer((res) => {
      res.setHeader('azureml-model-deployment', 'green');
      res.end(JSON.stringify({ pred_proba: 0.5, model: 'm:1', deployment: 'blue' }));
    });
    try {
      expect((await runSmoke({ uri: shapes.url, requests: 1 })).problems).toEqual([
        'request 1: pred_proba must be a number in [0, 1], got 1.7',
      ]);
      expect((await runSmoke({ uri: errors.url, requests: 1 })).problems).toEqual([
        'request 1: HTTP 502: bad gateway',
      ]);
      expect((await runSmoke({ uri: header.url, requests: 1 })).problems).toEqual([
        "request 1: the azureml-model-deployment header says 'green' but the body says 'blue'",
      ]);
    } finally {
      await Promise.all([shapes.close(), errors.close(), header.close()]);
    }
  });

  test('CLI: exit 0 on success with a one-line report, 2 on a bad command line', async () => {
    const out: string[] = [];
    const code = await runSmokeCli(
      ['--uri', `${real.url}/score`, '--requests', '3'],
      {},
      (s) => out.push(s),
      () => {},
    );
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^smoke: ok; served by green 3; model fraud-test:1; latency p50 [\d.]+ ms, p95 [\d.]+ ms/,
    );
    expect(
      await runSmokeCli(
        ['--uri', 'ftp://x'],
        {},
        () => {},
        () => {},
      ),
    ).toBe(2);
    expect(
      await runSmokeCli(
        ['--uri', `${real.url}/score`, '--requests', '0'],
        {},
        () => {},
        () => {},
      ),
    ).toBe(2);
  });
});
