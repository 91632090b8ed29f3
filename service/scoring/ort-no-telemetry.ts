/**
 * Turns off onnxruntime-node's Microsoft telemetry (device id and event queue under
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/`, `/tmp/mat-debug-<pid>.log`, uploads where a
 * CA bundle exists, non-JSON warnings on stderr; PITFALLS.md §8). Imported first by
 * ort-scorer.ts, the only service module that imports onnxruntime-node, and by the entries
 * (main.ts, cli/*), so the variable is in the C environment before the native environment is
 * created. Import order is kept by tsx and by the esbuild bundle (each import becomes a
 * `require()` in place); see model/runtime/no-telemetry.ts for the full reasoning (the same
 * one line, kept apart because service/ does not import model/runtime).
 * The image also sets it (service/Dockerfile) for anything else that might load ORT.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};
