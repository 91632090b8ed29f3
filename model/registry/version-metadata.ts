/**
 * Tags, properties and description of a registry model version, from the package manifest.
 *
 * - `tags` are for people and search in Studio (editable later): metrics, training-data hash,
 *   code version, lineage.
 * - `properties` are add-only once the version exists (FACTS.md §2.3), so they hold the facts
 *   the registration relies on: the content hash compared on every `npm run register`, each
 *   file's sha256, and the same provenance as the tags.
 * All values are strings (ModelVersionProperties.tags/properties: string -> string).
 */
import type { ModelManifest } from '../package/manifest';
import type { PackageContent } from './package-content';

/** Property holding {@link PackageContent.contentSha256}; the idempotency check reads it. */
export const CONTENT_HASH_PROPERTY = 'fraud.contentSha256';
/** Prefix of the per-file hash properties: `fraud.file.<name>.sha256`. */
export const FILE_HASH_PROPERTY_PREFIX = 'fraud.file.';

export interface VersionMetadata {
  readonly description: string;
  readonly tags: Record<string, string>;
  readonly properties: Record<string, string>;
}

const num = (x: number | undefined): string | undefined =>
  x === undefined || !Number.isFinite(x) ? undefined : String(Number(x.toPrecision(6)));

function compact(entries: readonly (readonly [string, string | undefined])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Provenance shared by tags and properties. */
function provenance(m: ModelManifest): (readonly [string, string | undefined])[] {
  return [
    ['rocAuc', num(m.metrics.rocAuc)],
    ['prAuc', num(m.metrics.prAuc)],
    ['logLoss', num(m.metrics.logLoss)],
    ['brier', num(m.metrics.brier)],
    ['baselineRocAuc', num(m.metrics.baseline.rocAuc)],
    ['threshold', num(m.threshold)],
    ['trainingRows', String(m.metrics.rows.train + m.metrics.rows.validation + m.metrics.rows.test)],
    ['trainingDataHash', m.trainingDataHash],
    ['codeVersion', m.codeVersion],
    ['createdAt', m.createdAt],
    ['dataAsset', m.lineage?.dataAsset],
    ['jobId', m.lineage?.jobId],
  ];
}

export function versionMetadata(content: PackageContent): VersionMetadata {
  const m = content.pkg.manifest;
  const base = provenance(m);
  const properties = compact([
    [CONTENT_HASH_PROPERTY, content.contentSha256],
    ...content.files.map((f) => [`${FILE_HASH_PROPERTY_PREFIX}${f.name}.sha256`, f.sha256] as const),
    ['fraud.manifestSchemaVersion', String(m.schemaVersion)],
    ['fraud.featureCount', String(m.input.featureNames.length)],
    ...base.map(([k, v]) => [`fraud.${k}`, v] as const),
  ]);
  const description =
    `${m.name}:${m.version}, trained ${m.createdAt} by ${m.codeVersion}` +
    (m.lineage?.jobId ? ` in job ${m.lineage.jobId}` : '') +
    (m.lineage?.dataAsset ? ` on ${m.lineage.dataAsset}` : '') +
    `; ROC AUC ${num(m.metrics.rocAuc) ?? 'n/a'}, PR AUC ${num(m.metrics.prAuc) ?? 'n/a'}`;
  return { description, tags: compact(base), properties };
}
