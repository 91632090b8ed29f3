/**
 * What the app serves and whether it may: the loaded model (absent until load + warm-up
 * succeed) and the lifecycle phase that readiness reports. server.ts moves it forward;
 * buildApp only reads it, so the app can listen before the model is loaded (readiness 503).
 */
import type { ServingModel } from './load-model';

export type ServingPhase = 'loading' | 'ready' | 'draining' | 'failed';

export class ServingState {
  private current?: ServingModel;
  private phaseValue: ServingPhase = 'loading';

  get phase(): ServingPhase {
    return this.phaseValue;
  }

  /** The model, once loaded and warmed up (also while draining: in-flight work finishes). */
  get model(): ServingModel | undefined {
    return this.current;
  }

  setReady(model: ServingModel): void {
    if (this.phaseValue !== 'loading') throw new Error(`cannot become ready from phase '${this.phaseValue}'`);
    this.current = model;
    this.phaseValue = 'ready';
    // A crashed ORT worker ends serving: readiness 503 (see WorkerScorer's crash policy).
    model.worker?.onCrash(() => {
      if (this.phaseValue === 'ready') this.phaseValue = 'failed';
    });
  }

  setFailed(): void {
    this.phaseValue = 'failed';
  }

  /** SIGTERM: readiness turns 503 so the gateway stops routing here; requests still get served. */
  setDraining(): void {
    this.phaseValue = 'draining';
  }
}
