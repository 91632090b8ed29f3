/**
 * Jest environment for suites that run onnxruntime-node: the native binding creates typed
 * arrays in Node's main realm, while jest's sandbox has its own Float32Array & co., so ORT's
 * `instanceof` checks fail ("A float32 tensor's data must be type of function Float32Array").
 * Sharing the main realm's constructors with the sandbox fixes it. jest.config.js makes this the
 * environment of every suite, so no test has to remember it.
 *
 * It also turns off onnxruntime-node's telemetry (PITFALLS.md §8) for every suite and every
 * process a suite spawns: this file is loaded in each jest worker (and in the jest process
 * itself with --runInBand) before any test module, hence before any suite loads
 * onnxruntime-node. Setting process.env here calls setenv on the real process environment,
 * which ORT's native code reads, and child processes inherit it. `??=` respects an explicit
 * value from the caller.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
