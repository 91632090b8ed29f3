/**
 * The package's model.onnx in one onnxruntime-node session, for batch scoring: the same file,
 * input and output names (from the manifest) as the scoring service's session, so a file scored
 * here gets the same probabilities as the same rows sent to POST /score.
 * The entry point must import model/runtime/no-telemetry before this module (see that file).
 */
import * as ort from 'onnxruntime-node';
import type { LoadedModelPackage } from '../package/loader';

export class OnnxBatchSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    readonly width: number,
  ) {}

  /**
   * @param intraOpThreads ORT threads per run. @default 1: the batch scorer's parse thread uses
   *   the other core while the main thread runs ORT (measured faster than 2 ORT threads).
   */
  static async open(pkg: LoadedModelPackage, intraOpThreads?: number): Promise<OnnxBatchSession> {
    const m = pkg.manifest;
    const session = await ort.InferenceSession.create(pkg.onnxPath, {
      intraOpNumThreads: intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const width = m.input.featureNames.length;
    const problems: string[] = [];
    if (!session.inputNames.includes(m.input.name)) problems.push(`input '${m.input.name}' not in the model`);
    if (!session.outputNames.includes(m.output.name))
      problems.push(`output '${m.output.name}' not in the model`);
    if (problems.length > 0) {
      await session.release();
      throw new Error(`${pkg.onnxPath} does not match its manifest: ${problems.join('; ')}`);
    }
    return new OnnxBatchSession(session, m.input.name, m.output.name, width);
  }

  /** Fraud probability per row of `features` (row-major, `width` per row). */
  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    const input = new ort.Tensor('float32', features.subarray(0, rows * this.width), [rows, this.width]);
    const out = await this.session.run({ [this.inputName]: input }, [this.outputName]);
    const data = out[this.outputName].data;
    if (!(data instanceof Float32Array) || data.length !== rows) {
      throw new Error(`output '${this.outputName}' has ${String(data.length)} values for ${rows} rows`);
    }
    return data;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
