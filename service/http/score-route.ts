/**
 * POST /score. Two request shapes (DESIGN.md "Data contract"):
 * - single, the original clients' shape: `{"features": {...}}` -> `{"pred_proba", "model", "deployment"}`;
 * - batch: `{"instances": [{...}, ...]}` (1..MAX_BATCH) -> `{"predictions": [...], "model", "deployment"}`.
 * Unknown top-level and transaction fields are ignored. Every row is validated before any is
 * scored; a 400 lists each bad field with its value and rule. Features are computed by the
 * shared model/features module; then a large batch goes to the ORT worker thread and everything
 * else through the micro-batcher to the main thread's session (see ServingModel.score).
 */
import type { NextFunction, Request, Response } from 'express';
import { writeFeatures } from '../../model/features';
import { validateScoringInput, type FieldError, type ScoringInput } from '../../model/schema';
import { predictionsJson, roundProbability } from '../scoring/predictions-json';
import type { ServingState } from '../scoring/serving-state';
import type { ServiceTelemetry } from '../telemetry/service-telemetry';
import { isRecord } from '../../util/values';
import { HttpError } from './errors';
import { requestedExplainer } from './explain-options';
import { contextOf } from './request-context';

export interface ScoreRouteDeps {
  readonly state: ServingState;
  readonly telemetry: ServiceTelemetry;
  readonly deploymentName: string;
  readonly maxBatch: number;
}

/** Validation of a batch stops collecting after this many field errors (the rest are counted). */
const MAX_COLLECTED_ERRORS = 1000;

/** Parses the body into validated inputs, or throws a 400 naming every problem. */
export function parseScoreBody(
  body: unknown,
  maxBatch: number,
): { kind: 'single' | 'batch'; inputs: ScoringInput[] } {
  if (!isRecord(body)) {
    throw new HttpError(
      400,
      'invalid_request',
      'request body must be a JSON object with "features" or "instances"',
      [{ field: '(root)', value: Array.isArray(body) ? '[array]' : body, rule: 'must be a JSON object' }],
    );
  }
  const hasFeatures = body.features !== undefined;
  const hasInstances = body.instances !== undefined;
  if (hasFeatures === hasInstances) {
    throw new HttpError(
      400,
      'invalid_request',
      'send exactly one of "features" (one transaction) or "instances" (a batch)',
      [
        {
          field: hasFeatures ? 'features|instances' : 'features',
          value: hasFeatures ? 'both present' : null,
          rule: 'exactly one of "features" (object) or "instances" (array) is required',
        },
      ],
    );
  }
  if (hasFeatures) {
    const r = validateScoringInput(body.features, 'features');
    if (!r.ok) throw invalid(r.errors, 1);
    return { kind: 'single', inputs: [r.value] };
  }
  const instances = body.instances;
  const arrayRule = `must be an array of 1..${maxBatch} transaction objects`;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw new HttpError(400, 'invalid_request', `"instances" ${arrayRule}`, [
      { field: 'instances', value: Array.isArray(instances) ? '[] (empty)' : instances, rule: arrayRule },
    ]);
  }
  if (instances.length > maxBatch) {
    throw new HttpError(
      400,
      'invalid_request',
      `"instances" holds ${instances.length} rows; at most ${maxBatch} per request`,
      [
        {
          field: 'instances',
          value: `${instances.length} rows`,
          rule: `must hold at most ${maxBatch} instances (MAX_BATCH)`,
        },
      ],
      undefined,
      'batch_too_large',
    );
  }
  const inputs: ScoringInput[] = new Array<ScoringInput>(instances.length);
  const errors: FieldError[] = [];
  let errorCount = 0;
  for (let i = 0; i < instances.length; i += 1) {
    // The `instances[i]` prefix is only needed for errors: build it for bad rows only.
    const r = validateScoringInput(instances[i]);
    if (r.ok) inputs[i] = r.value;
    else {
      const named = validateScoringInput(instances[i], `instances[${i}]`);
      const rowErrors = named.ok ? [] : named.errors;
      errorCount += rowErrors.length;
      if (errors.length < MAX_COLLECTED_ERRORS) errors.push(...rowErrors);
    }
  }
  if (errorCount > 0) throw invalid(errors, instances.length, errorCount);
  return { kind: 'batch', inputs };
}

function invalid(errors: FieldError[], rows: number, total = errors.length): HttpError {
  const where = rows === 1 ? '' : ` across ${rows} instances`;
  return new HttpError(400, 'invalid_request', `${total} invalid field(s)${where}; see "errors"`, errors);
}

export function scoreHandler(deps: ScoreRouteDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const model = deps.state.model;
    if (!model || deps.state.phase === 'loading' || deps.state.phase === 'failed') {
      next(
        new HttpError(503, 'not_ready', 'the model is not loaded yet; retry shortly', undefined, {
          'retry-after': '1',
        }),
      );
      return;
    }
    if (req.body === undefined) {
      next(new HttpError(400, 'invalid_request', 'request body is empty; send a JSON object'));
      return;
    }
    const { kind, inputs } = parseScoreBody(req.body, deps.maxBatch);
    // ?explain=true or "explain": true: TreeSHAP contributions per row (explain-options.ts).
    const explain = requestedExplainer(req.originalUrl, req.body, model.explanations);
    const written = new Float32Array(inputs.length * model.width);
    const spec = model.manifest.featureSpec;
    for (let i = 0; i < inputs.length; i += 1) writeFeatures(inputs[i], spec, written, i);
    // Large runs go to the ORT worker thread, which takes `written` (transferred) and hands the
    // same memory back as `features`.
    const batch = kind === 'batch';
    const scored = await model.score(written, inputs.length, { predictionsJson: batch });
    const { features, scores } = scored;
    if (kind === 'single') {
      res.json({
        pred_proba: roundProbability(scores[0]),
        ...(explain ? { explanation: explain.explainer.explain(features, inputs, explain.top)[0] } : {}),
        model: model.ref,
        deployment: deps.deploymentName,
      });
    } else {
      // The same bytes as res.json({ predictions, model, deployment }); the predictions text
      // was usually written by the ORT worker thread, off the main thread.
      const predictions = scored.predictionsJson ?? predictionsJson(scores);
      const explanations = explain
        ? `,"explanations":${JSON.stringify(explain.explainer.explain(features, inputs, explain.top))}`
        : '';
      res.setHeader('content-type', 'application/json');
      res.send(
        `{"predictions":${predictions}${explanations},"model":${JSON.stringify(model.ref)},"deployment":${JSON.stringify(deps.deploymentName)}}`,
      );
    }
    deps.telemetry.recordScored(features, inputs, scores, performance.now() - contextOf(res).startedAt);
  };
}
