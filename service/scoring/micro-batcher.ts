/**
 * Coalesces concurrent scoring jobs into one model run.
 *
 * Why: onnxruntime-node's `run()` is a synchronous native call deferred by `setImmediate`
 * (PITFALLS.md §3), so every run blocks the event loop, and a run has a fixed cost (tensor
 * wrap, native transition, output copy) of roughly tens of microseconds on top of a per-row cost
 * that is tiny for a tree model. Under load, single-row requests arrive faster than
 * one-run-per-request can serve them. Here at most one run is in flight: jobs that arrive
 * while it blocks are queued, and the next run takes all of them (up to `maxRows`). So:
 * - at low load a job waits for no timer (the flush is `setImmediate`, i.e. right after the
 *   current I/O phase), so latency equals one run;
 * - at high load the number of runs per second stays bounded and each run amortises its fixed
 *   cost over many rows, raising throughput;
 * - between two runs the event loop always gets a full turn, so health probes and request
 *   parsing are never starved by a backlog of inferences.
 */

/** Scores `rows` rows of `width` float32 features laid out row-major; one probability per row. */
export interface RowScorer {
  readonly width: number;
  scoreRows(features: Float32Array, rows: number): Promise<Float32Array>;
}

export interface MicroBatcherOptions {
  /** Most rows combined into one run; a single job larger than this runs alone. @default 256 */
  readonly maxRows?: number;
}

interface Job {
  readonly features: Float32Array;
  readonly rows: number;
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: unknown) => void;
}

/** Counters for benchmarks and the metadata route. */
export interface MicroBatcherStats {
  runs: number;
  rows: number;
  jobs: number;
  maxRowsInRun: number;
}

export class MicroBatcher implements RowScorer {
  readonly width: number;
  readonly stats: MicroBatcherStats = { runs: 0, rows: 0, jobs: 0, maxRowsInRun: 0 };
  private readonly maxRows: number;
  private queue: Job[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly scorer: RowScorer,
    options: MicroBatcherOptions = {},
  ) {
    this.width = scorer.width;
    this.maxRows = options.maxRows ?? 256;
    if (!Number.isInteger(this.maxRows) || this.maxRows < 1) {
      throw new Error(`micro-batcher maxRows must be a positive integer, got ${String(options.maxRows)}`);
    }
  }

  /** Jobs queued and not yet in a run. */
  get pending(): number {
    return this.queue.length;
  }

  scoreRows(features: Float32Array, rows: number): Promise<Float32Array> {
    if (features.length !== rows * this.width) {
      return Promise.reject(
        new Error(`feature buffer has ${features.length} values, expected ${rows} rows x ${this.width}`),
      );
    }
    return new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ features, rows, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runOnce();
    });
  }

  private async runOnce(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    // Take jobs in arrival order while they fit; always take at least one.
    let take = 0;
    let rows = 0;
    while (take < this.queue.length && (take === 0 || rows + this.queue[take].rows <= this.maxRows)) {
      rows += this.queue[take].rows;
      take += 1;
    }
    const jobs = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    try {
      const input = jobs.length === 1 ? jobs[0].features : concat(jobs, rows, this.width);
      const scores = await this.scorer.scoreRows(input, rows);
      if (scores.length !== rows) throw new Error(`model returned ${scores.length} scores for ${rows} rows`);
      let offset = 0;
      for (const job of jobs) {
        job.resolve(scores.subarray(offset, offset + job.rows));
        offset += job.rows;
      }
      this.stats.runs += 1;
      this.stats.rows += rows;
      this.stats.jobs += jobs.length;
      if (rows > this.stats.maxRowsInRun) this.stats.maxRowsInRun = rows;
    } catch (err) {
      for (const job of jobs) job.reject(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}

function concat(jobs: readonly Job[], rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  let offset = 0;
  for (const job of jobs) {
    out.set(job.features, offset);
    offset += job.features.length;
  }
  return out;
}
