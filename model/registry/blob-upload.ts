/**
 * Uploads a package's files to the storage location a pending upload handed out, with
 * `@azure/storage-blob` and the SAS from `blobReferenceForConsumption.credential.sasUri`
 * (PendingUploadResponseDto, api-version 2026-05-01: "Container level read, write, list SAS";
 * `blobUri`: "Blob URI path for client to upload data").
 *
 * Each file becomes the blob `<blobUri>/<file name>`, so `blobUri` is the folder the version's
 * `modelUri` points at and the package layout (model.onnx beside model.json) is kept, which is
 * what the scoring service's loader finds under AZUREML_MODEL_DIR. Unverified against a live
 * registry: whether the service expects the files at `blobUri` itself (our choice: a folder, as
 * the CLI's `path: <folder>` models are) — the same layout `az ml model create --path <dir>` makes.
 */
import { BlockBlobClient } from '@azure/storage-blob';
import { redactUrl } from './arm-client';
import type { PackageFile } from './package-content';
import type { BlobReference } from './registry-api';

export interface UploadedBlob {
  readonly name: string;
  /** Blob URL without the SAS. */
  readonly url: string;
  readonly bytes: number;
}

/** The upload folder URL (no query, no trailing slash) and the SAS query string to sign requests with. */
export function uploadLocation(ref: BlobReference): { folderUrl: string; sas: string } {
  let blob: URL;
  let sas: URL;
  try {
    blob = new URL(ref.blobUri);
    sas = new URL(ref.sasUri);
  } catch {
    throw new Error(`pending upload returned a malformed blobUri or sasUri (${redactUrl(ref.blobUri)})`);
  }
  const problems: string[] = [];
  if (blob.origin !== sas.origin) {
    problems.push(`blobUri host ${blob.origin} differs from the SAS host ${sas.origin}`);
  }
  const sasPath = sas.pathname.replace(/\/+$/, '');
  if (!(blob.pathname === sasPath || blob.pathname.startsWith(`${sasPath}/`))) {
    problems.push(`blobUri path ${blob.pathname} is outside the SAS scope ${sasPath}`);
  }
  if (!sas.searchParams.has('sig')) problems.push('sasUri carries no signature (sig)');
  if (problems.length > 0) throw new Error(`cannot upload to the pending upload: ${problems.join('; ')}`);
  return { folderUrl: `${blob.origin}${blob.pathname.replace(/\/+$/, '')}`, sas: sas.search.slice(1) };
}

/**
 * Uploads every file (block blobs, content type set, sha256 in the blob metadata) and reads
 * each blob's properties back to check its size and hash arrived intact.
 */
export async function uploadPackageFiles(
  ref: BlobReference,
  files: readonly PackageFile[],
): Promise<UploadedBlob[]> {
  const { folderUrl, sas } = uploadLocation(ref);
  const out: UploadedBlob[] = [];
  for (const f of files) {
    const url = `${folderUrl}/${encodeURIComponent(f.name)}`;
    const client = new BlockBlobClient(`${url}?${sas}`);
    try {
      await client.uploadFile(f.path, {
        blobHTTPHeaders: { blobContentType: f.contentType },
        metadata: { sha256: f.sha256 },
        concurrency: 4,
      });
      const props = await client.getProperties();
      if (props.contentLength !== f.bytes || props.metadata?.sha256 !== f.sha256) {
        throw new Error(
          `read back ${props.contentLength ?? '?'} bytes with sha256 ${props.metadata?.sha256 ?? '?'}, ` +
            `expected ${f.bytes} bytes with sha256 ${f.sha256}`,
        );
      }
    } catch (e) {
      const msg = (e as Error).message.replace(/sig=[^&\s"']+/g, 'sig=REDACTED'); // never print the SAS
      throw new Error(`uploading ${f.name} to ${url} failed: ${msg}`);
    }
    out.push({ name: f.name, url, bytes: f.bytes });
  }
  return out;
}
