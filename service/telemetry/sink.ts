/**
 * Where telemetry goes. The only real implementation is Application Insights
 * (appinsights-sink.ts); `ServiceTelemetry` talks to this interface so that the aggregation
 * logic does not depend on the SDK being loaded (it costs about 1 s at startup and is only
 * loaded when a connection string is configured).
 */
export type TelemetryProperties = Readonly<Record<string, string>>;

/** One scored request (the local file sink records these; App Insights collects requests itself). */
export interface RequestTelemetry {
  readonly status: number;
  readonly durationMs: number;
  /** The request's predicted probabilities, one per row. */
  readonly scores: Float32Array;
  readonly properties: TelemetryProperties;
}

export interface TelemetrySink {
  /** One successful scoring request. @default - not recorded per request */
  trackRequest?(request: RequestTelemetry): void;
  /** One measurement of a custom metric (an aggregated histogram in App Insights 3.x). */
  trackMetric(name: string, value: number, properties: TelemetryProperties): void;
  /** A custom event (App Insights `customEvents`). */
  trackEvent(name: string, properties: TelemetryProperties): void;
  trackException(error: Error, properties: TelemetryProperties): void;
  /** Sends everything buffered. */
  flush(): Promise<void>;
  /** Flushes and stops exporters. */
  shutdown(): Promise<void>;
}
