/**
 * The explanation options of POST /score: `?explain=true` (or `"explain": true` in the body) and
 * `top=K` (query or body), validated in one place. The app does not parse query strings, so this
 * reads the raw URL. A bad value is a 400 naming it, like any other bad field.
 */
import { DEFAULT_TOP_K } from '../../model/explain';
import type { Explainer, ExplainerLoad } from '../scoring/explainer';
import { HttpError } from './errors';
import { asRecord } from '../../util/values';

/** What a request asked for: no explanation, or the top-k contributions per row. */
export type ExplainRequest = { readonly explain: false } | { readonly explain: true; readonly top: number };

const FLAG_RULE = 'must be true or false';

/**
 * Reads `explain` and `top` from the query string (the app does not parse it) and the JSON body;
 * the body wins when both are given. A bad value is a 400 naming it.
 */
export function explainRequest(originalUrl: string, body: unknown, maxTop: number): ExplainRequest {
  const q = originalUrl.indexOf('?');
  const query = new URLSearchParams(q >= 0 ? originalUrl.slice(q + 1) : '');
  const b = asRecord(body);
  const topRule = `must be an integer in 1..${maxTop}`;
  const errors: { field: string; value: unknown; rule: string }[] = [];
  let explain = false;
  const qExplain = query.get('explain');
  if (qExplain !== null) {
    if (qExplain === 'true' || qExplain === '1' || qExplain === '') explain = true;
    else if (qExplain !== 'false' && qExplain !== '0')
      errors.push({ field: '?explain', value: qExplain, rule: FLAG_RULE });
  }
  if (b.explain !== undefined) {
    if (typeof b.explain === 'boolean') explain = b.explain;
    else errors.push({ field: 'explain', value: b.explain, rule: FLAG_RULE });
  }
  let top = Math.min(DEFAULT_TOP_K, maxTop);
  const qTop = query.get('top');
  if (qTop !== null) {
    const v = /^\d+$/.test(qTop) ? Number(qTop) : NaN;
    if (v >= 1 && v <= maxTop) top = v;
    else errors.push({ field: '?top', value: qTop, rule: topRule });
  }
  if (b.top !== undefined) {
    if (typeof b.top === 'number' && Number.isInteger(b.top) && b.top >= 1 && b.top <= maxTop) top = b.top;
    else errors.push({ field: 'top', value: b.top, rule: topRule });
  }
  if (errors.length > 0) {
    throw new HttpError(
      400,
      'invalid_request',
      `${errors.length} invalid explanation option(s); see "errors"`,
      errors,
      undefined,
      'validation',
    );
  }
  return explain ? { explain: true, top } : { explain: false };
}

/**
 * The explainer and `top` for this request, or undefined when no explanation was asked for.
 * Asking for one from a model that cannot be explained is a 400 that says why.
 */
export function requestedExplainer(
  originalUrl: string,
  body: unknown,
  load: ExplainerLoad,
): { readonly explainer: Explainer; readonly top: number } | undefined {
  const maxTop = 'explainer' in load ? load.explainer.width : 64;
  const r = explainRequest(originalUrl, body, maxTop);
  if (!r.explain) return undefined;
  if ('unavailable' in load) {
    throw new HttpError(
      400,
      'invalid_request',
      `explanations are not available for this model: ${load.unavailable}`,
      [{ field: 'explain', value: true, rule: 'the served model must be explainable (see GET /metadata)' }],
    );
  }
  return { explainer: load.explainer, top: r.top };
}
