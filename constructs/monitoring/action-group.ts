/**
 * An Azure Monitor action group: who is told when an alert fires. E-mail and webhook receivers
 * only; Slack, Microsoft Teams and PagerDuty are reached through their incoming-webhook URLs.
 *
 * Every receiver gets the common alert schema (one JSON shape for metric, log and activity-log
 * alerts), so one webhook adapter handles every alert this project defines
 * (azurerm v4.55.0 internal/services/monitor/monitor_action_group_resource.go: `email_receiver`
 * and `webhook_receiver` both carry `use_common_alert_schema`; `short_name` is 1..12 characters;
 * `location` defaults to `global`).
 *
 * The receivers' addresses are checked once, with the environment settings
 * (stacks/environments.ts `environmentErrors`, `alerts.receivers`); this construct checks only
 * what Azure itself limits (the short name) and the shape of each receiver.
 */
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { Construct } from 'constructs';

/** One receiver: exactly one of `email` / `webhookUrl`. */
export interface ActionGroupReceiver {
  /** Receiver name, unique within the group. */
  readonly name: string;
  /** @default - not an e-mail receiver */
  readonly email?: string;
  /** An https URL (Slack, Teams, PagerDuty or any webhook). @default - not a webhook receiver */
  readonly webhookUrl?: string;
}

export interface ActionGroupProps {
  readonly name: string;
  /** Shown in e-mails and SMS: 1..12 characters. */
  readonly shortName: string;
  readonly resourceGroupName: string;
  /**
   * Who is notified. An empty list still makes a group: alerts keep firing into Azure Monitor
   * (portal, API), and receivers can be added later without touching any alert.
   * @default - no receivers
   */
  readonly receivers?: readonly ActionGroupReceiver[];
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Problems with the props that Azure would reject (pure; exported for tests). */
export function actionGroupErrors(props: Pick<ActionGroupProps, 'shortName' | 'receivers'>): string[] {
  const errors: string[] = [];
  if (props.shortName.length < 1 || props.shortName.length > 12) {
    errors.push(`shortName '${props.shortName}' must be 1..12 characters, got ${props.shortName.length}`);
  }
  for (const r of props.receivers ?? []) {
    if ((r.email === undefined) === (r.webhookUrl === undefined)) {
      errors.push(`receiver '${r.name}' must set exactly one of email or webhookUrl`);
    }
  }
  return errors;
}

export class ActionGroup extends Construct {
  public readonly resource: MonitorActionGroup;
  /** ARM id, referenced by every alert's action. */
  public readonly actionGroupId: string;
  /** Receiver names, e-mail ones first (as configured). */
  public readonly receiverNames: readonly string[];

  constructor(scope: Construct, id: string, props: ActionGroupProps) {
    super(scope, id);
    const errors = actionGroupErrors(props);
    if (errors.length > 0) throw new Error(`ActionGroup '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const receivers = props.receivers ?? [];
    this.resource = new MonitorActionGroup(this, 'Resource', {
      name: props.name,
      shortName: props.shortName,
      resourceGroupName: props.resourceGroupName,
      enabled: true,
      emailReceiver: receivers
        .filter((r) => r.email !== undefined)
        .map((r) => ({ name: r.name, emailAddress: r.email as string, useCommonAlertSchema: true })),
      webhookReceiver: receivers
        .filter((r) => r.webhookUrl !== undefined)
        .map((r) => ({ name: r.name, serviceUri: r.webhookUrl as string, useCommonAlertSchema: true })),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.actionGroupId = this.resource.id;
    this.receiverNames = receivers.map((r) => r.name);
  }
}
