/**
 * Test helper: checks the azapi blocks of a synthesized stack (provider, resources, data sources,
 * ephemeral resources) against the vendored table of the azapi v2.12.0 provider schema,
 * `schemas/azapi-2.12/azapi-2.12.0.schema.json` (generated from the provider's Go source; see its
 * README). The REST bodies inside the blocks are checked separately (azapi-schema.ts).
 *
 * Rules, as Terraform and the plugin framework apply them when they load the provider schema:
 * - an attribute the block does not have is an error ("An argument named X is not expected here");
 * - a computed-only attribute (`id`, `output`, `sensitive_output`, `exist`) cannot be set;
 * - a required attribute must be present;
 * - values have the attribute's type; `one_of`, `min`/`max` and `min_items` validators hold;
 * - `${...}` expressions are unknown until plan and are not checked;
 * - Terraform's own meta-arguments (depends_on, lifecycle, provider, count, for_each) are allowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const AZAPI_PROVIDER_SCHEMA_FILE = path.join(
  __dirname,
  '../../schemas/azapi-2.12/azapi-2.12.0.schema.json',
);

export interface AttributeSpec {
  readonly type: string;
  readonly mode: 'required' | 'optional' | 'computed';
  readonly write_only?: true;
  readonly sensitive?: true;
  readonly deprecated?: true;
  readonly one_of?: readonly string[];
  readonly one_of_case_insensitive?: true;
  readonly min?: number;
  readonly max?: number;
  readonly min_items?: number;
  readonly nesting?: 'attribute' | 'block' | 'block_list';
  readonly attributes?: Readonly<Record<string, AttributeSpec>>;
  readonly source: string;
}

export interface ProviderSchemaTable {
  readonly tag: string;
  readonly commit: string;
  /** `provider.azapi`, `resource.azapi_resource`, `data.azapi_resource_action`, ... */
  readonly blocks: Readonly<
    Record<string, { source: string; attributes: Readonly<Record<string, AttributeSpec>> }>
  >;
}

let cached: ProviderSchemaTable | undefined;
export function azapiProviderSchema(): ProviderSchemaTable {
  cached ??= JSON.parse(fs.readFileSync(AZAPI_PROVIDER_SCHEMA_FILE, 'utf8')) as ProviderSchemaTable;
  return cached;
}

/** https://developer.hashicorp.com/terraform/language/meta-arguments */
const META_ARGUMENTS: Record<string, readonly string[]> = {
  provider: ['alias', 'version'],
  resource: ['depends_on', 'count', 'for_each', 'provider', 'lifecycle', 'connection', 'provisioner'],
  data: ['depends_on', 'count', 'for_each', 'provider', 'lifecycle'],
  ephemeral: ['depends_on', 'count', 'for_each', 'provider', 'lifecycle'],
};

const isExpression = (v: unknown): boolean => typeof v === 'string' && v.includes('${');
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v);

function checkValue(where: string, spec: AttributeSpec, value: unknown): string[] {
  if (value === null || isExpression(value)) return [];
  if (spec.nesting) return checkNested(where, spec, value);
  const errors: string[] = [];
  const type = spec.type;
  const elementsOf = (inner: string, items: unknown[]) =>
    items.flatMap((item, i) =>
      checkValue(`${where}[${i}]`, { type: inner, mode: 'optional', source: spec.source }, item),
    );
  if (type === 'string') {
    if (typeof value !== 'string') errors.push(`${where}: expected a string, got ${show(value)}`);
    else if (spec.one_of) {
      const ok = spec.one_of_case_insensitive
        ? spec.one_of.some((o) => o.toLowerCase() === value.toLowerCase())
        : spec.one_of.includes(value);
      if (!ok) errors.push(`${where}: ${show(value)} is not one of ${spec.one_of.map(show).join(', ')}`);
    }
  } else if (type === 'bool') {
    if (typeof value !== 'boolean') errors.push(`${where}: expected a bool, got ${show(value)}`);
  } else if (type === 'number') {
    if (typeof value !== 'number') errors.push(`${where}: expected a number, got ${show(value)}`);
    else if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
      errors.push(`${where}: ${value} is outside ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
  } else if (type === 'dynamic') {
    // body/sensitive_body reject a JSON string (DynamicIsNotStringValidator); other dynamics take anything.
    if (typeof value === 'string' && /(^|\.)(body|sensitive_body)$/.test(where))
      errors.push(`${where}: must be an object, not a string (azapi 2.x dynamic body)`);
  } else if (/^list\((.+)\)$/.test(type)) {
    const inner = /^list\((.+)\)$/.exec(type)![1];
    if (!Array.isArray(value)) errors.push(`${where}: expected a list, got ${show(value)}`);
    else {
      if (spec.min_items !== undefined && value.length < spec.min_items)
        errors.push(`${where}: needs at least ${spec.min_items} item(s)`);
      errors.push(...elementsOf(inner, value));
    }
  } else if (/^map\((.+)\)$/.test(type)) {
    const inner = /^map\((.+)\)$/.exec(type)![1];
    if (!isRecord(value)) errors.push(`${where}: expected a map, got ${show(value)}`);
    else
      errors.push(
        ...Object.entries(value).flatMap(([k, v]) =>
          checkValue(`${where}.${k}`, { type: inner, mode: 'optional', source: spec.source }, v),
        ),
      );
  } else {
    errors.push(`${where}: the table has an unknown type ${type}`);
  }
  return errors;
}

function checkNested(where: string, spec: AttributeSpec, value: unknown): string[] {
  // In Terraform JSON a nested block is an object or a list of objects; an object-typed attribute is an object.
  let objects: unknown[];
  if (spec.nesting === 'attribute')
    objects = spec.type.startsWith('list(') && Array.isArray(value) ? value : [value];
  else objects = Array.isArray(value) ? value : [value];
  if (spec.nesting === 'block' && objects.length > 1)
    return [`${where}: at most one ${where.split('.').pop()} block`];
  return objects.flatMap((o, i) =>
    isRecord(o)
      ? checkAttributes(objects.length > 1 ? `${where}[${i}]` : where, spec.attributes ?? {}, o, [])
      : [`${where}: expected an object, got ${show(o)}`],
  );
}

function checkAttributes(
  where: string,
  attributes: Readonly<Record<string, AttributeSpec>>,
  block: Record<string, unknown>,
  meta: readonly string[],
): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (meta.includes(key)) continue;
    const spec = attributes[key];
    if (!spec) errors.push(`${where}.${key}: not an attribute of this block in azapi 2.12`);
    else if (spec.mode === 'computed')
      errors.push(`${where}.${key}: computed by the provider, cannot be set`);
    else errors.push(...checkValue(`${where}.${key}`, spec, value));
  }
  for (const [key, spec] of Object.entries(attributes)) {
    if (spec.mode === 'required' && block[key] === undefined) errors.push(`${where}.${key}: required`);
  }
  return errors;
}

/** Problems of every azapi block in one synthesized stack (Terraform JSON); empty when all conform. */
export function validateAzapiBlocks(stackJson: string | Record<string, unknown>): string[] {
  const parsed = (typeof stackJson === 'string' ? JSON.parse(stackJson) : stackJson) as Record<
    string,
    unknown
  >;
  const table = azapiProviderSchema();
  const errors: string[] = [];
  const checkBlock = (kind: string, type: string, name: string, block: unknown) => {
    const schema = table.blocks[`${kind}.${type}`];
    const where = kind === 'resource' ? `${type}.${name}` : `${kind}.${type}.${name}`;
    if (!schema) errors.push(`${where}: no ${kind} '${type}' in the azapi 2.12 schema table`);
    else if (!isRecord(block)) errors.push(`${where}: expected an object`);
    else errors.push(...checkAttributes(where, schema.attributes, block, META_ARGUMENTS[kind]));
  };
  const providers = (parsed.provider ?? {}) as Record<string, unknown>;
  for (const [i, block] of ((providers.azapi as unknown[] | undefined) ?? []).entries())
    checkBlock('provider', 'azapi', String(i), block);
  for (const kind of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, blocks] of Object.entries(
      (parsed[kind] ?? {}) as Record<string, Record<string, unknown>>,
    )) {
      if (!type.startsWith('azapi_')) continue;
      for (const [name, block] of Object.entries(blocks)) checkBlock(kind, type, name, block);
    }
  }
  return errors;
}
