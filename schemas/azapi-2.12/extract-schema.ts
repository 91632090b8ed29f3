/**
 * Writes `azapi-2.12.0.schema.json` from the azapi provider's Go source, so that the table is
 * read from the source and never typed by hand:
 *
 *   npx tsx schemas/azapi-2.12/extract-schema.ts <clone of Azure/terraform-provider-azapi> [tag]
 *
 * It reads each block's `Schema` method with `git show <tag>:<file>` and follows the helpers
 * the schemas call (`retry.RetrySchema`, the plugin-framework `timeouts.Block`, the identity
 * type constants). It understands exactly the Go shapes these files use (composite literals of
 * `schema.*Attribute`, `Validators`, `timeouts.Opts`) and fails loudly on anything else, so a
 * newer provider with a new shape is noticed rather than mis-read.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface AttributeSpec {
  type: string;
  mode: 'required' | 'optional' | 'computed';
  write_only?: true;
  sensitive?: true;
  deprecated?: true;
  one_of?: string[];
  one_of_case_insensitive?: true;
  min?: number;
  max?: number;
  min_items?: number;
  /** `attribute` (an object-typed attribute, `retry = {...}`) or `block` / `block_list`. */
  nesting?: 'attribute' | 'block' | 'block_list';
  attributes?: Record<string, AttributeSpec>;
  /** `file:line` at the tag. */
  source: string;
}

const [repo, tag = 'v2.12.0'] = process.argv.slice(2);
if (!repo) {
  console.error('usage: extract-schema.ts <azapi repository clone> [tag]');
  process.exit(2);
}
const show = (file: string): string =>
  execFileSync('git', ['-C', repo, 'show', `${tag}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Index just past the bracket matching the one at `open`; skips strings, runes and comments. */
function matchBracket(src: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  const stack: string[] = [];
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
    } else if (c === "'") {
      for (i++; src[i] !== "'"; i++) if (src[i] === '\\') i++;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
    } else if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i) + 1;
    } else if (pairs[c]) {
      stack.push(pairs[c]);
    } else if (c === '}' || c === ')' || c === ']') {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at ${i}`);
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`no closing bracket for ${src[open]} at ${open}`);
}

/** Index just past the token at `i`: a bracketed group, a string literal, a comment, or one character. */
function skipToken(src: string, i: number): number {
  const c = src[i];
  if ('{(['.includes(c)) return matchBracket(src, i);
  if (c === '"') {
    let k = i + 1;
    for (; src[k] !== '"'; k++) if (src[k] === '\\') k++;
    return k + 1;
  }
  if (c === '`') return src.indexOf('`', i + 1) + 1;
  if (c === '/' && src[i + 1] === '/') return src.indexOf('\n', i);
  return i + 1;
}

/** Splits the inside of a composite literal into its top-level `key: value` entries. */
function entries(src: string, start: number, end: number): { key: string; value: string; at: number }[] {
  const out: { key: string; value: string; at: number }[] = [];
  let i = start;
  while (i < end) {
    const rest = src.slice(i, end);
    const m = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*("[^"]*"|[A-Za-z_][A-Za-z0-9_]*)\s*:\s*/.exec(rest);
    if (!m) {
      if (rest.trim() === '') break;
      throw new Error(`cannot read an entry at: ${rest.slice(0, 80)}`);
    }
    const valueStart = i + m[0].length;
    let j = valueStart;
    while (j < end && src[j] !== ',') j = skipToken(src, j);
    out.push({ key: m[1].replace(/"/g, ''), value: src.slice(valueStart, j).trim(), at: valueStart });
    i = j + 1;
  }
  return out;
}

const lineOf = (src: string, index: number): number => src.slice(0, index).split('\n').length;

const identityConstants = (() => {
  const src = show('internal/azure/identity/identity.go');
  return Object.fromEntries([...src.matchAll(/(\w+)\s+IdentityType\s*=\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]));
})();

function stringArgs(args: string): string[] {
  return args
    .split(',')
    .filter((a) => a.trim() !== '')
    .map((a) => {
    const t = a.trim();
    const literal = /^"(.*)"$/.exec(t);
    if (literal) return literal[1];
    const constant = /^string\(identity\.(\w+)\)$/.exec(t);
    if (constant && identityConstants[constant[1]] !== undefined) return identityConstants[constant[1]];
    throw new Error(`cannot resolve OneOf argument ${t}`);
  });
}

function typeOf(kind: string, fields: Record<string, string>): string {
  const element = (t: string | undefined): string => {
    if (t === undefined) throw new Error(`${kind} without ElementType`);
    if (t === 'types.StringType') return 'string';
    const list = /^types\.ListType\{\s*ElemType:\s*types\.StringType,?\s*\}$/.exec(t);
    if (list) return 'list(string)';
    throw new Error(`unknown element type ${t}`);
  };
  switch (kind) {
    case 'String':
      return 'string';
    case 'Bool':
      return 'bool';
    case 'Int64':
    case 'Int32':
      return 'number';
    case 'Float64':
      return 'number';
    case 'Dynamic':
      return 'dynamic';
    case 'List':
      return `list(${element(fields.ElementType)})`;
    case 'Map':
      return `map(${element(fields.ElementType)})`;
    case 'SingleNested':
      return 'object';
    case 'ListNested':
      return 'list(object)';
    default:
      throw new Error(`unknown attribute kind ${kind}`);
  }
}

/** One `schema.XAttribute{...}` literal (or a helper call returning one) at `src[at..]`. */
function attribute(file: string, src: string, value: string, at: number): AttributeSpec {
  const helper = /^retry\.(Retry\w*Schema)\(ctx\)$/.exec(value);
  if (helper) {
    const retrySrc = show('internal/retry/schema.go');
    const fn = retrySrc.indexOf(`func ${helper[1]}(`);
    if (fn < 0) throw new Error(`no ${helper[1]} in internal/retry/schema.go`);
    const ret = retrySrc.indexOf('return ', fn) + 'return '.length;
    const literal = retrySrc.slice(ret, matchBracket(retrySrc, retrySrc.indexOf('{', ret)));
    return attribute('internal/retry/schema.go', retrySrc, literal, ret);
  }
  const m = /^(\w+)\.(\w+?)Attribute\{/.exec(value);
  if (!m) throw new Error(`${file}:${lineOf(src, at)}: unknown attribute expression ${value.slice(0, 60)}`);
  const open = at + value.indexOf('{');
  const close = matchBracket(src, open) - 1;
  const fields: Record<string, string> = {};
  for (const e of entries(src, open + 1, close)) fields[e.key] = e.value;
  const spec: AttributeSpec = {
    type: typeOf(m[2], fields),
    mode: fields.Required === 'true' ? 'required' : fields.Optional === 'true' ? 'optional' : 'computed',
    source: `${file}:${lineOf(src, at)}`,
  };
  if (fields.WriteOnly === 'true') spec.write_only = true;
  if (fields.Sensitive === 'true') spec.sensitive = true;
  if (fields.DeprecationMessage) spec.deprecated = true;
  const validators = fields.Validators ?? '';
  const oneOf = /stringvalidator\.OneOf(CaseInsensitive)?\(/.exec(validators);
  if (oneOf) {
    const argsOpen = oneOf.index + oneOf[0].length - 1;
    spec.one_of = stringArgs(validators.slice(argsOpen + 1, matchBracket(validators, argsOpen) - 1));
    if (oneOf[1]) spec.one_of_case_insensitive = true;
  }
  const num = (re: RegExp) => {
    const n = re.exec(validators);
    return n ? Number(n[1]) : undefined;
  };
  const min = num(/int(?:64|32)validator\.AtLeast\((\d+)\)/);
  const max = num(/int(?:64|32)validator\.AtMost\((\d+)\)/);
  const minItems = num(/listvalidator\.SizeAtLeast\((\d+)\)/);
  if (min !== undefined) spec.min = min;
  if (max !== undefined) spec.max = max;
  if (minItems !== undefined) spec.min_items = minItems;
  if (m[2] === 'SingleNested' || m[2] === 'ListNested') {
    spec.nesting = 'attribute';
    const inner = m[2] === 'SingleNested' ? fields.Attributes : /Attributes:\s*(map[\s\S]*)$/.exec(fields.NestedObject ?? '')?.[1];
    if (!inner) throw new Error(`${spec.source}: nested attribute without Attributes`);
    const innerAt = src.indexOf(inner, open);
    spec.attributes = attributeMap(file, src, innerAt + inner.indexOf('{'));
  }
  return spec;
}

/** `map[string]schema.Attribute{ "a": ..., }` whose `{` is at `open`. */
function attributeMap(file: string, src: string, open: number): Record<string, AttributeSpec> {
  const out: Record<string, AttributeSpec> = {};
  for (const e of entries(src, open + 1, matchBracket(src, open) - 1)) out[e.key] = attribute(file, src, e.value, e.at);
  return out;
}

/** The plugin-framework timeouts block: which operations it accepts. */
function timeoutsBlock(file: string, src: string, value: string, at: number): AttributeSpec {
  const pkg = new RegExp(`"github.com/hashicorp/terraform-plugin-framework-timeouts/(\\w+)/timeouts"`).exec(src)?.[1];
  if (!pkg) throw new Error(`${file}: no timeouts import`);
  let ops: string[];
  if (pkg === 'resource') {
    const opts = /timeouts\.Opts\{([\s\S]*)\}/.exec(value)?.[1] ?? '';
    ops = ['Create', 'Read', 'Update', 'Delete'].filter((o) => new RegExp(`\\b${o}:\\s*true`).test(opts)).map((o) => o.toLowerCase());
  } else if (pkg === 'datasource' && value === 'timeouts.Block(ctx)') {
    ops = ['read']; // vendor/.../datasource/timeouts/schema.go: attributeNameRead
  } else if (pkg === 'ephemeral' && value === 'timeouts.Block(ctx)') {
    ops = ['open']; // vendor/.../ephemeral/timeouts/schema.go: attributeNameOpen
  } else {
    throw new Error(`${file}: unknown timeouts form ${value}`);
  }
  const attributes: Record<string, AttributeSpec> = {};
  const vendorFile = `vendor/github.com/hashicorp/terraform-plugin-framework-timeouts/${pkg}/timeouts/schema.go`;
  for (const op of ops) attributes[op] = { type: 'string', mode: 'optional', source: vendorFile };
  return { type: 'object', mode: 'optional', nesting: 'block', attributes, source: `${file}:${lineOf(src, at)}` };
}

function nestedBlock(file: string, src: string, value: string, at: number): AttributeSpec {
  if (value.startsWith('timeouts.Block(')) return timeoutsBlock(file, src, value, at);
  const m = /^schema\.ListNestedBlock\{/.exec(value);
  if (!m) throw new Error(`${file}:${lineOf(src, at)}: unknown block ${value.slice(0, 60)}`);
  const attrsAt = src.indexOf('Attributes: map[string]schema.Attribute{', at);
  const open = src.indexOf('{', attrsAt + 'Attributes: map[string]schema.Attribute'.length);
  return {
    type: 'list(object)',
    mode: 'optional',
    nesting: 'block_list',
    attributes: attributeMap(file, src, open),
    source: `${file}:${lineOf(src, at)}`,
  };
}

/** The `Schema` method of one block: its `Attributes` and `Blocks` maps. */
function blockSchema(file: string, method: RegExp): { source: string; attributes: Record<string, AttributeSpec> } {
  const src = show(file);
  const fn = src.search(method);
  if (fn < 0) throw new Error(`${file}: no Schema method matching ${method}`);
  const bodyOpen = src.indexOf('{', src.indexOf('schema.Schema{', fn));
  const bodyClose = matchBracket(src, bodyOpen) - 1;
  const attributes: Record<string, AttributeSpec> = {};
  for (const e of entries(src, bodyOpen + 1, bodyClose)) {
    if (e.key === 'Attributes') Object.assign(attributes, attributeMap(file, src, e.at + e.value.indexOf('{')));
    if (e.key === 'Blocks') {
      const open = e.at + e.value.indexOf('{');
      for (const b of entries(src, open + 1, matchBracket(src, open) - 1))
        attributes[b.key] = nestedBlock(file, src, b.value, b.at);
    }
  }
  return { source: `${file}:${lineOf(src, fn)}`, attributes };
}

const commit = execFileSync('git', ['-C', repo, 'rev-parse', `${tag}^{commit}`], { encoding: 'utf8' }).trim();
const table = {
  $comment:
    'Generated by schemas/azapi-2.12/extract-schema.ts from the azapi provider source; do not edit by hand. See README.md.',
  provider: 'registry.terraform.io/azure/azapi',
  tag,
  commit,
  blocks: {
    'provider.azapi': blockSchema('internal/provider/provider.go', /func \(p Provider\) Schema\(/),
    'resource.azapi_resource': blockSchema('internal/services/azapi_resource.go', /func \(r \*AzapiResource\) Schema\(/),
    'resource.azapi_update_resource': blockSchema(
      'internal/services/azapi_update_resource.go',
      /func \(r \*AzapiUpdateResource\) Schema\(/,
    ),
    'resource.azapi_resource_action': blockSchema(
      'internal/services/azapi_resource_action_resource.go',
      /func \(r \*ActionResource\) Schema\(/,
    ),
    'data.azapi_resource': blockSchema(
      'internal/services/azapi_resource_data_source.go',
      /func \(r \*AzapiResourceDataSource\) Schema\(/,
    ),
    'data.azapi_resource_action': blockSchema(
      'internal/services/azapi_resource_action_data_source.go',
      /func \(r \*ResourceActionDataSource\) Schema\(/,
    ),
    'ephemeral.azapi_resource_action': blockSchema(
      'internal/services/azapi_resource_action_ephemeral.go',
      /func \(r \*ActionEphemeral\) Schema\(/,
    ),
  },
};
const out = path.join(__dirname, `azapi-${tag.replace(/^v/, '')}.schema.json`);
fs.writeFileSync(out, `${JSON.stringify(table, null, 2)}\n`);
console.log(`wrote ${out}`);
