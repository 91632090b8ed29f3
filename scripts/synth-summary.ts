/**
 * `npm run synth:summary`: synthesizes every stack (no network, no Azure account) and prints
 * a readable summary of what each contains: backend, providers, resource counts by type,
 * resource names, azapi types and outputs.
 *
 *   tsx scripts/synth-summary.ts                 # synth in-process into a temp dir
 *   tsx scripts/synth-summary.ts --from cdktf.out  # summarize an existing `cdktf synth` output
 *   tsx scripts/synth-summary.ts --json          # machine-readable
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../stacks/app';

// fraud-shared (the registry every environment uses) is deployed first.
const DEPLOY_ORDER = ['fraud-shared', 'fraud-dev', 'fraud-staging', 'fraud-prod'];

export interface StackSummary {
  readonly stack: string;
  readonly backend: string;
  readonly providers: Record<string, string>;
  readonly resourceCount: number;
  readonly countsByType: Record<string, number>;
  /** `type: name` of every resource with a literal name. */
  readonly names: string[];
  readonly azapiTypes: string[];
  readonly dataSources: string[];
  readonly outputs: string[];
}

type Block = Record<string, Record<string, Record<string, unknown>>>;
interface TerraformJson {
  terraform?: {
    backend?: Record<string, Record<string, unknown>>;
    required_providers?: Record<string, { version?: string }>;
  };
  resource?: Block;
  data?: Block;
  output?: Record<string, unknown>;
}

export function summarizeStack(stack: string, json: TerraformJson): StackSummary {
  const resources = json.resource ?? {};
  const countsByType: Record<string, number> = {};
  const names: string[] = [];
  const azapiTypes = new Set<string>();
  for (const [type, byId] of Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))) {
    countsByType[type] = Object.keys(byId).length;
    for (const r of Object.values(byId)) {
      if (typeof r.name === 'string' && !r.name.includes('${')) names.push(`${type}: ${r.name}`);
      if (type.startsWith('azapi_') && typeof r.type === 'string') azapiTypes.add(r.type);
    }
  }
  const backendEntry = Object.entries(json.terraform?.backend ?? {})[0];
  const backend = backendEntry
    ? `${backendEntry[0]} (${Object.entries(backendEntry[1])
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')})`
    : 'local (default)';
  const providers = Object.fromEntries(
    Object.entries(json.terraform?.required_providers ?? {}).map(([k, v]) => [k, v.version ?? 'any']),
  );
  const dataSources = Object.entries(json.data ?? {}).flatMap(([type, byId]) =>
    Object.keys(byId).map((id) => `${type}.${id}`),
  );
  return {
    stack,
    backend,
    providers,
    resourceCount: Object.values(countsByType).reduce((a, b) => a + b, 0),
    countsByType,
    names: names.sort(),
    azapiTypes: [...azapiTypes].sort(),
    dataSources: dataSources.sort(),
    outputs: Object.keys(json.output ?? {}).sort(),
  };
}

export function formatSummary(s: StackSummary): string {
  const lines = [
    `== ${s.stack}: ${s.resourceCount} resources`,
    `   backend:   ${s.backend}`,
    `   providers: ${Object.entries(s.providers)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '   resources by type:',
    ...Object.entries(s.countsByType).map(([t, n]) => `     ${String(n).padStart(3)}  ${t}`),
    '   names:',
    ...s.names.map((n) => `     ${n}`),
  ];
  if (s.azapiTypes.length) lines.push('   azapi types:', ...s.azapiTypes.map((t) => `     ${t}`));
  if (s.dataSources.length) lines.push(`   data sources: ${s.dataSources.join(', ')}`);
  lines.push(`   outputs: ${s.outputs.join(', ')}`);
  return lines.join('\n');
}

/** Reads `<outdir>/stacks/<name>/cdk.tf.json` for every stack, in manifest order when present. */
export function readSynthOutput(outdir: string): StackSummary[] {
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir))
    throw new Error(`no synthesized stacks in ${stacksDir}; run 'npm run synth' first`);
  const manifestPath = path.join(outdir, 'manifest.json');
  const names = fs.existsSync(manifestPath)
    ? Object.keys(
        (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, unknown> }).stacks,
      )
    : fs.readdirSync(stacksDir);
  // Deployment order (shared, dev, staging, prod), then any other stack alphabetically.
  const rank = (n: string): number => {
    const i = DEPLOY_ORDER.indexOf(n);
    return i === -1 ? DEPLOY_ORDER.length : i;
  };
  const order = [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return order.map((name) =>
    summarizeStack(
      name,
      JSON.parse(fs.readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as TerraformJson,
    ),
  );
}

function main(): void {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  let outdir = values.from;
  let temp: string | undefined;
  if (!outdir) {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-synth-'));
    outdir = temp;
    buildApp({ outdir }).app.synth();
  }
  try {
    const summaries = readSynthOutput(outdir);
    if (values.json) {
      console.log(JSON.stringify(summaries, null, 2));
    } else {
      console.log(
        `Synthesized ${summaries.length} stack(s) from ${values.from ?? 'the cdktf app'} (no Azure account used)\n`,
      );
      console.log(summaries.map(formatSummary).join('\n\n'));
    }
  } finally {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`synth-summary: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
