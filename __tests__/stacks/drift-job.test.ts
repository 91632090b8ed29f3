/**
 * The drift job's code asset is the real drift CLI: bundled by esbuild exactly as synth does, it
 * runs with plain `node` (the job image has no node_modules), and the job's command line finds the
 * model package inside the mounted model input and keeps a CLI error a failed job.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DRIFT_BUNDLE_FILE, DRIFT_JOB_COMMAND, writeDriftCode } from '../../stacks/drift-job';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'drift-job-test-'));
  mkdirSync(path.join(dir, 'code'));
  expect(writeDriftCode({ outDir: path.join(dir, 'code') })).toEqual({ files: [DRIFT_BUNDLE_FILE] });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { PATH: process.env.PATH ?? '', ORT_DISABLE_TELEMETRY: '1' };

test('the bundle runs on its own: --help exits 0 with the usage', () => {
  const r = spawnSync(process.execPath, [DRIFT_BUNDLE_FILE, '--help'], {
    cwd: path.join(dir, 'code'),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^usage: npm run drift -- --baseline <model package> --current/);
});

test('the job command finds model.json one folder down and fails the job on a CLI error (exit 2)', () => {
  // What a custom_model input may look like when mounted: the package one folder down.
  const pkg = path.join(dir, 'mnt', 'INPUT_model', 'fraud-detection-model');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'model.json'), '{"name": "broken"}');
  const command = DRIFT_JOB_COMMAND.replace('${{inputs.model}}', path.join(dir, 'mnt', 'INPUT_model'))
    .replace('${{inputs.environment}}', 'dev')
    .replace('${{outputs.report}}', path.join(dir, 'out'));
  expect(command).not.toContain('${{');
  const r = spawnSync('sh', ['-c', command], {
    cwd: path.join(dir, 'code'),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  // The CLI read the nested package (and refused it); `|| test $? -eq 1` turned its 2 into a failure.
  expect(r.stderr).toContain('drift: error:');
  expect(r.stderr).toContain(pkg);
  expect(r.status).toBe(1);
});
