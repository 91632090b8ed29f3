/**
 * Nothing phones home (issue 9 B): `npm run serve` (tsx service/cli/serve.ts), started WITHOUT
 * ORT_DISABLE_TELEMETRY in its environment and with HOME pointed at an empty folder, loads a
 * model, scores, and stops on SIGTERM. onnxruntime-node 1.30's telemetry would write a device id
 * and an event queue under $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/ and leave
 * /tmp/mat-debug-<pid>.log; the service must turn it off before ORT initializes. Every line the
 * process writes, on stdout and stderr, must be a JSON log line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, trainedModelRoot, transaction } from './helpers';
import { spawnNodeProcess, type ServiceProcess } from './process-harness';

let home: string;
let p: ServiceProcess | undefined;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-no-telemetry-home-'));
});
afterAll(() => {
  p?.kill();
  fs.rmSync(home, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.join(e.parentPath, e.name));
}

test('GIVEN no ORT_DISABLE_TELEMETRY WHEN npm run serve loads, scores and stops THEN nothing is written under $HOME/.cache, no mat-debug file, only JSON lines', async () => {
  const modelRoot = await trainedModelRoot();
  const tsxCli = path.join(REPO, 'node_modules/tsx/dist/cli.mjs');
  p = spawnNodeProcess([tsxCli, path.join(REPO, 'service/cli/serve.ts')], {
    cwd: REPO,
    // The harness passes no ORT_DISABLE_TELEMETRY (the jest environment sets it for itself).
    env: { HOME: home, MODEL_DIR: modelRoot, PROBE_PORT: '0' },
  });
  const starting = await p.waitFor('starting', 30_000);
  const { url } = (await p.waitFor('listening', 30_000)) as unknown as { url: string };
  await p.waitFor('ready', 30_000);
  const res = await fetch(`${url}/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances: Array.from({ length: 200 }, (_, i) => transaction(i)) }),
  });
  expect(res.status).toBe(200);
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);

  expect(filesUnder(path.join(home, '.cache'))).toEqual([]);
  expect(fs.existsSync(`/tmp/mat-debug-${String(starting.pid)}.log`)).toBe(false);
  expect(fs.existsSync(`/tmp/mat-debug-${String(p.child.pid)}.log`)).toBe(false);
  expect(p.lines.filter((l) => l.level === 'raw')).toEqual([]);
  const stderrLines = p
    .stderr()
    .split('\n')
    .filter((l) => l.trim() !== '');
  for (const line of stderrLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
}, 120_000);
