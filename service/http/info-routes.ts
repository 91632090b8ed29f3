/**
 * GET /health/live, GET /health/ready (the Azure ML BYOC liveness/readiness routes) and
 * GET /metadata. Health answers are tiny constant-shape JSON built without touching the model,
 * so they stay fast while scoring is saturated.
 */
import type { Request, Response } from 'express';
import { IDENTIFIER_FIELDS, FIELD_RULES } from '../../model/schema';
import { explanationsMetadata } from '../scoring/explainer';
import type { ServingState } from '../scoring/serving-state';

export function liveHandler(_req: Request, res: Response): void {
  res.json({ status: 'alive' });
}

export function readyHandler(state: ServingState) {
  return (_req: Request, res: Response): void => {
    const model = state.model;
    if (state.phase === 'ready' && model) {
      res.json({ status: 'ready', model: model.ref });
      return;
    }
    res.status(503).setHeader('retry-after', '1');
    res.json({ status: state.phase });
  };
}

/**
 * GET /health, the original project's health route, kept for its API test: 200
 * `{"status":"healthy"}` exactly when /health/ready is 200, else the same 503 as readiness.
 */
export function legacyHealthHandler(state: ServingState) {
  return (_req: Request, res: Response): void => {
    if (state.phase === 'ready' && state.model) {
      res.json({ status: 'healthy' });
      return;
    }
    res.status(503).setHeader('retry-after', '1');
    res.json({ status: state.phase });
  };
}

/** GET /, as the original answered: a small JSON message pointing at the API. */
export function rootHandler(state: ServingState) {
  return (_req: Request, res: Response): void => {
    res.json({
      message: 'fraud detection scoring service: POST /score (or /predict) with {"features": {...}}',
      status: state.phase,
      model: state.model?.ref ?? null,
      docs: 'GET /metadata',
    });
  };
}

export interface MetadataDeps {
  readonly state: ServingState;
  readonly deploymentName: string;
  readonly maxBatch: number;
}

/** What a client needs to call the API: the model, the request fields with types and rules. */
export function metadataHandler(deps: MetadataDeps) {
  const identifiers: readonly string[] = IDENTIFIER_FIELDS;
  const requestFields = Object.entries(FIELD_RULES).map(([name, rule]) => ({
    name,
    type: rule.kind === 'number' ? (rule.integer ? 'integer' : 'number') : 'string',
    required: name === 'amount',
    ...(rule.kind === 'number' ? { min: rule.min, max: rule.max } : { maxLength: rule.maxLength }),
    identifier: identifiers.includes(name),
  }));
  return (_req: Request, res: Response): void => {
    const model = deps.state.model;
    const m = model?.manifest;
    res.json({
      deployment: deps.deploymentName,
      status: deps.state.phase,
      model: m
        ? {
            ref: model.ref,
            name: m.name,
            version: m.version,
            createdAt: m.createdAt,
            codeVersion: m.codeVersion,
            threshold: m.threshold,
            metrics: { rocAuc: m.metrics.rocAuc, prAuc: m.metrics.prAuc },
            input: { name: m.input.name, featureNames: m.input.featureNames, dtype: m.input.dtype },
            output: m.output,
            explanations: explanationsMetadata(model.explanations),
          }
        : null,
      request: {
        single: { features: '{...transaction}' },
        batch: { instances: '[{...transaction}, ...]', maxInstances: deps.maxBatch },
        fields: requestFields,
      },
      response: {
        single: ['pred_proba', 'model', 'deployment'],
        batch: ['predictions', 'model', 'deployment'],
      },
    });
  };
}
