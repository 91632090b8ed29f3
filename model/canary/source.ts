/**
 * Where canary analysis gets its data: one interface, two implementations — the service's
 * local telemetry files (local-source.ts) and Log Analytics (log-analytics-source.ts).
 */
import type { DeploymentWindow } from './analyze';

export interface CanaryWindow {
  readonly start: Date;
  readonly end: Date;
}

export interface CanaryDataSource {
  /** For the report: `local:<dir>` or `log-analytics:<workspace>`. */
  readonly description: string;
  /** Problems the last load met without failing (e.g. skipped lines). @default - none */
  readonly warnings?: readonly string[];
  /** What each named deployment did in the window (deployments without data may be absent). */
  load(window: CanaryWindow, deployments: readonly string[]): Promise<Map<string, DeploymentWindow>>;
}
