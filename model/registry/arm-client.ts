/**
 * A small Azure Resource Manager REST client: bearer token from an `@azure/identity` credential,
 * JSON in and out, ARM error bodies turned into one clear message, bounded retries of throttled
 * or briefly unavailable calls, and long-running-operation polling.
 *
 * Long-running PUTs follow the ARM async contract (Azure/azure-resource-manager-rpc,
 * v1.0/async-api-reference.md): a 201/202 answer carries `Azure-AsyncOperation` (poll it until
 * its `status` is terminal) and/or `Location` (poll it until it stops answering 202); the final
 * resource is then read from the original URI. The registry model version PUT is such an
 * operation: its documented response headers are `Azure-AsyncOperation` and
 * `x-ms-async-operation-timeout` (Learn, @azure/arm-machinelearning
 * `RegistryModelVersionsCreateOrUpdateHeaders`; hashicorp/pandora
 * `MachineLearningServices/.../ModelVersion/Operation-RegistryModelVersionsCreateOrUpdate.cs`,
 * `LongRunning() => true`; Azure/azure-sdk-for-python
 * `sdk/ml/azure-ai-ml/azure/ai/ml/operations/_model_operations.py` waits on
 * `begin_create_or_update(...).result()` for registry model versions).
 *
 * No `az` CLI, no SDK pipeline: Node's own `fetch`. Polling URLs must share the origin of the
 * ARM endpoint, so the token is never sent anywhere else.
 */
import type { TokenCredential } from '@azure/identity';

/** Public-cloud ARM endpoint. */
export const ARM_ENDPOINT = 'https://management.azure.com';

export interface ArmClientOptions {
  /** Issues the bearer tokens. The CLI passes `DefaultAzureCredential`. */
  readonly credential: TokenCredential;
  /** @default 'https://management.azure.com' */
  readonly endpoint?: string;
  /** Token scope. @default - `<endpoint>/.default` for the public cloud endpoint */
  readonly scope?: string;
  /** Delay between polls when the service sends no `Retry-After`. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Upper bound for any single wait (a large `Retry-After` is capped to it). @default 60000 */
  readonly maxPollIntervalMs?: number;
  /** Give up on a long-running operation after this long. @default 1800000 (30 min) */
  readonly operationTimeoutMs?: number;
  /** Attempts for a call answered 429/500/502/503/504 or failing at the network level. @default 4 */
  readonly maxAttempts?: number;
  /** @default - global fetch */
  readonly fetch?: typeof fetch;
  /** Waits; tests keep the default. @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An ARM call answered with an error status; `code` is ARM's `error.code` when it sent one. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly method: string,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

export interface ArmResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body; `undefined` for an empty body. */
  readonly body: unknown;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Drops the query string (which may hold a SAS or a token) from a URL for messages. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function armErrorText(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (!err || typeof err !== 'object') return {};
  return {
    code: typeof err.code === 'string' ? err.code : undefined,
    message: typeof err.message === 'string' ? err.message : undefined,
  };
}

export class ArmClient {
  private readonly credential: TokenCredential;
  private readonly endpoint: URL;
  private readonly scope: string;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly operationTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ArmClientOptions) {
    this.credential = options.credential;
    this.endpoint = new URL(options.endpoint ?? ARM_ENDPOINT);
    this.scope = options.scope ?? `${this.endpoint.origin}/.default`;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 60_000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 30 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.fetchFn = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Absolute URL of an ARM path (`/subscriptions/...`) with its api-version. */
  url(resourcePath: string, apiVersion: string): string {
    if (!resourcePath.startsWith('/')) throw new Error(`ARM path must start with '/', got '${resourcePath}'`);
    const u = new URL(resourcePath, this.endpoint);
    u.searchParams.set('api-version', apiVersion);
    return u.toString();
  }

  /** GET; `undefined` when ARM answers 404. */
  async getOrUndefined(url: string): Promise<unknown> {
    const res = await this.send('GET', url);
    if (res.status === 404) return undefined;
    this.throwIfError('GET', url, res);
    return res.body;
  }

  async get(url: string): Promise<unknown> {
    const res = await this.send('GET', url);
    this.throwIfError('GET', url, res);
    return res.body;
  }

  async post(url: string, body: unknown): Promise<unknown> {
    const res = await this.send('POST', url, body);
    this.throwIfError('POST', url, res);
    return res.body;
  }

  /**
   * PUT, then waits for the long-running operation (if the answer says there is one) and
   * returns the resource read back from `url`.
   */
  async putAndWait(url: string, body: unknown): Promise<unknown> {
    const res = await this.send('PUT', url, body);
    this.throwIfError('PUT', url, res);
    const asyncOp = res.headers.get('azure-asyncoperation');
    const location = res.headers.get('location');
    const deadline = Date.now() + this.timeoutFrom(res.headers);
    const wait = this.retryAfterMs(res.headers);
    if (asyncOp) {
      await this.pollAsyncOperation(this.sameOrigin(asyncOp, 'Azure-AsyncOperation'), deadline, wait, url);
    } else if (location) {
      await this.pollLocation(this.sameOrigin(location, 'Location'), deadline, wait, url);
    } else {
      // No operation header: the resource itself reports progress in provisioningState.
      return this.pollProvisioningState(url, res.body, deadline, wait);
    }
    // final-state-via original-uri: the ARM default for PUT.
    return this.get(url);
  }

  private async pollProvisioningState(
    url: string,
    first: unknown,
    deadline: number,
    firstWait: number,
  ): Promise<unknown> {
    let cur = first;
    let wait = firstWait;
    for (;;) {
      const state = provisioningState(cur);
      const s = state?.toLowerCase();
      if (s === undefined || s === 'succeeded') return cur ?? this.get(url);
      if (TERMINAL.has(s)) {
        throw new ArmError(
          200,
          state,
          'PUT',
          url,
          `PUT ${redactUrl(url)} ended in provisioningState '${state}'`,
        );
      }
      if (Date.now() + wait > deadline) throw this.timeoutError('PUT', url);
      await this.sleep(wait);
      cur = await this.get(url);
      wait = this.pollIntervalMs;
    }
  }

  private async pollAsyncOperation(
    opUrl: string,
    deadline: number,
    firstWait: number,
    url: string,
  ): Promise<void> {
    let wait = firstWait;
    for (;;) {
      if (Date.now() + wait > deadline) throw this.timeoutError('PUT', url);
      await this.sleep(wait);
      const res = await this.send('GET', opUrl);
      this.throwIfError('GET', opUrl, res);
      const status = (res.body as { status?: unknown } | undefined)?.status;
      if (typeof status !== 'string') {
        throw new ArmError(
          res.status,
          undefined,
          'GET',
          opUrl,
          `async operation ${redactUrl(opUrl)} answered without a status`,
        );
      }
      const s = status.toLowerCase();
      if (s === 'succeeded') return;
      if (TERMINAL.has(s)) {
        const { code, message } = armErrorText(res.body);
        throw new ArmError(
          res.status,
          code ?? status,
          'PUT',
          url,
          `PUT ${redactUrl(url)} ${status}${code ? ` (${code})` : ''}${message ? `: ${message}` : ''}`,
        );
      }
      wait = this.retryAfterMs(res.headers);
    }
  }

  private async pollLocation(
    locUrl: string,
    deadline: number,
    firstWait: number,
    url: string,
  ): Promise<void> {
    let wait = firstWait;
    for (;;) {
      if (Date.now() + wait > deadline) throw this.timeoutError('PUT', url);
      await this.sleep(wait);
      const res = await this.send('GET', locUrl);
      this.throwIfError('GET', locUrl, res);
      if (res.status !== 202) return;
      wait = this.retryAfterMs(res.headers);
    }
  }

  private timeoutError(method: string, url: string): ArmError {
    return new ArmError(
      0,
      'OperationTimeout',
      method,
      url,
      `${method} ${redactUrl(url)} did not finish within ${Math.round(this.operationTimeoutMs / 1000)} s; ` +
        'it may still complete: run the same command again to check',
    );
  }

  /** `x-ms-async-operation-timeout` (ISO-8601 duration, e.g. PT1H) when shorter than ours. */
  private timeoutFrom(headers: Headers): number {
    const raw = headers.get('x-ms-async-operation-timeout');
    const m = raw ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(raw) : null;
    if (!m) return this.operationTimeoutMs;
    const ms =
      (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) *
      1000;
    return ms > 0 ? Math.min(ms, this.operationTimeoutMs) : this.operationTimeoutMs;
  }

  private retryAfterMs(headers: Headers): number {
    const raw = headers.get('retry-after');
    const secs = raw !== null && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    const ms = Number.isFinite(secs) ? secs * 1000 : this.pollIntervalMs;
    return Math.min(Math.max(ms, 0), this.maxPollIntervalMs);
  }

  private sameOrigin(pollUrl: string, header: string): string {
    const u = new URL(pollUrl, this.endpoint);
    if (u.origin !== this.endpoint.origin) {
      throw new Error(
        `refusing to poll ${header} ${redactUrl(u.toString())}: it is not on the ARM endpoint ${this.endpoint.origin}`,
      );
    }
    return u.toString();
  }

  private throwIfError(method: string, url: string, res: ArmResponse): void {
    if (res.status < 400) return;
    const { code, message } = armErrorText(res.body);
    throw new ArmError(
      res.status,
      code,
      method,
      url,
      `${method} ${redactUrl(url)} answered ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`,
    );
  }

  /** One call with bearer auth, retried on throttling, transient 5xx and network errors. */
  private async send(method: string, url: string, body?: unknown): Promise<ArmResponse> {
    // The bearer token goes to the ARM endpoint only (next-page links and polling URLs included).
    if (new URL(url).origin !== this.endpoint.origin) {
      throw new Error(
        `refusing to send ${method} ${redactUrl(url)}: it is not on the ARM endpoint ${this.endpoint.origin}`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      const token = await this.credential.getToken(this.scope);
      if (!token) throw new Error(`the Azure credential returned no token for scope ${this.scope}`);
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method,
          headers: {
            authorization: `Bearer ${token.token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
      } catch (e) {
        if (attempt >= this.maxAttempts) {
          throw new Error(`${method} ${redactUrl(url)} failed: ${(e as Error).message}`);
        }
        await this.sleep(Math.min(this.pollIntervalMs * attempt, this.maxPollIntervalMs));
        continue;
      }
      const text = await res.text();
      let parsed: unknown;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { error: { message: text.slice(0, 300) } };
        }
      }
      if (RETRYABLE.has(res.status) && attempt < this.maxAttempts) {
        await this.sleep(this.retryAfterMs(res.headers));
        continue;
      }
      return { status: res.status, headers: res.headers, body: parsed };
    }
  }
}

function provisioningState(resource: unknown): string | undefined {
  const s = (resource as { properties?: { provisioningState?: unknown } } | undefined)?.properties
    ?.provisioningState;
  return typeof s === 'string' ? s : undefined;
}
