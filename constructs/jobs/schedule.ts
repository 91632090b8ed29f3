/**
 * An Azure ML schedule (`workspaces/schedules`) that submits a command job on a cron trigger.
 *
 * Schema (schemas/azure-api, 2026-05-01): `properties.trigger` discriminated by `triggerType`
 * (`Cron`: `expression`, NCronTab, plus optional `timeZone` as a Windows time-zone name and
 * `startTime`/`endTime` without offset) and `properties.action` discriminated by `actionType`
 * (`CreateJob`: `jobDefinition` = any job body); `isEnabled` switches it without deleting it
 * (../shared/azure-api/FACTS.md §2.6).
 */
import { Construct } from 'constructs';
import { AzapiResource, mlType } from '../azapi';
import { MlWorkspace } from '../platform/ml-workspace';
import { CommandJob } from './command-job';

export const SCHEDULE_TYPE = mlType('workspaces/schedules');

export type Weekday = 'Sunday' | 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday';
const WEEKDAYS: readonly Weekday[] = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

/** A cron trigger. Build one with {@link Cron.weekly} / {@link Cron.daily} or give an expression. */
export interface CronTrigger {
  /** Five-field cron (minute hour day-of-month month day-of-week), e.g. `0 5 * * 1`. */
  readonly expression: string;
  /** Windows time-zone name. @default 'UTC' */
  readonly timeZone?: string;
}

/** Presets for the cadences this project uses. */
export class Cron {
  /** Once a week, e.g. `Cron.weekly('Monday', 5)` = `0 5 * * 1` (UTC). */
  public static weekly(day: Weekday, hour: number, minute = 0): CronTrigger {
    return { expression: `${minute} ${hour} * * ${WEEKDAYS.indexOf(day)}`, timeZone: 'UTC' };
  }

  /** Once a day, e.g. `Cron.daily(6)` = `0 6 * * *` (UTC). */
  public static daily(hour: number, minute = 0): CronTrigger {
    return { expression: `${minute} ${hour} * * *`, timeZone: 'UTC' };
  }
}

export interface JobScheduleProps {
  readonly workspace: MlWorkspace;
  /** Schedule name (letters, digits, `_`, `-`). */
  readonly name: string;
  /** The job each trigger submits. */
  readonly job: CommandJob;
  readonly trigger: CronTrigger;
  /** Whether the schedule submits jobs (it exists either way). @default true */
  readonly isEnabled?: boolean;
  /** @default - the name */
  readonly displayName?: string;
  /** @default - none */
  readonly description?: string;
  /**
   * Job environment variables sent through azapi `sensitive_body` (merge-patched into the job
   * definition, kept out of plan output and state), e.g. an Application Insights connection
   * string: a sensitive value inside `body` would hide every change of the schedule in the plan.
   * @default - none
   */
  readonly sensitiveEnvironmentVariables?: Readonly<Record<string, string>>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
// One field: `*`, a number, a range, a list, each with an optional `/step`.
const FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const FIELD_RANGES: readonly (readonly [string, number, number])[] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 6],
];

/** Problems with a cron trigger (pure). */
export function cronErrors(trigger: CronTrigger): string[] {
  const fields = trigger.expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return [`cron expression '${trigger.expression}' must have 5 fields (minute hour day month weekday)`];
  }
  const errors: string[] = [];
  fields.forEach((field, i) => {
    const [label, min, max] = FIELD_RANGES[i]!;
    if (!FIELD.test(field)) {
      errors.push(
        `cron ${label} '${field}' must be *, a number, a range a-b or a list, with an optional /step`,
      );
      return;
    }
    for (const n of field.split(/[^0-9]+/).filter((s) => s !== '')) {
      const isStep = field.includes(`/${n}`);
      if (!isStep && (Number(n) < min || Number(n) > max)) {
        errors.push(`cron ${label} ${n} is outside ${min}..${max} in '${trigger.expression}'`);
      }
    }
  });
  if (trigger.timeZone !== undefined && trigger.timeZone.trim() === '') {
    errors.push("timeZone must be a Windows time-zone name such as 'UTC'");
  }
  return errors;
}

export class JobSchedule extends Construct {
  public readonly resource: AzapiResource;
  /** ARM id of the schedule. */
  public readonly scheduleId: string;
  public readonly scheduleName: string;
  public readonly isEnabled: boolean;
  public readonly cronExpression: string;

  constructor(scope: Construct, id: string, props: JobScheduleProps) {
    super(scope, id);
    const errors = cronErrors(props.trigger);
    if (!NAME.test(props.name)) errors.unshift(`name '${props.name}' must match ${NAME.source}`);
    if (props.isEnabled !== undefined && typeof props.isEnabled !== 'boolean') {
      errors.push(`isEnabled must be true or false, got ${JSON.stringify(props.isEnabled)}`);
    }
    if (errors.length > 0) {
      throw new Error(
        `JobSchedule '${this.node.path}' (${errors.length} problem(s)):\n- ${errors.join('\n- ')}`,
      );
    }
    this.isEnabled = props.isEnabled ?? true;
    this.scheduleName = props.name;
    this.cronExpression = props.trigger.expression.trim();
    this.resource = new AzapiResource(this, 'Resource', {
      type: SCHEDULE_TYPE,
      name: props.name,
      parentId: props.workspace.workspaceId,
      body: {
        properties: {
          displayName: props.displayName ?? props.name,
          description: props.description,
          isEnabled: this.isEnabled,
          trigger: {
            triggerType: 'Cron',
            expression: this.cronExpression,
            timeZone: props.trigger.timeZone ?? 'UTC',
          },
          action: { actionType: 'CreateJob', jobDefinition: props.job.definition },
        },
      },
      sensitiveBody:
        props.sensitiveEnvironmentVariables && Object.keys(props.sensitiveEnvironmentVariables).length > 0
          ? {
              properties: {
                action: {
                  jobDefinition: { environmentVariables: { ...props.sensitiveEnvironmentVariables } },
                },
              },
            }
          : undefined,
    });
    this.scheduleId = this.resource.id;
  }
}
