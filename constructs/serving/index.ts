/** Serving: the scoring image, model versions, the online endpoint with its rollout, autoscale and keys. */
export * from './autoscale';
export * from './autoscale-settings';
export * from './endpoint-keys';
export * from './endpoint-keys-rotation';
export * from './model-version';
export * from './online-endpoint';
export * from './rollout-validation';
export * from './scoring-image';
export * from './scoring-image-context';
export * from './image-build';
