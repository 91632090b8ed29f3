/**
 * `npm run rollout:edit -- <command> --env <env> ...`: the edits that the retrain and canary
 * workflows propose as pull requests, made to `stacks/rollout.ts` the way an operator would make
 * them by hand, never with `sed`.
 *
 *   add-canary --env dev --name green --model fraud-detection-model:7 --percent 5
 *              [--instance-type Standard_DS3_v2] [--instance-count 1]
 *       declares a new deployment and gives it `--percent` of the live traffic, taken from the
 *       deployment that holds the most (0 = declare it with no traffic, e.g. to mirror first);
 *   set-traffic --env prod --split blue=65,green=35
 *       sets the live split; it must name every declared deployment.
 *
 * The edit is textual and local: only the numbers and entries it changes are rewritten, so the
 * operator's comments and layout survive. The edited file is then evaluated and checked with the
 * same rules as `npm run rollout -- status --base <the file before the edit>` (every synth rule plus
 * the step limits); an edit that breaks any of them is refused and the file is left untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { rolloutProblems } from '../constructs/serving/rollout-validation';
import { diffRollout } from './rollout-diff';
import { rolloutGuards } from './rollout-guards';
import { evaluateRolloutSource, ROLLOUT_FILE } from './rollout-load';

/** A textual replacement in the source: [start, end) becomes `text`. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface CanarySpec {
  readonly name: string;
  readonly model: string;
  readonly percent: number;
  /** @default - the instance type of the deployment that gives up the traffic */
  readonly instanceType?: string;
  /** @default 1 */
  readonly instanceCount?: number;
}

/** The result of an edit: the new source and the one-line change it makes. */
export interface RolloutEditResult {
  readonly source: string;
  readonly summary: string;
}

class RolloutEditError extends Error {}

/** Adds a canary deployment to `env` and gives it `spec.percent` of the live traffic. */
export function addCanary(source: string, env: string, spec: CanarySpec): RolloutEditResult {
  const envNode = findEnvironment(source, env);
  const deployments = objectProperty(envNode.node, 'deployments', `${env}`);
  const traffic = objectProperty(envNode.node, 'traffic', `${env}`);
  if (propertyNamed(deployments, spec.name)) {
    throw new RolloutEditError(`${env} already declares a deployment '${spec.name}'`);
  }
  if (!Number.isInteger(spec.percent) || spec.percent < 0 || spec.percent > 100) {
    throw new RolloutEditError(`--percent must be an integer from 0 to 100, got ${spec.percent}`);
  }
  const split = numericEntries(traffic, `${env}.traffic`);
  const donor = [...split].sort((a, b) => b.value - a.value || a.name.localeCompare(b.name))[0];
  if (spec.percent > 0 && (donor === undefined || donor.value < spec.percent)) {
    throw new RolloutEditError(
      `${env}: no deployment holds ${spec.percent} % of the traffic to give to '${spec.name}'`,
    );
  }
  const donorSpec = donor ? propertyNamed(deployments, donor.name) : undefined;
  const instanceType = spec.instanceType ?? (donorSpec ? stringField(donorSpec, 'instanceType') : undefined);
  if (instanceType === undefined) {
    throw new RolloutEditError(`${env}: pass --instance-type (no existing deployment to copy it from)`);
  }
  const deploymentText =
    `${spec.name}: { model: ${quote(spec.model)}, instanceType: ${quote(instanceType)}, ` +
    `instanceCount: ${spec.instanceCount ?? 1} }`;
  const edits: Edit[] = [appendProperty(source, deployments, deploymentText)];
  if (spec.percent > 0 && donor) edits.push(replaceNode(donor.node, String(donor.value - spec.percent)));
  edits.push(appendProperty(source, traffic, `${spec.name}: ${spec.percent}`));
  const next = applyEdits(source, edits);
  const from = donor ? `${donor.name} ${donor.value} -> ${donor.value - spec.percent}, ` : '';
  return { source: next, summary: `${env}: ${from}${spec.name} (new, ${spec.model}) ${spec.percent}` };
}

/** Sets the live traffic split of `env`; `split` must name every declared deployment. */
export function setTraffic(
  source: string,
  env: string,
  split: Readonly<Record<string, number>>,
): RolloutEditResult {
  const envNode = findEnvironment(source, env);
  const traffic = objectProperty(envNode.node, 'traffic', env);
  const current = numericEntries(traffic, `${env}.traffic`);
  const names = new Set(current.map((e) => e.name));
  const unknown = Object.keys(split).filter((n) => !names.has(n));
  const missing = current.filter((e) => !(e.name in split)).map((e) => e.name);
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [
      unknown.length ? `not declared in ${env}.traffic: ${unknown.join(', ')}` : '',
      missing.length ? `missing from --split: ${missing.join(', ')}` : '',
    ].filter(Boolean);
    throw new RolloutEditError(
      `--split must name every deployment of ${env} exactly once (${parts.join('; ')})`,
    );
  }
  const edits = current
    .filter((e) => split[e.name] !== e.value)
    .map((e) => replaceNode(e.node, String(split[e.name])));
  const changes = current
    .filter((e) => split[e.name] !== e.value)
    .map((e) => `${e.name} ${e.value} -> ${split[e.name]}`);
  return { source: applyEdits(source, edits), summary: `${env}: ${changes.join(', ') || 'unchanged'}` };
}

/**
 * The problems `npm run rollout -- status --base <before>` would report for `after`: the rules
 * synth applies plus the per-environment step limits. Empty means the edit is safe to propose.
 */
export function rolloutEditProblems(before: string, after: string): string[] {
  const base = evaluateRolloutSource(before, `${ROLLOUT_FILE} (before the edit)`);
  const head = evaluateRolloutSource(after, `${ROLLOUT_FILE} (after the edit)`);
  return [...rolloutProblems(head), ...diffRollout(base, head, rolloutGuards()).problems];
}

// ---------------------------------------------------------------------------------------------
// Locating things in the source

function parse(source: string): ts.SourceFile {
  return ts.createSourceFile(ROLLOUT_FILE, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Strips `as const`, `satisfies X` and parentheses around an expression. */
function unwrap(node: ts.Expression): ts.Expression {
  let n = node;
  while (ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isParenthesizedExpression(n))
    n = n.expression;
  return n;
}

function findEnvironment(source: string, env: string): { node: ts.ObjectLiteralExpression } {
  const file = parse(source);
  let rollout: ts.ObjectLiteralExpression | undefined;
  file.forEachChild((stmt) => {
    if (!ts.isVariableStatement(stmt)) return;
    for (const decl of stmt.declarationList.declarations) {
      if (ts.isIdentifier(decl.name) && decl.name.text === 'ROLLOUT' && decl.initializer) {
        const init = unwrap(decl.initializer);
        if (ts.isObjectLiteralExpression(init)) rollout = init;
      }
    }
  });
  if (!rollout)
    throw new RolloutEditError(`${ROLLOUT_FILE} has no 'export const ROLLOUT = { ... }' object literal`);
  const envProp = propertyNamed(rollout, env);
  if (!envProp) {
    const known = rollout.properties.map((p) => (p.name ? propertyName(p.name) : '?')).join(', ');
    throw new RolloutEditError(`ROLLOUT has no environment '${env}' (it has: ${known})`);
  }
  return { node: envProp };
}

function propertyName(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}

/** The object literal value of property `name`, or undefined. */
function propertyNamed(
  obj: ts.ObjectLiteralExpression,
  name: string,
): ts.ObjectLiteralExpression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propertyName(p.name) === name) {
      const value = unwrap(p.initializer);
      if (ts.isObjectLiteralExpression(value)) return value;
      throw new RolloutEditError(`'${name}' is not an object literal in ${ROLLOUT_FILE}; edit it by hand`);
    }
  }
  return undefined;
}

function objectProperty(
  obj: ts.ObjectLiteralExpression,
  name: string,
  where: string,
): ts.ObjectLiteralExpression {
  const value = propertyNamed(obj, name);
  if (!value) throw new RolloutEditError(`${where} has no '${name}' object in ${ROLLOUT_FILE}`);
  return value;
}

function numericEntries(
  obj: ts.ObjectLiteralExpression,
  where: string,
): { name: string; value: number; node: ts.Node }[] {
  return obj.properties.map((p) => {
    if (!ts.isPropertyAssignment(p) || !ts.isNumericLiteral(unwrap(p.initializer))) {
      throw new RolloutEditError(`${where}: every entry must be 'name: <number>' to be edited by a script`);
    }
    const lit = unwrap(p.initializer) as ts.NumericLiteral;
    return { name: propertyName(p.name), value: Number(lit.text), node: lit };
  });
}

function stringField(obj: ts.ObjectLiteralExpression, name: string): string | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propertyName(p.name) === name && ts.isStringLiteral(p.initializer)) {
      return p.initializer.text;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Text edits

function replaceNode(node: ts.Node, text: string): Edit {
  return { start: node.getStart(), end: node.getEnd(), text };
}

/**
 * Inserts `text` as the last property of `obj`, in the literal's own layout: on its own line with
 * the indentation of the other properties for a multi-line literal, inline for a one-line one.
 */
function appendProperty(source: string, obj: ts.ObjectLiteralExpression, text: string): Edit {
  const close = obj.getEnd() - 1; // the '}'
  const last = obj.properties[obj.properties.length - 1];
  const multiline = source.slice(obj.getStart(), obj.getEnd()).includes('\n');
  if (!last) return { start: obj.getStart(), end: obj.getEnd(), text: `{ ${text} }` };
  const hasTrailingComma = obj.properties.hasTrailingComma;
  if (!multiline) {
    return { start: last.getEnd(), end: close, text: `, ${text} ` };
  }
  const lineStart = source.lastIndexOf('\n', last.getStart()) + 1;
  const indent = /^\s*/.exec(source.slice(lineStart, last.getStart()))?.[0] ?? '';
  const afterLast = hasTrailingComma ? source.indexOf(',', last.getEnd()) + 1 : last.getEnd();
  return { start: afterLast, end: afterLast, text: `${hasTrailingComma ? '' : ','}\n${indent}${text},` };
}

function applyEdits(source: string, edits: readonly Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = [
  'usage: npm run rollout:edit -- add-canary --env <env> --name <deployment> --model <name:version> --percent <n>',
  '                                [--instance-type <sku>] [--instance-count <n>] [--root <dir>]',
  '       npm run rollout:edit -- set-traffic --env <env> --split <name=n,name=n,...> [--root <dir>]',
].join('\n');

function parseSplit(text: string): Record<string, number> {
  const split: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z0-9-]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new RolloutEditError(`--split entries look like 'blue=90', got '${part}'`);
    if (m[1] in split) throw new RolloutEditError(`--split names '${m[1]}' twice`);
    split[m[1]] = Number(m[2]);
  }
  return split;
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new RolloutEditError(`--${name} must be a whole number, got '${value}'`);
  return Number(value);
}

/** Runs the command; returns the exit code (0 edited, 1 refused, 2 usage). */
export function runRolloutEditCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  cwd: string,
): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        name: { type: 'string' },
        model: { type: 'string' },
        percent: { type: 'string' },
        'instance-type': { type: 'string' },
        'instance-count': { type: 'string' },
        split: { type: 'string' },
        root: { type: 'string' },
      },
    });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  const need = (key: 'env' | 'name' | 'model' | 'percent' | 'split'): string | undefined => {
    if (values[key] === undefined) err(`${command}: --${key} is required\n${USAGE}`);
    return values[key];
  };
  const file = path.join(values.root ?? cwd, ROLLOUT_FILE);
  try {
    const before = readFileSync(file, 'utf8');
    let result: RolloutEditResult;
    if (command === 'add-canary' && positionals.length === 1) {
      const [env, name, model, percent] = [need('env'), need('name'), need('model'), need('percent')];
      if (!env || !name || !model || !percent) return 2;
      result = addCanary(before, env, {
        name,
        model,
        percent: intOption(percent, 'percent') ?? 0,
        instanceType: values['instance-type'],
        instanceCount: intOption(values['instance-count'], 'instance-count'),
      });
    } else if (command === 'set-traffic' && positionals.length === 1) {
      const [env, split] = [need('env'), need('split')];
      if (!env || !split) return 2;
      result = setTraffic(before, env, parseSplit(split));
    } else {
      err(`expected 'add-canary' or 'set-traffic', got '${positionals.join(' ')}'\n${USAGE}`);
      return 2;
    }
    const problems = rolloutEditProblems(before, result.source);
    if (problems.length > 0) {
      err(
        `refused: the edit (${result.summary}) breaks ${problems.length} rollout rule(s); ${ROLLOUT_FILE} is unchanged:`,
      );
      problems.forEach((p) => err(`  - ${p}`));
      return 1;
    }
    writeFileSync(file, result.source);
    out(result.summary);
    return 0;
  } catch (e) {
    if (e instanceof RolloutEditError) {
      err(`refused: ${e.message}; ${ROLLOUT_FILE} is unchanged`);
      return 1;
    }
    err(`rollout:edit: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runRolloutEditCli(
    process.argv.slice(2),
    (line) => console.log(line),
    (line) => console.error(line),
    process.cwd(),
  );
}
