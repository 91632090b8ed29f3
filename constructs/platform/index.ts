/** The per-environment platform: logs, App Insights, Key Vault, storage, registries, ML workspace. */
export * from './app-insights';
export * from './container-registry';
export * from './diagnostics';
export * from './key-vault';
export * from './log-analytics';
export * from './ml-workspace';
export * from './model-registry';
export * from './storage';
export * from './platform';
