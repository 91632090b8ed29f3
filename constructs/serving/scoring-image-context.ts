/**
 * A deterministic `.tar.gz` of a Docker build context.
 *
 * Why not cdktf's `AssetType.ARCHIVE`: that is a zip, and ACR Tasks take a remote build context
 * only as a tarball. Why deterministic: the archive's hash is the image tag and the environment
 * version, so an unchanged service must produce a byte-identical archive (sorted entries,
 * mtime 0, uid/gid 0, fixed modes, gzip header without a timestamp).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/** Packs the regular files directly inside `dir` (no sub-folders) into a gzipped ustar archive. */
export function tarGzDirectory(dir: string): Buffer {
  const names = readdirSync(dir).sort();
  const blocks: Buffer[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = statSync(file);
    if (stat.isDirectory()) {
      throw new Error(`build context '${dir}': sub-folder '${name}' is not supported (flat contexts only)`);
    }
    if (Buffer.byteLength(name) > 99)
      throw new Error(`build context '${dir}': file name '${name}' exceeds 99 bytes`);
    const content = readFileSync(file);
    blocks.push(
      header(name, content.length),
      content,
      Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK),
    );
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  // level 9 and no mtime in the gzip header (Node writes 0) keep the bytes stable.
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 7), 100, 8, 'ascii'); // mode
  h.write(octal(0, 7), 108, 8, 'ascii'); // uid
  h.write(octal(0, 7), 116, 8, 'ascii'); // gid
  h.write(octal(size, 11), 124, 12, 'ascii');
  h.write(octal(0, 11), 136, 12, 'ascii'); // mtime
  h.fill(0x20, 148, 156); // checksum placeholder: spaces
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${octal(sum, 6)}\u0000 `, 148, 8, 'ascii');
  return h;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width, '0')}\u0000`.slice(-(width + 1));
}
