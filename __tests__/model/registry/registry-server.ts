/**
 * A local stand-in for the Azure ML registry's ARM REST surface, on 127.0.0.1, answering the
 * documented request and response shapes (api-version 2026-05-01):
 * - GET  /subscriptions/{s}/providers/Microsoft.MachineLearningServices/registries (paged, nextLink)
 * - GET/PUT .../registries/{r}/models/{name}                      (model container)
 * - GET/PUT .../registries/{r}/models/{name}/versions/{v}         (ModelVersion; PUT is long-running:
 *   201 + Azure-AsyncOperation, polled until `status` is terminal)
 * - POST .../versions/{v}/startPendingUpload                      (PendingUploadResponseDto with a
 *   container SAS on Azurite)
 * Request bodies are checked against the same type graph azapi validates with
 * (schemas/azure-api), so a body the real API would reject is rejected here too. On PUT the
 * server also lists the blobs under `modelUri` in Azurite, the content the version points at.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ContainerSASPermissions,
  ContainerClient,
  generateBlobSASQueryParameters,
  SASProtocol,
} from '@azure/storage-blob';
import { AZURE_API_DIR, validateAzapiBody } from '../../helpers/azapi-schema';
import type { Azurite } from './azurite';

export const API_VERSION = '2026-05-01';
export const TOKEN = 'local-test-token';
const VERSION_TYPE = `Microsoft.MachineLearningServices/registries/models/versions@${API_VERSION}`;
const CONTAINER_TYPE = `Microsoft.MachineLearningServices/registries/models@${API_VERSION}`;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

interface StoredVersion {
  body: { properties: Record<string, unknown> };
  state: 'Creating' | 'Succeeded' | 'Failed';
  /** Blob names found under modelUri when the version was created. */
  blobs: string[];
}

export interface RegistryServerOptions {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly registryName: string;
  readonly azurite: Azurite;
}

/** The PendingUploadRequestDto the schema defines for registries/models/versions startPendingUpload. */
function pendingUploadRequestShape(): { keys: string[]; types: string[] } {
  const file = path.join(AZURE_API_DIR, 'machinelearningservices-2026-05-01.azapi-types.json');
  const graph = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
  const at = (ref: unknown): Record<string, unknown> =>
    graph[Number(String((ref as { $ref: string }).$ref).slice(2))];
  const fn = graph.find(
    (n) =>
      n.$type === 'ResourceFunctionType' &&
      n.name === 'startPendingUpload' &&
      n.resourceType === 'Microsoft.MachineLearningServices/registries/models/versions',
  );
  if (!fn) throw new Error('schema has no startPendingUpload for registries/models/versions');
  const input = at(fn.input) as { properties: Record<string, { type: unknown }> };
  const union = at(input.properties.pendingUploadType.type) as { elements: unknown[] };
  const types = union.elements
    .map(at)
    .flatMap((n) => (n.$type === 'StringLiteralType' ? [String(n.value)] : []));
  return { keys: Object.keys(input.properties), types };
}

export class RegistryServer {
  readonly requests: RecordedRequest[] = [];
  readonly versions = new Map<string, StoredVersion>();
  readonly containers = new Set<string>();
  /** Other registries listed on the first page (so paging and "found:" messages are exercised). */
  otherRegistries = ['other-registry'];
  /** Next N operation polls answer InProgress before the terminal status. */
  pollsBeforeDone = 1;
  /** When set, the next long-running PUT ends in this error instead of Succeeded. */
  failNextOperation: { code: string; message: string } | undefined;
  /** Answer the next N requests with 429 (Retry-After: 0). */
  throttleNext = 0;
  private server?: http.Server;
  private base = '';
  private readonly ops = new Map<
    string,
    { key: string; polls: number; error?: { code: string; message: string } }
  >();
  private readonly uploadShape = pendingUploadRequestShape();
  private readonly uploadContainer: ContainerClient;
  private uploadSeq = 0;

  constructor(private readonly opts: RegistryServerOptions) {
    this.uploadContainer = new ContainerClient(
      `${opts.azurite.accountUrl}/registry-uploads`,
      opts.azurite.credential,
    );
  }

  get endpoint(): string {
    return this.base;
  }

  async start(): Promise<void> {
    await this.uploadContainer.createIfNotExists();
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8')).then(
          ({ status, body, headers }) => {
            res.writeHead(status, { 'content-type': 'application/json', ...(headers ?? {}) });
            res.end(body === undefined ? '' : JSON.stringify(body));
          },
          (e: unknown) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'TestServerError', message: String(e) } }));
          },
        );
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Seeds a version as if someone else had registered it. */
  seedVersion(name: string, version: string, properties: Record<string, unknown>): void {
    this.versions.set(`${name.toLowerCase()}/${version}`, {
      body: { properties },
      state: 'Succeeded',
      blobs: [],
    });
  }

  count(method: string, suffix: RegExp): number {
    return this.requests.filter((r) => r.method === method && suffix.test(r.path)).length;
  }

  private registryPrefix(): string {
    const o = this.opts;
    return `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.MachineLearningServices/registries/${o.registryName}`;
  }

  private versionResource(name: string, version: string, v: StoredVersion): unknown {
    return {
      id: `${this.registryPrefix()}/models/${name}/versions/${version}`,
      name: version,
      type: 'Microsoft.MachineLearningServices/registries/models/versions',
      properties: { ...v.body.properties, provisioningState: v.state },
      systemData: { createdAt: '2026-12-02T06:00:00Z', createdBy: 'test', createdByType: 'User' },
    };
  }

  private async handle(
    req: http.IncomingMessage,
    raw: string,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', this.base);
    const method = req.method ?? 'GET';
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return { status: 400, body: { error: { code: 'InvalidJson', message: 'body is not JSON' } } };
      }
    }
    this.requests.push({ method, path: url.pathname, body });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return {
        status: 401,
        body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } },
      };
    }
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return {
        status: 429,
        headers: { 'retry-after': '0' },
        body: { error: { code: 'TooManyRequests', message: 'throttled' } },
      };
    }
    const op = /^\/operations\/([\w-]+)$/.exec(url.pathname);
    if (op && method === 'GET') return this.pollOperation(op[1]);
    if (url.searchParams.get('api-version') !== API_VERSION) {
      return {
        status: 400,
        body: {
          error: { code: 'InvalidApiVersionParameter', message: `api-version must be ${API_VERSION}` },
        },
      };
    }
    const o = this.opts;
    if (
      method === 'GET' &&
      url.pathname ===
        `/subscriptions/${o.subscriptionId}/providers/Microsoft.MachineLearningServices/registries`
    ) {
      if (url.searchParams.get('page') === '2') {
        return {
          status: 200,
          body: { value: [{ id: this.registryPrefix(), name: o.registryName, location: 'westeurope' }] },
        };
      }
      return {
        status: 200,
        body: {
          value: this.otherRegistries.map((n) => ({
            id: `/subscriptions/${o.subscriptionId}/resourceGroups/rg-other/providers/Microsoft.MachineLearningServices/registries/${n}`,
            name: n,
          })),
          nextLink: `${this.base}${url.pathname}?api-version=${API_VERSION}&page=2`,
        },
      };
    }
    const prefix = this.registryPrefix();
    if (!url.pathname.startsWith(`${prefix}/models/`)) {
      return {
        status: 404,
        body: { error: { code: 'ResourceNotFound', message: `no resource at ${url.pathname}` } },
      };
    }
    const rest = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
    // rest: ['', 'models', name] | ['', 'models', name, 'versions', v] | [..., 'startPendingUpload']
    const name = rest[2];
    if (rest.length === 3) return this.container(method, name, body);
    if (rest[3] !== 'versions' || rest.length < 5) return { status: 404 };
    const version = rest[4];
    if (rest.length === 6 && rest[5] === 'startPendingUpload' && method === 'POST') {
      return this.startPendingUpload(body);
    }
    if (rest.length !== 5) return { status: 404 };
    const key = `${name.toLowerCase()}/${version}`;
    if (method === 'GET') {
      const v = this.versions.get(key);
      return v
        ? { status: 200, body: this.versionResource(name, version, v) }
        : {
            status: 404,
            body: { error: { code: 'UserError', message: `Model ${name}:${version} not found` } },
          };
    }
    if (method === 'PUT') return this.putVersion(key, name, version, body);
    return { status: 405 };
  }

  private container(method: string, name: string, body: unknown): { status: number; body?: unknown } {
    const id = `${this.registryPrefix()}/models/${name}`;
    if (method === 'GET') {
      return this.containers.has(name.toLowerCase())
        ? { status: 200, body: { id, name, properties: {} } }
        : { status: 404, body: { error: { code: 'UserError', message: `container ${name} not found` } } };
    }
    if (method === 'PUT') {
      const errors = validateAzapiBody(CONTAINER_TYPE, body);
      if (errors.length > 0)
        return { status: 400, body: { error: { code: 'UserError', message: errors.join('; ') } } };
      this.containers.add(name.toLowerCase());
      return { status: 200, body: { id, name, properties: (body as { properties: unknown }).properties } };
    }
    return { status: 405 };
  }

  private startPendingUpload(body: unknown): { status: number; body?: unknown } {
    const b = (body ?? {}) as Record<string, unknown>;
    const unknownKeys = Object.keys(b).filter((k) => !this.uploadShape.keys.includes(k));
    const type = b.pendingUploadType;
    if (unknownKeys.length > 0 || (type !== undefined && !this.uploadShape.types.includes(String(type)))) {
      return {
        status: 400,
        body: {
          error: { code: 'UserError', message: `bad PendingUploadRequestDto: ${JSON.stringify(body)}` },
        },
      };
    }
    const folder = `upload-${++this.uploadSeq}`;
    const sas = generateBlobSASQueryParameters(
      {
        containerName: 'registry-uploads',
        permissions: ContainerSASPermissions.parse('racwl'),
        expiresOn: new Date(Date.now() + 3600_000),
        protocol: SASProtocol.HttpsAndHttp,
      },
      this.opts.azurite.credential,
    ).toString();
    const container = this.uploadContainer.url;
    return {
      status: 200,
      body: {
        blobReferenceForConsumption: {
          blobUri: `${container}/${folder}`,
          storageAccountArmId:
            '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
          credential: { credentialType: 'SAS', sasUri: `${container}?${sas}` },
        },
        pendingUploadId: folder,
        pendingUploadType: 'TemporaryBlobReference',
      },
    };
  }

  private async putVersion(
    key: string,
    name: string,
    version: string,
    body: unknown,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const errors = validateAzapiBody(VERSION_TYPE, body);
    if (errors.length > 0)
      return { status: 400, body: { error: { code: 'UserError', message: errors.join('; ') } } };
    if (this.versions.has(key)) {
      return {
        status: 409,
        body: {
          error: {
            code: 'Conflict',
            message: `Model version ${name}:${version} already exists and is immutable`,
          },
        },
      };
    }
    const props = (body as { properties: Record<string, unknown> }).properties;
    const modelUri = String(props.modelUri ?? '');
    const prefix = `${this.uploadContainer.url}/`;
    const blobs: string[] = [];
    if (modelUri.startsWith(prefix)) {
      for await (const b of this.uploadContainer.listBlobsFlat({
        prefix: `${modelUri.slice(prefix.length)}/`,
      })) {
        blobs.push(b.name);
      }
    }
    if (blobs.length === 0) {
      return {
        status: 400,
        body: { error: { code: 'UserError', message: `no content found at modelUri ${modelUri}` } },
      };
    }
    const stored: StoredVersion = { body: { properties: props }, state: 'Creating', blobs };
    this.versions.set(key, stored);
    const opId = `op-${this.ops.size + 1}`;
    this.ops.set(opId, { key, polls: 0, error: this.failNextOperation });
    this.failNextOperation = undefined;
    return {
      status: 201,
      headers: {
        'azure-asyncoperation': `${this.base}/operations/${opId}`,
        'x-ms-async-operation-timeout': 'PT1H',
        'retry-after': '0',
      },
      body: this.versionResource(name, version, stored),
    };
  }

  private pollOperation(id: string): { status: number; body?: unknown; headers?: Record<string, string> } {
    const op = this.ops.get(id);
    if (!op) return { status: 404 };
    op.polls++;
    if (op.polls <= this.pollsBeforeDone) {
      return { status: 200, headers: { 'retry-after': '0' }, body: { id, name: id, status: 'InProgress' } };
    }
    const v = this.versions.get(op.key)!;
    if (op.error) {
      v.state = 'Failed';
      this.versions.delete(op.key);
      return { status: 200, body: { id, name: id, status: 'Failed', error: op.error } };
    }
    v.state = 'Succeeded';
    return { status: 200, body: { id, name: id, status: 'Succeeded' } };
  }
}
