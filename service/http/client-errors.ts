/**
 * JSON answers for the errors Node's HTTP layer raises before Express sees a request: a bad
 * request line or header (400), headers too large (431), a slow client past the header or request
 * timeout (408), and an `Expect` other than 100-continue (417). Node's defaults answer these with
 * an empty body (issue 9 C: "every answer the process can give must be JSON").
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger';
import type { ErrorCode } from './errors';

interface ClientErrorAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Maps a `clientError` from Node's HTTP parser to the answer. */
export function clientErrorAnswer(err: NodeJS.ErrnoException): ClientErrorAnswer {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'request_timeout',
        message:
          'the request (headers or body) did not arrive in time; see HEADERS_TIMEOUT_MS and REQUEST_TIMEOUT_MS',
      };
    default:
      return { status: 400, code: 'invalid_request', message: 'malformed HTTP request' };
  }
}

function rawResponse(status: number, body: string): string {
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

/** Registers the `clientError` and `checkExpectation` handlers on `server`. */
export function answerClientErrorsAsJson(server: http.Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or a socket whose answer has started cannot be answered again: just close it.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(err);
    const correlationId = randomUUID();
    if (logger.enabled('debug')) {
      logger.debug('client error', { correlationId, status: answer.status, code: err.code });
    }
    socket.end(
      rawResponse(
        answer.status,
        JSON.stringify({ error: answer.code, message: answer.message, correlationId }),
      ),
    );
  });
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = JSON.stringify({
      error: 'expectation_failed' satisfies ErrorCode,
      message: `expectation ${String(req.headers.expect).slice(0, 100)} is not supported; only 100-continue`,
      correlationId: randomUUID(),
    });
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
}
