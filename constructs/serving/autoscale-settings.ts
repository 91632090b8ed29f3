/**
 * Autoscale settings of an environment's deployments and their validation (pure: no cdktf, so
 * stacks/environments.ts and `npm run rollout` can import it cheaply).
 */
import { MAX_INSTANCES_PER_DEPLOYMENT } from './rollout-validation';

export interface AutoscaleSettings {
  /** @default 1 */
  readonly minInstances?: number;
  /** @default 10 (the original's maximum) */
  readonly maxInstances?: number;
  /** Average CPU % over 5 minutes above which one instance is added. @default 70 */
  readonly scaleOutCpuPercent?: number;
  /** Average CPU % over 5 minutes below which one instance is removed. @default 25 */
  readonly scaleInCpuPercent?: number;
  /** Instances added per scale-out. @default 1 */
  readonly scaleOutBy?: number;
  /** ISO-8601 wait after a scale action. @default 'PT5M' */
  readonly cooldown?: string;
}

/** The settings with their defaults resolved. */
export type ResolvedAutoscale = Required<AutoscaleSettings>;

export function resolveAutoscale(settings: AutoscaleSettings = {}): ResolvedAutoscale {
  return {
    minInstances: settings.minInstances ?? 1,
    maxInstances: settings.maxInstances ?? 10,
    scaleOutCpuPercent: settings.scaleOutCpuPercent ?? 70,
    scaleInCpuPercent: settings.scaleInCpuPercent ?? 25,
    scaleOutBy: settings.scaleOutBy ?? 1,
    cooldown: settings.cooldown ?? 'PT5M',
  };
}

const isInt = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Problems with autoscale settings, each prefixed with `prefix` (e.g. `prod.serving.autoscale`). */
export function autoscaleErrors(prefix: string, settings: AutoscaleSettings): string[] {
  const s = resolveAutoscale(settings);
  const errors: string[] = [];
  if (!isInt(s.minInstances, 1, MAX_INSTANCES_PER_DEPLOYMENT)) {
    errors.push(
      `${prefix}.minInstances = ${String(s.minInstances)}: must be an integer 1..${MAX_INSTANCES_PER_DEPLOYMENT}`,
    );
  }
  if (!isInt(s.maxInstances, 1, MAX_INSTANCES_PER_DEPLOYMENT)) {
    errors.push(
      `${prefix}.maxInstances = ${String(s.maxInstances)}: must be an integer 1..${MAX_INSTANCES_PER_DEPLOYMENT}`,
    );
  } else if (s.maxInstances < s.minInstances) {
    errors.push(
      `${prefix}.maxInstances = ${s.maxInstances}: must be at least minInstances (${s.minInstances})`,
    );
  }
  if (!isInt(s.scaleOutCpuPercent, 1, 100)) {
    errors.push(`${prefix}.scaleOutCpuPercent = ${String(s.scaleOutCpuPercent)}: must be an integer 1..100`);
  }
  if (!isInt(s.scaleInCpuPercent, 0, 99)) {
    errors.push(`${prefix}.scaleInCpuPercent = ${String(s.scaleInCpuPercent)}: must be an integer 0..99`);
  } else if (s.scaleInCpuPercent >= s.scaleOutCpuPercent) {
    errors.push(
      `${prefix}.scaleInCpuPercent = ${s.scaleInCpuPercent}: must be below scaleOutCpuPercent (${s.scaleOutCpuPercent}) or the rules flap`,
    );
  }
  if (!isInt(s.scaleOutBy, 1, 10))
    errors.push(`${prefix}.scaleOutBy = ${String(s.scaleOutBy)}: must be an integer 1..10`);
  if (!/^PT\d+M$/.test(s.cooldown))
    errors.push(`${prefix}.cooldown = '${s.cooldown}': must be minutes as ISO-8601, e.g. 'PT5M'`);
  return errors;
}
