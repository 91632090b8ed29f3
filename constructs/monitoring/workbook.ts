/**
 * An Azure Monitor workbook as code: markdown and KQL query items in the `Notebook/1.0` format,
 * stored as an `azurerm_application_insights_workbook`.
 *
 * Facts (azurerm v4.55.0 internal/services/applicationinsights/application_insights_workbook_resource.go):
 * `name` must be a UUID without upper-case letters (ForceNew), `data_json` is JSON (diffs of
 * equal JSON are suppressed), `source_id` must not contain upper-case letters (so the workspace
 * id is lower-cased here; resource group names may carry capitals), `category` defaults to
 * `workbook`, and a `hidden-title` tag is refused (use `display_name`).
 * The name is derived from a stable seed (no random provider): the same workbook keeps its id.
 */
import { ApplicationInsightsWorkbook } from '@cdktf/provider-azurerm/lib/application-insights-workbook';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';

export type WorkbookVisualization = 'timechart' | 'barchart' | 'linechart' | 'table' | 'tiles' | 'piechart';

/** One item of the workbook, top to bottom. */
export type WorkbookItem =
  | { readonly kind: 'markdown'; readonly text: string }
  | {
      readonly kind: 'query';
      readonly title: string;
      readonly query: string;
      readonly visualization: WorkbookVisualization;
      /** Share of the row in percent (two items at 50 sit side by side). @default 100 */
      readonly widthPercent?: number;
    };

export interface WorkbookProps {
  /** Seed of the workbook's UUID name, e.g. `fraud-prod/model-monitoring`. Change it and the workbook is replaced. */
  readonly seed: string;
  readonly displayName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** ARM id of the Log Analytics workspace every query runs against. */
  readonly workspaceId: string;
  readonly items: readonly WorkbookItem[];
  /** Time range of every query. @default 86400000 (24 h) */
  readonly timeRangeMs?: number;
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A deterministic lower-case UUID (version 5 layout) from a seed. */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The workbook's `data_json` document (pure; exported for tests). */
export function workbookDocument(
  items: readonly WorkbookItem[],
  workspaceId: string,
  timeRangeMs = 86_400_000,
): Record<string, unknown> {
  return {
    version: 'Notebook/1.0',
    items: items.map((item, i) =>
      item.kind === 'markdown'
        ? { type: 1, name: `text - ${i}`, content: { json: item.text } }
        : {
            type: 3,
            name: `query - ${i}`,
            ...(item.widthPercent !== undefined && item.widthPercent !== 100
              ? { customWidth: String(item.widthPercent) }
              : {}),
            content: {
              version: 'KqlItem/1.0',
              title: item.title,
              query: item.query,
              size: 0,
              timeContext: { durationMs: timeRangeMs },
              queryType: 0,
              resourceType: 'microsoft.operationalinsights/workspaces',
              crossComponentResources: [workspaceId],
              visualization: item.visualization,
            },
          },
    ),
    isLocked: false,
    fallbackResourceIds: [workspaceId],
  };
}

export class Workbook extends Construct {
  public readonly resource: ApplicationInsightsWorkbook;
  /** The workbook's UUID name. */
  public readonly workbookName: string;

  constructor(scope: Construct, id: string, props: WorkbookProps) {
    super(scope, id);
    const errors: string[] = [];
    if (props.items.length === 0) errors.push('items must not be empty');
    props.items.forEach((item, i) => {
      if (item.kind === 'query' && item.query.trim() === '')
        errors.push(`items[${i}] '${item.title}': empty query`);
      if (
        item.kind === 'query' &&
        item.widthPercent !== undefined &&
        !(item.widthPercent > 0 && item.widthPercent <= 100)
      ) {
        errors.push(`items[${i}] '${item.title}': widthPercent ${item.widthPercent} must be in (0, 100]`);
      }
    });
    if (errors.length > 0) throw new Error(`Workbook '${this.node.path}':\n- ${errors.join('\n- ')}`);
    this.workbookName = stableUuid(props.seed);
    this.resource = new ApplicationInsightsWorkbook(this, 'Resource', {
      name: this.workbookName,
      displayName: props.displayName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sourceId: Fn.lower(props.workspaceId),
      category: 'workbook',
      description: props.description,
      dataJson: JSON.stringify(workbookDocument(props.items, props.workspaceId, props.timeRangeMs)),
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
