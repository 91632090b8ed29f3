import 'cdktf/lib/testing/adapters/jest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENVIRONMENT_VERSION_TYPE, scoringImageErrors } from '../../../constructs/serving/scoring-image';
import { tarGzDirectory } from '../../../constructs/serving/scoring-image-context';
import { writeServiceBuildContext } from '../../../stacks/serving-bundle';
import { validateSynthesizedAzapi } from '../../helpers/azapi-schema';
import { addressOf, byPath, spec } from './harness';
import { Testing } from 'cdktf';
import { ENVIRONMENTS } from '../../../stacks/environments';
import { FraudStack } from '../../../stacks/fraud-stack';
import type { BuildContextWriter } from '../../../constructs/serving/scoring-image';

const rollout = { deployments: { blue: spec('fraud-detection-model:1') }, traffic: { blue: 100 } };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'scoring-image-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function synthWith(writer: BuildContextWriter) {
  const stack = new FraudStack(Testing.app(), 'fraud-dev', {
    envName: 'dev',
    env: ENVIRONMENTS.dev,
    rollout,
    writeBuildContext: writer,
  });
  return JSON.parse(Testing.synth(stack)) as Parameters<typeof byPath>[0];
}

describe('ScoringImage with the real service bundle', () => {
  const parsed = synthWith(writeServiceBuildContext);
  const again = synthWith(writeServiceBuildContext);
  const azapi = byPath(parsed, 'azapi_resource');
  const version = (azapi['Serving/ScoringImage/EnvironmentVersion'].name as string) ?? '';

  test('packs server.js, the Dockerfile and the runtime manifest + lock; the version is the content hash', () => {
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    const blob = byPath(parsed, 'azurerm_storage_blob')['Serving/ScoringImage/ContextBlob'];
    expect(blob).toMatchObject({
      name: `scoring/${version}.tar.gz`,
      type: 'Block',
      storage_container_name: expect.any(String),
    });
    expect(blob.source).toMatch(
      new RegExp(
        `^assets/Serving_ScoringImage_Context_[0-9A-F]{8}/${version.toUpperCase()}/context\\.tar\\.gz$`,
      ),
    );
    const dir = path.join(tmp, 'ctx');
    mkdirSync(dir);
    writeServiceBuildContext({ outDir: dir });
    const tarball = path.join(tmp, 'ctx.tar.gz');
    writeFileSync(tarball, tarGzDirectory(dir));
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual([
      '.dockerignore',
      'Dockerfile',
      'package-lock.json',
      'package.json',
      'server.js',
    ]);
    const dockerfile = execFileSync('tar', ['xzOf', tarball, 'Dockerfile'], { encoding: 'utf8' });
    expect(dockerfile).toBe(readFileSync(path.join(__dirname, '../../../service/Dockerfile'), 'utf8'));
  });

  test('an unchanged service gives the same version (no rebuild)', () => {
    expect(byPath(again, 'azapi_resource')['Serving/ScoringImage/EnvironmentVersion'].name).toBe(version);
  });

  test('a failed build fails the apply: the environment version waits for the ACR task run', () => {
    const task = byPath(parsed, 'azurerm_container_registry_task')['Serving/ScoringImage/BuildTask'];
    expect(task).toMatchObject({
      name: `build-fraudscoring-${version.slice(0, 12)}`,
      platform: { os: 'Linux' },
      docker_step: {
        dockerfile_path: 'Dockerfile',
        image_names: [`fraud-scoring:${version}`],
        push_enabled: true,
      },
    });
    // The context URL references the uploaded blob, so the task (and its run) follow the upload.
    const blobAddress = addressOf(parsed, 'azurerm_storage_blob', 'Serving/ScoringImage/ContextBlob');
    expect((task.docker_step as { context_path: string }).context_path).toContain(`\${${blobAddress}.name}`);
    expect((task.docker_step as { context_access_token: string }).context_access_token).toMatch(
      /^\$\{data\.azurerm_storage_account_blob_container_sas\.Serving_ScoringImage_ContextSas_[0-9A-F]{8}\.sas\}$/,
    );
    const run = byPath(parsed, 'azurerm_container_registry_task_schedule_run_now')[
      'Serving/ScoringImage/BuildRun'
    ];
    expect(run).toMatchObject({ timeouts: { create: '60m' } });
    const envVersion = azapi['Serving/ScoringImage/EnvironmentVersion'];
    expect(envVersion.depends_on).toEqual([
      addressOf(parsed, 'azurerm_container_registry_task_schedule_run_now', 'Serving/ScoringImage/BuildRun'),
    ]);
    expect(envVersion).toMatchObject({
      type: ENVIRONMENT_VERSION_TYPE,
      lifecycle: { create_before_destroy: true },
      body: {
        properties: {
          image: expect.stringMatching(new RegExp(`login_server}/fraud-scoring:${version}$`)),
          osType: 'Linux',
          inferenceConfig: {
            // Probes go to the service's probe thread on its own port (PROBE_PORT in the image).
            livenessRoute: { port: 8081, path: '/health/live' },
            readinessRoute: { port: 8081, path: '/health/ready' },
            scoringRoute: { port: 8080, path: '/score' },
          },
        },
      },
    });
    expect(validateSynthesizedAzapi(parsed)).toEqual([]);
  });

  test('a different build context gives a different version', () => {
    const other = synthWith(({ outDir }) => {
      writeFileSync(path.join(outDir, 'Dockerfile'), 'FROM scratch\n');
      return { files: ['Dockerfile'] };
    });
    expect(byPath(other, 'azapi_resource')['Serving/ScoringImage/EnvironmentVersion'].name).not.toBe(version);
  });
});

describe('scoring image inputs', () => {
  test('reject route "/" (azapi rejects it), bad ports, repositories and expiry', () => {
    expect(scoringImageErrors({})).toEqual([]);
    expect(
      scoringImageErrors({
        routes: { port: 0, probePort: 70000, scoring: '/', liveness: 'health' },
        repository: 'Fraud Scoring',
        contextSasExpiry: 'soon',
      }),
    ).toEqual([
      'routes.port must be an integer 1..65535, got 0',
      'routes.probePort must be an integer 1..65535, got 70000',
      "routes.liveness 'health' must be an absolute path with at least one letter or digit (never '/': azapi rejects it)",
      "routes.scoring '/' must be an absolute path with at least one letter or digit (never '/': azapi rejects it)",
      "repository 'Fraud Scoring' must be a lowercase Docker repository name (^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$)",
      "contextSasExpiry 'soon' must be an ISO-8601 UTC instant like 2030-01-01T00:00:00Z",
    ]);
  });

  test("the image input rules are the job image's too (one rule set): a bad build timeout is refused", () => {
    expect(scoringImageErrors({ buildTimeout: 'an hour' })).toEqual([
      "buildTimeout 'an hour' must be a Go duration such as '60m' or '1h30m'",
    ]);
  });

  test('a build context without a Dockerfile fails synth', () => {
    expect(() => synthWith(() => ({ files: ['server.js'] }))).toThrow(
      /the build context has no Dockerfile \(got server\.js\)/,
    );
  });

  test('the tarball is byte-identical for identical content and differs when content changes', () => {
    const a = path.join(tmp, 'a');
    mkdirSync(a);
    writeFileSync(path.join(a, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(path.join(a, 'x.txt'), 'x'.repeat(1000));
    const first = tarGzDirectory(a);
    expect(tarGzDirectory(a).equals(first)).toBe(true);
    writeFileSync(path.join(a, 'x.txt'), 'y'.repeat(1000));
    expect(tarGzDirectory(a).equals(first)).toBe(false);
    mkdirSync(path.join(a, 'sub'));
    expect(() => tarGzDirectory(a)).toThrow(/sub-folder 'sub' is not supported/);
  });
});
