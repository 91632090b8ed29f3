/**
 * Test helper: validates azapi `body` objects against the type graphs azapi itself embeds
 * (`../shared/azure-api/*.azapi-types.json`), following the rules written down in
 * `../shared/azure-api/README.md` ("How azapi validates"):
 * - top-level name/location/tags/identity are merged into the body first;
 * - unknown keys (not a property, no additionalProperties) are errors;
 * - ReadOnly properties that are not also Required must not be set;
 * - Required, non-ReadOnly properties must be present (root `name` exempt);
 * - unions pass when any element matches; literals compare case-sensitively;
 * - discriminated objects need a known discriminator value;
 * - string patterns are applied unanchored (Go `regexp.Match`); patterns Go cannot compile
 *   (look-arounds) are skipped; minLength/maxLength are checked;
 * - numbers, booleans and AnyType are not checked; values unknown at plan (`${...}`) are skipped.
 * Errors carry the JSON path, e.g. `properties.requestSettings.foo: not expected`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The type graphs, vendored in the repository (schemas/azure-api/README.md says where they come
 * from) so that a plain clone, GitHub Actions included, can run these tests.
 */
export const AZURE_API_DIR = path.join(__dirname, '../../schemas/azure-api');

/** The team's reference copy beside the checkout; the vendored graph must equal it when present. */
export const SHARED_AZURE_API_DIR = path.join(__dirname, '../../../shared/azure-api');

type Ref = { $ref: string };
interface Property {
  type: Ref;
  flags: number;
}
type TypeNode =
  | { $type: 'ResourceType'; name: string; body: Ref }
  | { $type: 'ObjectType'; name: string; properties?: Record<string, Property>; additionalProperties?: Ref }
  | {
      $type: 'DiscriminatedObjectType';
      name: string;
      discriminator: string;
      baseProperties?: Record<string, Property>;
      elements: Record<string, Ref>;
    }
  | { $type: 'UnionType'; elements: Ref[] }
  | { $type: 'StringLiteralType'; value: string }
  | { $type: 'StringType'; minLength?: number; maxLength?: number; pattern?: string }
  | { $type: 'IntegerType'; minValue?: number; maxValue?: number }
  | { $type: 'ArrayType'; itemType: Ref; minLength?: number; maxLength?: number }
  | { $type: 'BooleanType' }
  | { $type: 'AnyType' }
  | { $type: 'ResourceFunctionType' };

const REQUIRED = 1;
const READ_ONLY = 2;

interface Graph {
  nodes: TypeNode[];
}

let cache: { graphs: Graph[]; resources: Map<string, { graph: Graph; body: Ref }> } | undefined;

function load(): NonNullable<typeof cache> {
  if (cache) return cache;
  const files = fs.readdirSync(AZURE_API_DIR).filter((f) => f.endsWith('.azapi-types.json'));
  if (files.length === 0) throw new Error(`no *.azapi-types.json files in ${AZURE_API_DIR}`);
  const graphs: Graph[] = [];
  const resources = new Map<string, { graph: Graph; body: Ref }>();
  for (const f of files) {
    const graph: Graph = {
      nodes: JSON.parse(fs.readFileSync(path.join(AZURE_API_DIR, f), 'utf8')) as TypeNode[],
    };
    graphs.push(graph);
    for (const node of graph.nodes) {
      // Type names compare case-insensitively in ARM; keep the api-version exact.
      if (node.$type === 'ResourceType') resources.set(node.name.toLowerCase(), { graph, body: node.body });
    }
  }
  cache = { graphs, resources };
  return cache;
}

/** Every `Microsoft.X/y@version` the shared schema files know. */
export function knownAzapiTypes(): string[] {
  return [...load().resources.keys()].sort();
}

function deref(graph: Graph, ref: Ref): TypeNode {
  const index = Number(ref.$ref.replace('#/', ''));
  const node = graph.nodes[index];
  if (!node) throw new Error(`broken $ref ${ref.$ref}`);
  return node;
}

const isUnknown = (v: unknown): boolean => typeof v === 'string' && v.includes('${');
const join = (p: string, key: string): string => (p === '' ? key : `${p}.${key}`);
const describe = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** RE2 (Go) rejects look-arounds and back-references; azapi skips such patterns. */
function goCompatiblePattern(pattern: string): RegExp | undefined {
  if (/\(\?[=!<]|\\[1-9]/.test(pattern)) return undefined;
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

function validateObject(
  graph: Graph,
  properties: Record<string, Property>,
  additional: Ref | undefined,
  value: unknown,
  p: string,
): string[] {
  if (!isPlainObject(value)) return [`${p || '(root)'}: expected object, got ${describe(value)}`];
  const errors: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const def = properties[key];
    const kp = join(p, key);
    if (def) {
      if (def.flags & READ_ONLY && !(def.flags & REQUIRED)) {
        errors.push(`${kp}: read-only, must not be set`);
        continue;
      }
      errors.push(...validateValue(graph, def.type, v, kp));
    } else if (additional) {
      errors.push(...validateValue(graph, additional, v, kp));
    } else {
      const allowed = Object.entries(properties)
        .filter(([, d]) => !(d.flags & READ_ONLY) || d.flags & REQUIRED)
        .map(([k]) => k)
        .sort();
      errors.push(`${kp}: not expected (allowed: ${allowed.join(', ')})`);
    }
  }
  for (const [key, def] of Object.entries(properties)) {
    if (
      def.flags & REQUIRED &&
      !(def.flags & READ_ONLY) &&
      (value[key] === undefined || value[key] === null)
    ) {
      if (p === '' && key === 'name') continue; // azapi: root name comes from the resource's name
      errors.push(`${join(p, key)}: required but missing`);
    }
  }
  return errors;
}

function validateValue(graph: Graph, ref: Ref, value: unknown, p: string): string[] {
  if (value === undefined || value === null || isUnknown(value)) return [];
  const node = deref(graph, ref);
  switch (node.$type) {
    case 'ObjectType':
      return validateObject(graph, node.properties ?? {}, node.additionalProperties, value, p);
    case 'DiscriminatedObjectType': {
      if (!isPlainObject(value)) return [`${p || '(root)'}: expected object, got ${describe(value)}`];
      const dp = join(p, node.discriminator);
      const d = value[node.discriminator];
      const allowed = Object.keys(node.elements).sort();
      if (d === undefined || d === null)
        return [`${dp}: discriminator required (one of ${allowed.join(', ')})`];
      if (isUnknown(d)) return [];
      const element = typeof d === 'string' ? node.elements[d] : undefined;
      if (!element) return [`${dp}: '${String(d)}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`];
      const el = deref(graph, element);
      if (el.$type !== 'ObjectType') return [`${dp}: schema element is ${el.$type}, expected ObjectType`];
      return validateObject(
        graph,
        { ...(node.baseProperties ?? {}), ...(el.properties ?? {}) },
        el.additionalProperties,
        value,
        p,
      );
    }
    case 'UnionType': {
      const results = node.elements.map((e) => validateValue(graph, e, value, p));
      if (results.some((r) => r.length === 0)) return [];
      const literals = node.elements.map((e) => deref(graph, e));
      if (literals.every((l) => l.$type === 'StringLiteralType')) {
        const names = literals.map((l) => `'${(l as { value: string }).value}'`).join(', ');
        return [`${p}: ${JSON.stringify(value)} is not one of ${names}`];
      }
      // Report the variant that got closest (fewest errors) so the message stays actionable.
      const best = results.reduce((a, b) => (b.length < a.length ? b : a));
      return best;
    }
    case 'StringLiteralType':
      return value === node.value ? [] : [`${p}: expected '${node.value}', got ${JSON.stringify(value)}`];
    case 'StringType': {
      if (typeof value !== 'string') return [`${p}: expected string, got ${describe(value)}`];
      const errors: string[] = [];
      if (node.minLength !== undefined && value.length < node.minLength) {
        errors.push(`${p}: length ${value.length} is below the minimum ${node.minLength}`);
      }
      if (node.maxLength !== undefined && value.length > node.maxLength) {
        errors.push(`${p}: length ${value.length} is above the maximum ${node.maxLength}`);
      }
      const re = node.pattern !== undefined ? goCompatiblePattern(node.pattern) : undefined;
      if (re && !re.test(value))
        errors.push(`${p}: ${JSON.stringify(value)} does not match pattern ${node.pattern}`);
      return errors;
    }
    case 'IntegerType':
      // Terraform JSON numbers skip azapi's integer checks; anything else is a type error.
      return typeof value === 'number' ? [] : [`${p}: expected integer, got ${describe(value)}`];
    case 'ArrayType': {
      if (!Array.isArray(value)) return [`${p}: expected array, got ${describe(value)}`];
      return value.flatMap((item, i) => validateValue(graph, node.itemType, item, `${p}[${i}]`));
    }
    case 'BooleanType':
    case 'AnyType':
      return [];
    default:
      return [`${p}: unsupported schema node ${node.$type}`];
  }
}

/**
 * Validates a full azapi body (name/location/tags/identity already merged in) for
 * `resourceTypeAtVersion` such as `Microsoft.MachineLearningServices/registries@2026-05-01`.
 * Returns the errors (empty = valid), each starting with the JSON path.
 */
export function validateAzapiBody(resourceTypeAtVersion: string, body: unknown): string[] {
  const entry = load().resources.get(resourceTypeAtVersion.toLowerCase());
  if (!entry) {
    return [
      `unknown resource type/version '${resourceTypeAtVersion}' (not in ${AZURE_API_DIR}/*.azapi-types.json)`,
    ];
  }
  if (isUnknown(body)) return [];
  return validateValue(entry.graph, entry.body, body, '');
}

interface SynthAzapiResource {
  type?: unknown;
  name?: unknown;
  location?: unknown;
  tags?: unknown;
  identity?: unknown;
  body?: unknown;
}

/** azapi's `identity` block -> the ARM body shape (`userAssignedIdentities` map). */
function identityToBody(identity: unknown): unknown {
  const block = Array.isArray(identity) ? identity[0] : identity;
  if (!isPlainObject(block)) return block;
  const out: Record<string, unknown> = { type: block.type };
  const ids = block.identity_ids;
  if (Array.isArray(ids) && ids.length > 0) {
    out.userAssignedIdentities = Object.fromEntries(ids.map((id) => [String(id), {}]));
  }
  return out;
}

/** The merged body azapi validates for one synthesized `azapi_resource`. */
export function mergedAzapiBody(resource: SynthAzapiResource): Record<string, unknown> {
  const body: Record<string, unknown> = isPlainObject(resource.body) ? { ...resource.body } : {};
  if (resource.name !== undefined) body.name = resource.name;
  if (resource.location !== undefined) body.location = resource.location;
  if (resource.tags !== undefined) body.tags = resource.tags;
  if (resource.identity !== undefined) body.identity = identityToBody(resource.identity);
  return body;
}

/**
 * Walks every `azapi_resource` of a synthesized stack (the JSON string from
 * `Testing.synth(stack)` or the parsed object) and validates its merged body.
 * Errors are prefixed with `azapi_resource.<logical id>: `.
 */
export function validateSynthesizedAzapi(stackJson: string | object): string[] {
  const stack = (typeof stackJson === 'string' ? JSON.parse(stackJson) : stackJson) as {
    resource?: { azapi_resource?: Record<string, SynthAzapiResource> };
  };
  const resources = stack.resource?.azapi_resource ?? {};
  const errors: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    const prefix = `azapi_resource.${logicalId}`;
    if (typeof resource.type !== 'string' || isUnknown(resource.type)) {
      errors.push(
        `${prefix}: type must be a known 'Microsoft.X/y@version' string, got ${JSON.stringify(resource.type)}`,
      );
      continue;
    }
    if (isUnknown(resource.body)) continue;
    for (const e of validateAzapiBody(resource.type, mergedAzapiBody(resource)))
      errors.push(`${prefix}: ${e}`);
  }
  return errors;
}
