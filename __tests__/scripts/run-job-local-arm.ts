/**
 * A local stand-in for the ARM endpoints `npm run job` (and its `npm run retrain` preset) calls:
 * Schedules - Get, Jobs - Create Or Update / Get, Datastores - Get, with the shapes of Azure ML
 * api-version 2026-05-01 (schemas/azure-api), trimmed to what the scripts read. Real HTTP on
 * 127.0.0.1; the test stops it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenCredential } from '@azure/identity';

export const SUB = '00000000-0000-0000-0000-000000000001';
export const credential: TokenCredential = {
  getToken: async () => ({ token: 'local-test-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** A schedule as Schedules - Get returns it. */
export function scheduleBody(name: string, command: string, outputs: Record<string, unknown>): unknown {
  return {
    name,
    properties: {
      isEnabled: true,
      trigger: { triggerType: 'Cron', expression: '0 5 * * 1', timeZone: 'UTC' },
      action: {
        actionType: 'CreateJob',
        jobDefinition: {
          jobType: 'Command',
          command,
          environmentId: '/subscriptions/x/.../environments/fraud-job/versions/abc',
          computeId: '/subscriptions/x/.../computes/cpu-cluster',
          outputs,
          status: 'NotStarted',
          tags: { owner: 'ml' },
        },
      },
    },
  };
}

export class LocalArm {
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  private server?: http.Server;
  private polls = 0;
  url = '';
  /**
   * @param schedules the schedules by name
   * @param finalStatus the job's status from the second poll on
   * @param output the job output the service reports, and the datastore path of its files
   */
  constructor(
    private readonly schedules: Readonly<Record<string, unknown>>,
    private readonly finalStatus: string,
    private readonly output: { readonly name: string; readonly path: string },
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const p = new URL(req.url ?? '/', 'http://x').pathname;
        const body = raw ? (JSON.parse(raw) as unknown) : undefined;
        this.requests.push({ method: req.method ?? '', path: p, body });
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (req.headers.authorization !== 'Bearer local-test-token')
          return send(401, { error: { code: 'AuthenticationFailed' } });
        const schedule = /\/schedules\/([^/]+)$/.exec(p);
        if (schedule && this.schedules[schedule[1]]) return send(200, this.schedules[schedule[1]]);
        const job = /\/jobs\/([^/]+)$/.exec(p);
        if (job && req.method === 'PUT') return send(201, { name: job[1], ...(body as object) });
        if (job && req.method === 'GET') {
          this.polls++;
          const status = this.polls < 2 ? 'Running' : this.finalStatus;
          const uri = `azureml://datastores/workspaceblobstore/paths/${this.output.path}/`;
          return send(200, {
            name: job[1],
            properties: { status, outputs: { [this.output.name]: { jobOutputType: 'uri_folder', uri } } },
          });
        }
        if (p.endsWith('/datastores/workspaceblobstore')) {
          return send(200, {
            properties: {
              datastoreType: 'AzureBlob',
              accountName: 'devstoreaccount1',
              containerName: 'azureml-blobstore',
              endpoint: 'core.windows.net',
            },
          });
        }
        send(404, { error: { code: 'NotFound', message: p } });
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}
