/**
 * The JSON body reader of POST /score and /predict, in place of `express.json` (body-parser,
 * raw-body, iconv-lite). It keeps their contract (issue 9): the same limits, content encodings,
 * strict parse and error answers (mapped in errors.ts, `bodyError`), and the same parsed value.
 * What it drops is their cost on the batch path: a 1,000-row body (~360 KB) went through an
 * iconv-lite stream decoder into a string of chunks, which JSON.parse then flattened into one
 * 360 KB string. V8 puts every object above 128 KB in its large-object space, a fresh mapping
 * per object: page faults on the way in, an munmap on the way out, about 1.5 ms per request
 * here, more than the ORT run of the same 1,000 rows (bench/results/service.md). Here the bytes
 * stay a Buffer, and a large batch is decoded and parsed in pieces below that size (see
 * `parseLargeBatch`), each piece by the native JSON.parse, with a proof that the result is the
 * one JSON.parse of the whole body gives, and the whole-body parse as the fallback.
 *
 * Behaviour, as body-parser's (version 2.4, `strict: true`), in this order:
 * - a request with neither Content-Length nor Transfer-Encoding has no body: `req.body` stays
 *   undefined (the score route answers 400);
 * - Content-Encoding identity, gzip, deflate or br (case-insensitive); any other is 415 at once;
 * - a declared Content-Length above the limit is 413 without reading; the limit also applies
 *   while reading, to the decoded bytes, so a small gzip bomb is 413 too;
 * - after a read error (413, aborted, a corrupt gzip/deflate/br stream) the rest of the request
 *   is read off and discarded before the answer, so a client still sending gets its answer;
 * - UTF-8 only (app.ts refuses other charsets first); a leading byte-order mark is dropped, as
 *   iconv-lite did; invalid bytes decode to U+FFFD, as before;
 * - an empty body parses as `{}`; otherwise the first non-blank character must be `{` or `[`,
 *   and the text must be JSON (`JSON.parse`, no reviver), else 400 `invalid_json`.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { bodyError, type BodyFailure } from './errors';

export interface JsonBodyOptions {
  /** Most bytes a body may have, counted after Content-Encoding is decoded (BODY_LIMIT). */
  readonly limitBytes: number;
}

/** Express middleware: sets `req.body` to the parsed JSON, or passes the body's HttpError on. */
export function jsonBody(options: JsonBodyOptions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    readBody(req, options.limitBytes, (failure, bytes) => {
      if (failure) {
        next(bodyError(failure));
        return;
      }
      if (bytes !== undefined) {
        let parsed: unknown;
        try {
          parsed = parseJsonBody(bytes);
        } catch {
          next(bodyError({ kind: 'invalid_json' }));
          return;
        }
        req.body = parsed;
      }
      next();
    });
  };
}

/** A request has a body when it says so (type-is `hasBody`, as body-parser asked). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']))
  );
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding) {
    case 'gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads the body into one Buffer (chunks are kept as they arrive: memory follows the bytes
 * received, never a Content-Length a client merely declares). `done` runs once: with a failure,
 * with the bytes, or with neither when the request has no body.
 */
export function readBody(
  req: IncomingMessage,
  limitBytes: number,
  done: (failure: BodyFailure | undefined, bytes?: Buffer) => void,
): void {
  if (!hasBody(req)) {
    done(undefined);
    return;
  }
  const encoding = (req.headers['content-encoding'] || 'identity').toLowerCase();
  const decoder = encoding === 'identity' ? undefined : decoderFor(encoding);
  if (encoding !== 'identity' && decoder === undefined) {
    // As body-parser: answered at once; Node reads off the unread body after the answer.
    done({ kind: 'unsupported_encoding', encoding });
    return;
  }
  // Only the identity encoding's length is checked (a compressed body's decoded size is not declared).
  const declared = decoder === undefined ? parseLength(req.headers['content-length']) : undefined;
  if (declared !== undefined && declared > limitBytes) {
    discardRest(req, () => done({ kind: 'too_large', limitBytes }));
    return;
  }
  const source: Readable = decoder ?? req;
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;

  const cleanup = (): void => {
    source.off('data', onData);
    source.off('end', onEnd);
    source.off('error', onSourceError);
    req.off('aborted', onAborted);
    req.off('close', onClose);
    req.off('error', onAborted);
  };
  const fail = (failure: BodyFailure): void => {
    if (finished) return;
    finished = true;
    cleanup();
    chunks.length = 0;
    if (decoder) {
      req.unpipe(decoder);
      decoder.on('error', () => undefined); // late zlib errors after we stopped listening
      decoder.destroy();
    }
    discardRest(req, () => done(failure));
  };
  function onData(chunk: Buffer): void {
    if (finished) return;
    received += chunk.length;
    if (received > limitBytes) {
      fail({ kind: 'too_large', limitBytes });
      return;
    }
    chunks.push(chunk);
  }
  function onEnd(): void {
    if (finished) return;
    if (declared !== undefined && received !== declared) {
      fail({ kind: 'incomplete' });
      return;
    }
    finished = true;
    cleanup();
    if (decoder) {
      req.unpipe(decoder);
      decoder.on('error', () => undefined); // as body-parser: nothing from it matters any more
      decoder.destroy();
      req.resume(); // as body-parser: let the request finish
    }
    done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  }
  function onSourceError(): void {
    fail(decoder ? { kind: 'undecodable' } : { kind: 'incomplete' });
  }
  function onAborted(): void {
    fail({ kind: 'incomplete' });
  }
  function onClose(): void {
    // 'close' before 'end': the client went away mid-body.
    if (!req.complete) fail({ kind: 'incomplete' });
  }
  source.on('data', onData);
  source.on('end', onEnd);
  source.on('error', onSourceError);
  req.on('aborted', onAborted);
  req.on('close', onClose);
  if (decoder) {
    req.on('error', onAborted);
    req.pipe(decoder);
  }
}

/** Content-Length as raw-body read it (Node's parser has already refused a malformed one). */
function parseLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const n = Number.parseInt(header, 10);
  return Number.isNaN(n) ? undefined : n;
}

/** Reads off and drops the rest of the request, then calls `then` (once). */
function discardRest(req: IncomingMessage, then: () => void): void {
  if (req.readableEnded || req.destroyed) {
    then();
    return;
  }
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    req.off('end', once);
    req.off('close', once);
    then();
  };
  req.on('end', once);
  req.on('close', once);
  req.resume();
}

const BOM = [0xef, 0xbb, 0xbf] as const;
const isBlank = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Parses a UTF-8 JSON body with body-parser's strict rules (see the file comment); throws on
 * anything that is not JSON. Same value as `JSON.parse(bytes.toString('utf8'))` for every body
 * that is JSON.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  const start = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
  if (bytes.length === start) return {};
  let first = start;
  while (first < bytes.length && isBlank(bytes[first])) first += 1;
  if (bytes[first] !== 0x7b && bytes[first] !== 0x5b)
    throw new SyntaxError('strict JSON: not an object or array');
  if (bytes.length - start > PIECEWISE_MIN_BYTES) {
    const batch = parseLargeBatch(bytes, first);
    if (batch !== undefined) return batch;
  }
  return JSON.parse(bytes.toString('utf8', start)) as unknown;
}

/**
 * Bodies above this are parsed piecewise when they have the batch shape. V8's largest object
 * outside its large-object space is 128 KiB (kMaxRegularHeapObjectSize); a one-byte string of
 * n characters takes n + 16 bytes.
 */
const PIECEWISE_MIN_BYTES = 128 * 1024 - 64;
/** Target size of one piece: well below 128 KiB after the row that ends it. */
const PIECE_BYTES = 64 * 1024;
const INSTANCES_KEY = Buffer.from('"instances"');
const ROW_END = Buffer.from('},');

/**
 * A batch body `{"instances": [ ... ]}` (blanks allowed between the tokens, as Python's json
 * writes them) parsed in pieces of about PIECE_BYTES; undefined when the body has another shape
 * or a piece does not parse, and the caller parses the whole body instead.
 *
 * Why the result is JSON.parse's: the array's content C is cut after a `}` that is followed by
 * `,` into pieces P1..Pn, so C = P1,P2,...,Pn. A piece is kept only when `[Pi]` parses as a
 * non-empty array; then Pi is a list of JSON values separated by commas (an array text's first
 * `[` can only be closed by its last `]`). So C is such a list, `[C]` is a JSON array whose
 * elements are the pieces' elements in order, and `{"instances": [C]}` is a JSON object with
 * that one key. A cut inside a string or a nested value cannot pass that check unnoticed: some
 * piece then fails to parse (or parses empty), and the whole body is parsed instead. Pieces
 * start and end at ASCII bytes, where UTF-8 decoding of a slice equals decoding of the whole.
 */
function parseLargeBatch(bytes: Buffer, open: number): { instances: unknown[] } | undefined {
  // `{` ws `"instances"` ws `:` ws `[`
  if (bytes[open] !== 0x7b) return undefined;
  let i = skipBlanks(bytes, open + 1);
  if (!bytes.subarray(i, i + INSTANCES_KEY.length).equals(INSTANCES_KEY)) return undefined;
  i = skipBlanks(bytes, i + INSTANCES_KEY.length);
  if (bytes[i] !== 0x3a) return undefined;
  i = skipBlanks(bytes, i + 1);
  if (bytes[i] !== 0x5b) return undefined;
  const contentStart = i + 1;
  // `]` ws `}` ws at the end
  let j = bytes.length - 1;
  while (j > contentStart && isBlank(bytes[j])) j -= 1;
  if (bytes[j] !== 0x7d) return undefined;
  j -= 1;
  while (j > contentStart && isBlank(bytes[j])) j -= 1;
  if (bytes[j] !== 0x5d) return undefined;
  const contentEnd = j; // exclusive: the closing `]`

  const instances: unknown[] = [];
  let from = contentStart;
  while (from < contentEnd) {
    let to = contentEnd;
    if (contentEnd - from > PIECE_BYTES + PIECE_BYTES / 2) {
      const cut = bytes.indexOf(ROW_END, from + PIECE_BYTES);
      // The piece ends with the `}`; the next one must not be empty (`[{...},]` is not JSON).
      if (cut >= 0 && cut + 2 < contentEnd) to = cut + 1;
    }
    let piece: unknown;
    try {
      piece = JSON.parse(`[${bytes.toString('utf8', from, to)}]`);
    } catch {
      return undefined;
    }
    if (!Array.isArray(piece) || piece.length === 0) return undefined;
    for (let k = 0; k < piece.length; k += 1) instances.push(piece[k]);
    from = to + 1; // past the `,`
  }
  return instances.length > 0 ? { instances } : undefined;
}

function skipBlanks(bytes: Buffer, from: number): number {
  let i = from;
  while (i < bytes.length && isBlank(bytes[i])) i += 1;
  return i;
}
