import type { TrainProgressEvent } from '../train/api';

/** A one-line progress bar on stderr (redrawn in place on a TTY, sparse lines otherwise). */
export class ProgressBar {
  private lastDraw = 0;
  private lastPercent = -1;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(label: string, done: number, total: number, suffix = ''): void {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const percent = Math.floor(frac * 100);
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw < 80 && done < total) return;
      const filled = Math.round(frac * this.width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}`;
      this.stream.write(
        `\r${label} [${bar}] ${String(percent).padStart(3)}% ${done}/${total} ${suffix}\x1b[K`,
      );
    } else if (percent >= this.lastPercent + 10 || done === total) {
      // Logs (CI) get one line per 10 %, not a flood of carriage returns.
      this.stream.write(`${label} ${percent}% (${done}/${total}) ${suffix}\n`);
      this.lastPercent = percent;
    }
    this.lastDraw = now;
  }

  message(text: string): void {
    this.stream.write(`${this.tty ? '\r\x1b[K' : ''}${text}\n`);
    this.lastPercent = -1;
  }

  done(): void {
    if (this.tty) this.stream.write('\n');
  }
}

/**
 * The training progress handler both CLIs use (`npm run train`, `npm start`): one line per stage,
 * then the bar over trees with the validation loss when early stopping watches one.
 */
export function trainingProgress(bar: ProgressBar): (p: TrainProgressEvent) => void {
  let stage = '';
  return (p) => {
    if (p.stage !== stage && p.stage !== 'train') bar.message(`${p.stage}…`);
    stage = p.stage;
    if (p.stage === 'train' && p.tree !== undefined && p.totalTrees !== undefined) {
      bar.update(
        'train',
        p.tree,
        p.totalTrees,
        p.validLoss !== undefined ? `valid log loss ${p.validLoss.toFixed(5)}` : '',
      );
    }
  };
}
