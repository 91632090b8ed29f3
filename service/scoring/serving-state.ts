/**
 * What the app serves and whether it may: the loaded model (absent until load + warm-up
 * succeed) and the lifecycle phase that readiness reports. server.ts moves it forward;
 * buildApp only reads it, so the app can listen before the model is loaded (readiness 503).
 * Listeners (the probe thread's shared phase) hear every change.
 */
import type { ServingModel } from './load-model';

export type ServingPhase = 'loading' | 'ready' | 'draining' | 'failed';

export class ServingState {
  private current?: ServingModel;
  private phaseValue: ServingPhase = 'loading';
  private closing = false;
  private readonly listeners: ((phase: ServingPhase) => void)[] = [];

  get phase(): ServingPhase {
    return this.phaseValue;
  }

  /** The model, once loaded and warmed up (also while draining: in-flight work finishes). */
  get model(): ServingModel | undefined {
    return this.current;
  }

  /** Calls `listener` with the current phase now and with every later change. */
  onPhase(listener: (phase: ServingPhase) => void): void {
    this.listeners.push(listener);
    listener(this.phaseValue);
  }

  setReady(model: ServingModel): void {
    if (this.phaseValue !== 'loading') throw new Error(`cannot become ready from phase '${this.phaseValue}'`);
    this.current = model;
    this.move('ready');
    // A crashed ORT worker ends serving: readiness 503 (see WorkerScorer's crash policy).
    model.worker?.onCrash(() => {
      if (this.phaseValue === 'ready') this.move('failed');
    });
  }

  setFailed(): void {
    this.move('failed');
  }

  /** SIGTERM: readiness turns 503 so the gateway stops routing here; requests still get served. */
  setDraining(): void {
    this.move('draining');
  }

  /**
   * True once the listener is closed during the drain: every answer then carries
   * `Connection: close`, so each keep-alive client learns it with its answer and reconnects
   * elsewhere. Not before: during the readiness delay the listener still accepts, and a client
   * sent to reconnect could land in the accept queue just as it closes (a reset).
   */
  get closingConnections(): boolean {
    return this.closing;
  }

  setClosingConnections(): void {
    this.closing = true;
  }

  private move(phase: ServingPhase): void {
    this.phaseValue = phase;
    for (const listener of this.listeners) listener(phase);
  }
}
