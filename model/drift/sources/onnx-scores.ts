/**
 * Scores a feature matrix with the package's model.onnx (onnxruntime-node), for prediction drift
 * on a CSV. The importer must load '../../runtime/no-telemetry' before this module.
 */
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ONNX_FILE, type ModelManifest } from '../../package/manifest';

/** Rows per ORT run: bounded memory for large files. */
const CHUNK_ROWS = 16_384;

export async function scoreWithOnnx(
  packageDir: string,
  manifest: ModelManifest,
  matrix: Float32Array,
  rows: number,
): Promise<Float32Array> {
  const width = manifest.input.featureNames.length;
  const session = await ort.InferenceSession.create(path.join(packageDir, ONNX_FILE), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const out = new Float32Array(rows);
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - start);
      const input = new ort.Tensor('float32', matrix.subarray(start * width, (start + n) * width), [
        n,
        width,
      ]);
      const result = await session.run({ [manifest.input.name]: input }, [manifest.output.name]);
      const data = result[manifest.output.name].data;
      // The manifest declares [n, 1] probabilities of fraud.
      if (!(data instanceof Float32Array) || data.length !== n) {
        throw new Error(`${ONNX_FILE}: output '${manifest.output.name}' is not one float32 per row`);
      }
      for (let i = 0; i < n; i += 1) out[start + i] = data[i];
    }
    return out;
  } finally {
    await session.release();
  }
}
