/**
 * Turns off onnxruntime-node's Microsoft telemetry for this process. Import it, for its side
 * effect, as the FIRST import of any model-side entry (CLI, bench) that loads onnxruntime-node:
 *
 *   import '../runtime/no-telemetry';
 *
 * Why: onnxruntime-node 1.30 ships telemetry switched on. When the first session creates the
 * native ORT environment, it writes a device id and an event queue under
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/`, leaves `/tmp/mat-debug-<pid>.log`, and
 * uploads to a Microsoft collector wherever a CA bundle exists (PITFALLS.md §8). The native
 * library reads `ORT_DISABLE_TELEMETRY` from the C environment (getenv) when it initializes;
 * assigning `process.env` on the main thread calls setenv, so it must happen before that point.
 *
 * Why import order matters: ES imports are evaluated in order, depth first. tsx (esbuild
 * transform to CommonJS, file by file) and an esbuild bundle both keep that order, turning each
 * import into a `require()` at the same position, and an external `onnxruntime-node` becomes a
 * `require("onnxruntime-node")` where its first importer runs. So as long as this module is
 * imported before the first module that imports onnxruntime-node, the variable is set before
 * the binding loads. (Measured with ORT 1.30: the switch is read when the first
 * InferenceSession is created, not at require time; importing first keeps us safe if that
 * changes.) A worker thread gets a copy of the environment and cannot setenv: set it on the
 * main thread, before the worker starts.
 *
 * `??=`: an explicit `ORT_DISABLE_TELEMETRY=0` from the operator is respected.
 * The scoring service has its own copy (service/scoring/ort-no-telemetry.ts): service/ may
 * import only model/{schema,features,package,explain}.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};
