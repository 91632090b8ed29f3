/**
 * `npm run plan:comment -- --plans <dir> [--rollout <file>] [--canary <dir>] [--out <file>]`
 *
 * Renders the ONE pull-request comment of the plan workflow (.github/workflows/plan.yml), which
 * updates it on later pushes (it finds it by {@link COMMENT_MARKER}). Made to be read in ten
 * seconds: a headline, a loud warning for any destroy or replace of a stateful resource, one
 * table row per stack with its add/change/destroy counts, the traffic change per environment,
 * the canary verdicts, and each full plan folded away, the whole under GitHub's comment limit.
 *
 * Inputs, written by the workflow:
 * - `<plans>/<stack>.json`: `terraform show -json <stack>.tfplan`; `<plans>/<stack>.txt`
 *   (optional): `terraform show -no-color <stack>.tfplan`, the text shown folded;
 * - `--rollout`: the output of `npm run rollout -- status --base <base>` (one line per environment);
 * - `--canary <dir>`: `<env>.txt`, the output of `npm run canary -- analyze --env <env>`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isRecord as isObject } from '../constructs/core/values';

/** The hidden first line the workflow looks for to update its own comment. */
export const COMMENT_MARKER = '<!-- fraud-mlops:plan-preview -->';
/**
 * GitHub rejects an issue comment body over 65,536 characters; stay a little under it so the
 * workflow never fails on size (PITFALLS.md §2: "truncate PR comments to 64 KB").
 */
export const MAX_COMMENT_CHARS = 65_000;

/** Resources whose loss loses data or identity; a destroy or replace of one is shouted. */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  azurerm_machine_learning_workspace: 'ML workspace',
  azurerm_storage_account: 'storage account',
  azurerm_key_vault: 'Key Vault',
  azurerm_container_registry: 'container registry',
  azurerm_log_analytics_workspace: 'Log Analytics workspace',
};
/** azapi resources are told apart by their ARM type. */
const STATEFUL_AZAPI_TYPES: Readonly<Record<string, string>> = {
  'microsoft.machinelearningservices/registries': 'ML registry',
  'microsoft.machinelearningservices/workspaces': 'ML workspace',
};

/** The subset of `terraform show -json` this renderer reads. */
export interface PlanJson {
  readonly resource_changes?: readonly ResourceChange[];
}
interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
  };
}

export interface StackPlan {
  readonly stack: string;
  readonly plan: PlanJson;
  /** `terraform show -no-color` text. @default - not shown */
  readonly text?: string;
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Replacements, also counted in add and destroy as Terraform does. */
  readonly replace: number;
}

export interface StatefulLoss {
  readonly stack: string;
  readonly address: string;
  readonly kind: string;
  readonly action: 'destroy' | 'replace';
}

export interface CommentInput {
  readonly stacks: readonly StackPlan[];
  /** Lines of `npm run rollout -- status --base <base>`. @default - no traffic section */
  readonly rolloutLines?: readonly string[];
  /** Environment -> output of `npm run canary -- analyze`. @default - no canary section */
  readonly canary?: Readonly<Record<string, string>>;
  /** @default MAX_COMMENT_CHARS */
  readonly maxChars?: number;
}

/** Add/change/destroy counts, counted as `terraform plan` prints them. */
export function countChanges(plan: PlanJson): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let replace = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const a = rc.change.actions;
    if (a.includes('create') && a.includes('delete')) {
      replace++;
      add++;
      destroy++;
    } else if (a.includes('create')) add++;
    else if (a.includes('delete')) destroy++;
    else if (a.includes('update')) change++;
  }
  return { add, change, destroy, replace };
}

/** Destroys and replaces of stateful resources (workspace, storage, Key Vault, registries, logs). */
export function statefulLosses(stack: string, plan: PlanJson): StatefulLoss[] {
  const losses: StatefulLoss[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || !rc.change.actions.includes('delete')) continue;
    const kind = statefulKind(rc);
    if (!kind) continue;
    const action = rc.change.actions.includes('create') ? 'replace' : 'destroy';
    losses.push({ stack, address: rc.address, kind, action });
  }
  return losses;
}

function statefulKind(rc: ResourceChange): string | undefined {
  if (rc.type in STATEFUL_TYPES) return STATEFUL_TYPES[rc.type];
  if (rc.type !== 'azapi_resource') return undefined;
  const armType = [rc.change.before, rc.change.after]
    .map((v) => (isObject(v) && typeof v.type === 'string' ? v.type : undefined))
    .find((t) => t !== undefined);
  return armType ? STATEFUL_AZAPI_TYPES[armType.split('@')[0].toLowerCase()] : undefined;
}

/** The whole comment body, at most `maxChars` characters. */
export function renderComment(input: CommentInput): string {
  const max = input.maxChars ?? MAX_COMMENT_CHARS;
  const rows = input.stacks.map((s) => ({
    ...s,
    counts: countChanges(s.plan),
    losses: statefulLosses(s.stack, s.plan),
  }));
  const losses = rows.flatMap((r) => r.losses);
  const trafficChanges = (input.rolloutLines ?? []).filter((l) => !/: unchanged\b/.test(l));

  const head: string[] = [COMMENT_MARKER];
  const total = rows.reduce((n, r) => n + r.counts.add + r.counts.change + r.counts.destroy, 0);
  const headline =
    total === 0
      ? `no infrastructure changes in ${rows.length} stack(s)`
      : `${rows.filter((r) => r.counts.add + r.counts.change + r.counts.destroy > 0).length} of ${rows.length} stack(s) change`;
  head.push(
    `### Plan preview: ${headline}${trafficChanges.length ? `; traffic changes in ${trafficChanges.length} environment(s)` : ''}`,
  );
  if (losses.length > 0) {
    head.push('');
    head.push(`> [!CAUTION]`);
    head.push(
      `> **${losses.length} stateful resource(s) would be destroyed or replaced. Data or identity is lost:**`,
    );
    for (const l of losses)
      head.push(`> - **${l.action.toUpperCase()}** ${l.kind} \`${l.address}\` in \`${l.stack}\``);
  }
  head.push('');
  head.push('| stack | add | change | destroy | note |');
  head.push('| --- | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    const note = [
      r.counts.replace ? `${r.counts.replace} replaced` : '',
      r.losses.length ? `⚠️ ${r.losses.length} stateful` : '',
    ]
      .filter(Boolean)
      .join(', ');
    head.push(
      `| \`${r.stack}\` | ${r.counts.add} | ${r.counts.change} | ${r.counts.destroy} | ${note || '-'} |`,
    );
  }
  if (input.rolloutLines && input.rolloutLines.length > 0) {
    head.push('');
    head.push('**Traffic** (`npm run rollout -- status --base <base>`)');
    head.push('```');
    head.push(...input.rolloutLines);
    head.push('```');
  }
  const canary = Object.entries(input.canary ?? {});
  if (canary.length > 0) {
    head.push('');
    head.push('**Canary analysis** (`npm run canary -- analyze`)');
    for (const [env, text] of canary) {
      head.push(
        `<details><summary>${env}: ${firstLine(text)}</summary>`,
        '',
        '```',
        text.trim(),
        '```',
        '</details>',
      );
    }
  }

  const top = head.join('\n');
  const withText = rows.filter((r) => r.text !== undefined);
  const footer = withText.length ? "\n\nFull plans (folded; the run's artifacts hold them whole):\n" : '';
  let budget = max - top.length - footer.length - 200;
  if (budget < 0) return truncate(top, max);
  const folds: string[] = [];
  for (const [i, r] of withText.entries()) {
    const share = Math.floor(budget / (withText.length - i));
    const fold = foldedPlan(r.stack, r.counts, r.text ?? '', share);
    budget -= fold.length;
    folds.push(fold);
  }
  return truncate(top + footer + folds.join('\n'), max);
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200).replace(/[<>]/g, '');
}

/** One stack's plan text in a `<details>` block of at most `limit` characters. */
function foldedPlan(stack: string, counts: PlanCounts, text: string, limit: number): string {
  const open = `<details><summary><code>${stack}</code>: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy</summary>\n\n\`\`\`hcl\n`;
  const close = '\n```\n</details>';
  const room = limit - open.length - close.length - 80;
  if (room <= 0) return '';
  const safe = text.replace(/```/g, "'''");
  if (safe.length <= room) return open + safe + close;
  const kept = safe.slice(0, room);
  const cut = safe.slice(room).split('\n').length;
  return `${open}${kept}\n… ${cut} more line(s) cut to fit the comment; see the run's artifacts${close}`;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "\n\n… (cut to fit GitHub's comment limit)";
  return text.slice(0, max - note.length) + note;
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE =
  'usage: npm run plan:comment -- --plans <dir> [--rollout <file>] [--canary <dir>] [--out <file>]';

/** Reads the workflow's files; returns the comment. */
export function loadCommentInput(plans: string, rollout?: string, canaryDir?: string): CommentInput {
  const stacks = readdirSync(plans)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const stack = f.slice(0, -'.json'.length);
      const file = path.join(plans, f);
      let plan: PlanJson;
      try {
        plan = JSON.parse(readFileSync(file, 'utf8')) as PlanJson;
      } catch (e) {
        throw new Error(`${file} is not the JSON of 'terraform show -json': ${(e as Error).message}`);
      }
      const textFile = path.join(plans, `${stack}.txt`);
      return { stack, plan, text: existsSync(textFile) ? readFileSync(textFile, 'utf8') : undefined };
    });
  if (stacks.length === 0) throw new Error(`no <stack>.json plan in ${plans}`);
  const rolloutLines = rollout
    ? readFileSync(rollout, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : undefined;
  const canary = canaryDir
    ? Object.fromEntries(
        readdirSync(canaryDir)
          .filter((f) => f.endsWith('.txt'))
          .sort()
          .map((f) => [f.slice(0, -4), readFileSync(path.join(canaryDir, f), 'utf8')]),
      )
    : undefined;
  return { stacks, rolloutLines, canary };
}

export function runPlanCommentCli(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        plans: { type: 'string' },
        rollout: { type: 'string' },
        canary: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.plans) {
    err(`--plans is required\n${USAGE}`);
    return 2;
  }
  try {
    const body = renderComment(loadCommentInput(values.plans, values.rollout, values.canary));
    if (values.out) writeFileSync(values.out, body);
    else out(body);
    return 0;
  } catch (e) {
    err(`plan:comment: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runPlanCommentCli(
    process.argv.slice(2),
    (s) => process.stdout.write(`${s}\n`),
    (s) => console.error(s),
  );
}
