/**
 * One onnxruntime-node InferenceSession, created once per thread at boot: the main thread's, and
 * the ORT worker thread's (PITFALLS.md §3: sessions leak when created per request or
 * hot-swapped; a new model means a new deployment or a restart).
 */
import './ort-no-telemetry'; // before onnxruntime-node: see that file
import * as ort from 'onnxruntime-node';
import type { RowScorer } from './micro-batcher';

export interface OrtScorerOptions {
  /** Path of model.onnx. */
  readonly modelPath: string;
  /** Input tensor name and feature width (from the manifest; checked against the model). */
  readonly inputName: string;
  readonly width: number;
  /** Output tensor holding the fraud probability (from the manifest). */
  readonly outputName: string;
  /**
   * Intra-op threads. ORT would otherwise size its pool from the host's cores, ignoring the
   * container's CPU limit (oversubscription). One thread runs the op in the calling thread:
   * right for a tree ensemble whose per-row work is a few microseconds.
   * @default 1
   */
  readonly intraOpThreads?: number;
  /** @default 1 */
  readonly interOpThreads?: number;
}

export class OrtScorer implements RowScorer {
  readonly width: number;
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    width: number,
  ) {
    this.width = width;
  }

  static async create(options: OrtScorerOptions): Promise<OrtScorer> {
    const session = await ort.InferenceSession.create(options.modelPath, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: options.interOpThreads ?? 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle ORT threads spin-wait by default: CPU burnt between requests and CPU-based
      // autoscale misled. The Node binding only accepts string values here.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      logSeverityLevel: 3,
    });
    const problems: string[] = [];
    if (!session.inputNames.includes(options.inputName)) {
      problems.push(`input '${options.inputName}' not in model inputs [${session.inputNames.join(', ')}]`);
    }
    if (!session.outputNames.includes(options.outputName)) {
      problems.push(
        `output '${options.outputName}' not in model outputs [${session.outputNames.join(', ')}]`,
      );
    }
    const meta = session.inputMetadata.find((m) => m.name === options.inputName);
    if (meta && meta.isTensor) {
      const last = meta.shape[meta.shape.length - 1];
      if (typeof last === 'number' && last !== options.width) {
        problems.push(`model input width is ${last} but the manifest's feature spec gives ${options.width}`);
      }
    }
    if (problems.length > 0) {
      await session.release();
      throw new Error(`model ${options.modelPath} does not match its manifest: ${problems.join('; ')}`);
    }
    return new OrtScorer(session, options.inputName, options.outputName, options.width);
  }

  async scoreRows(features: Float32Array, rows: number): Promise<Float32Array> {
    const input = new ort.Tensor('float32', features, [rows, this.width]);
    const result = await this.session.run({ [this.inputName]: input }, [this.outputName]);
    const out = result[this.outputName];
    const data = out.data;
    if (!(data instanceof Float32Array))
      throw new Error(`output '${this.outputName}' is ${out.type}, expected float32`);
    // [rows] or [rows, 1] hold one probability per row; [rows, 2] is (p0, p1) per row.
    if (data.length === rows) return data;
    if (data.length === rows * 2) {
      const p = new Float32Array(rows);
      for (let i = 0; i < rows; i += 1) p[i] = data[i * 2 + 1];
      return p;
    }
    throw new Error(`output '${this.outputName}' has ${data.length} values for ${rows} rows`);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
