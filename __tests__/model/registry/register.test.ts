/**
 * `npm run register` end to end against local stand-ins: the registry's ARM REST surface on
 * 127.0.0.1 (registry-server.ts: documented shapes, bodies checked against the schema) and the
 * real Azurite blob emulator for the upload, both started and stopped here.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlockBlobClient } from '@azure/storage-blob';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { generateTransactions } from '../../../model/data/generate';
import { ArmClient } from '../../../model/registry/arm-client';
import { readPackageContent } from '../../../model/registry/package-content';
import { ModelVersionConflictError, registerModelPackage } from '../../../model/registry/register-package';
import { RegistryApi, type RegistryTarget } from '../../../model/registry/registry-api';
import { CONTENT_HASH_PROPERTY } from '../../../model/registry/version-metadata';
import { trainModelPackage } from '../../../model/train/api';
import { startAzurite, type Azurite } from './azurite';
import { RegistryServer, TOKEN } from './registry-server';

const TARGET: RegistryTarget = {
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-fraud-shared',
  registryName: 'mlr-fraud-shared',
};

/** A static bearer token, in place of DefaultAzureCredential, for the local server. */
const staticToken = (token: string): TokenCredential => ({
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
});

let azurite: Azurite;
let server: RegistryServer;
let root: string;
let pkgDir: string;

function api(token = TOKEN): RegistryApi {
  return new RegistryApi(
    new ArmClient({
      credential: staticToken(token),
      endpoint: server.endpoint,
      pollIntervalMs: 1,
      maxPollIntervalMs: 5,
      operationTimeoutMs: 10_000,
    }),
  );
}

/** A writable copy of the package (package files are read-only by design). */
function copyPackage(to: string): string {
  fs.cpSync(pkgDir, to, { recursive: true });
  for (const f of fs.readdirSync(to)) fs.chmodSync(path.join(to, f), 0o644);
  return to;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-register-'));
  const { rows } = generateTransactions({ rows: 3000, seed: 11 });
  const trained = await trainModelPackage({
    data: rows,
    outRoot: path.join(root, 'models'),
    name: 'fraud-detection-model',
    version: '20261202-060000-000',
    seed: 11,
    params: { nTrees: 10 },
    codeVersion: 'code-abc123',
    lineage: { dataAsset: 'fraud-train-data:3', jobId: 'job-42' },
  });
  pkgDir = trained.dir;
  azurite = await startAzurite();
  server = new RegistryServer({ ...TARGET, azurite });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await azurite?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  server.requests.length = 0;
});

test('registers a package: pending upload, blobs on the SAS, then the version with tags and properties', async () => {
  const lines: string[] = [];
  const r = await registerModelPackage({
    packageDir: pkgDir,
    target: TARGET,
    api: api(),
    log: (l) => lines.push(l),
  });

  expect(r.outcome).toBe('created');
  expect(r.assetId).toBe(
    'azureml://registries/mlr-fraud-shared/models/fraud-detection-model/versions/20261202-060000-000',
  );
  // The calls, in the order the registry expects them.
  const calls = server.requests.map((q) => `${q.method} ${q.path.split('/').slice(-3).join('/')}`);
  expect(calls).toEqual([
    'GET fraud-detection-model/versions/20261202-060000-000',
    'GET mlr-fraud-shared/models/fraud-detection-model',
    'PUT mlr-fraud-shared/models/fraud-detection-model',
    'POST versions/20261202-060000-000/startPendingUpload',
    'PUT fraud-detection-model/versions/20261202-060000-000',
    'GET /operations/op-1', // Azure-AsyncOperation: InProgress
    'GET /operations/op-1', // Succeeded
    'GET fraud-detection-model/versions/20261202-060000-000', // final state from the original URI
  ]);

  // Every package file arrived byte for byte under modelUri.
  const content = readPackageContent(pkgDir);
  expect(r.uploaded.map((u) => u.name)).toEqual(content.files.map((f) => f.name));
  // ... which is every file of the package: model.json and all the files it seals.
  expect(content.files.map((f) => f.name)).toEqual(fs.readdirSync(pkgDir).sort());
  expect(content.files.map((f) => f.name)).toEqual(
    expect.arrayContaining(['model.onnx', 'model.json', 'report.md']),
  );
  for (const f of content.files) {
    const blob = new BlockBlobClient(`${r.modelUri}/${f.name}`, azurite.credential);
    const bytes = await blob.downloadToBuffer();
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
  }

  // The version: our content hash in the add-only properties; metrics and lineage in tags.
  const stored = server.versions.get('fraud-detection-model/20261202-060000-000')!;
  const props = stored.body.properties as {
    modelUri: string;
    modelType: string;
    tags: Record<string, string>;
    properties: Record<string, string>;
  };
  expect(stored.state).toBe('Succeeded');
  expect(props.modelType).toBe('custom_model');
  expect(props.modelUri).toBe(r.modelUri);
  expect(stored.blobs.map((b) => b.split('/').pop()).sort()).toEqual(content.files.map((f) => f.name).sort());
  expect(props.properties[CONTENT_HASH_PROPERTY]).toBe(content.contentSha256);
  expect(props.properties['fraud.file.model.onnx.sha256']).toBe(
    content.files.find((f) => f.name === 'model.onnx')!.sha256,
  );
  const m = content.pkg.manifest;
  expect(props.tags).toMatchObject({
    trainingDataHash: m.trainingDataHash,
    codeVersion: 'code-abc123',
    dataAsset: 'fraud-train-data:3',
    jobId: 'job-42',
    rocAuc: String(Number(m.metrics.rocAuc.toPrecision(6))),
  });
  expect(props.properties['fraud.jobId']).toBe('job-42');
  expect(lines.join('\n')).toMatch(/registered azureml:\/\/registries\/mlr-fraud-shared/);
});

test('the same content again: succeeds without uploading or writing anything', async () => {
  const r = await registerModelPackage({ packageDir: pkgDir, target: TARGET, api: api() });
  expect(r.outcome).toBe('unchanged');
  expect(r.uploaded).toEqual([]);
  expect(server.requests.map((q) => q.method)).toEqual(['GET']);
});

test('refuses to overwrite a version whose content differs, naming both hashes', async () => {
  // Another, valid package under the same name and version (trained on other rows).
  const { rows } = generateTransactions({ rows: 3000, seed: 12 });
  const other = await trainModelPackage({
    data: rows,
    outRoot: path.join(root, 'other-models'),
    name: 'fraud-detection-model',
    version: '20261202-060000-000',
    seed: 12,
    params: { nTrees: 10 },
  });
  const mine = readPackageContent(other.dir).contentSha256;
  const registered = readPackageContent(pkgDir).contentSha256;
  expect(mine).not.toBe(registered);
  const err = await registerModelPackage({ packageDir: other.dir, target: TARGET, api: api() }).catch(
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(ModelVersionConflictError);
  expect(String(err)).toMatch(new RegExp(`already exists with different content .*${registered}.*${mine}`));
  expect(server.count('POST', /startPendingUpload$/)).toBe(0);
  expect(server.count('PUT', /versions\//)).toBe(0);
});

test('refuses a version registered by other means (no content hash to compare)', async () => {
  server.seedVersion('fraud-detection-model', 'manual-1', {
    modelUri: 'azureml://x',
    modelType: 'custom_model',
  });
  const other = copyPackage(path.join(root, 'manual'));
  const manifest = JSON.parse(fs.readFileSync(path.join(other, 'model.json'), 'utf8')) as { version: string };
  manifest.version = 'manual-1';
  fs.writeFileSync(path.join(other, 'model.json'), JSON.stringify(manifest));
  await expect(registerModelPackage({ packageDir: other, target: TARGET, api: api() })).rejects.toThrow(
    /manual-1 already exists but was not registered by npm run register/,
  );
  expect(server.count('PUT', /versions\//)).toBe(0);
});

test('a failed long-running create is reported with the service error; a retry then succeeds', async () => {
  const pkg = copyPackage(path.join(root, 'lro'));
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'model.json'), 'utf8')) as { version: string };
  manifest.version = 'lro-1';
  fs.writeFileSync(path.join(pkg, 'model.json'), JSON.stringify(manifest));
  server.failNextOperation = { code: 'InternalServerError', message: 'replication to northeurope failed' };
  await expect(registerModelPackage({ packageDir: pkg, target: TARGET, api: api() })).rejects.toThrow(
    /PUT .*versions\/lro-1 Failed \(InternalServerError\): replication to northeurope failed/,
  );
  server.throttleNext = 2; // and 429s on the way are retried after Retry-After
  const r = await registerModelPackage({ packageDir: pkg, target: TARGET, api: api() });
  expect(r.outcome).toBe('created');
});

test('finds the registry by name across pages; a wrong name lists what exists', async () => {
  await expect(api().findRegistry(TARGET.subscriptionId, 'MLR-FRAUD-SHARED')).resolves.toEqual(TARGET);
  await expect(api().findRegistry(TARGET.subscriptionId, 'nope')).rejects.toThrow(
    /no Azure ML registry named 'nope' .*found: other-registry, mlr-fraud-shared/,
  );
});

test('a rejected token is one clear line, without the token', async () => {
  const err = await registerModelPackage({ packageDir: pkgDir, target: TARGET, api: api('wrong') }).catch(
    (e: Error) => e,
  );
  expect(String(err)).toMatch(/GET .*answered 401 InvalidAuthenticationToken: The access token is invalid/);
  expect(String(err)).not.toContain('wrong');
});
