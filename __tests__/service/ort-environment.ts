/**
 * Jest environment for tests that run onnxruntime-node (use with the docblock
 * `@jest-environment ./__tests__/service/ort-environment.ts`).
 *
 * Why: jest runs each test file in a VM context with its own typed-array constructors, while
 * the ORT native binding creates output tensors with the main realm's. onnxruntime-common then
 * rejects them (`A float32 tensor's data must be type of Float32Array`). jest-environment-node
 * already shares ArrayBuffer and Uint8Array with the main realm for the same reason; this
 * shares the other typed arrays too. Outside jest (server, bundle, bench) there is one realm.
 */
import { TestEnvironment } from 'jest-environment-node';

const SHARED = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export default class OrtEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const target = this.global as unknown as Record<string, unknown>;
    const source = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) target[name] = source[name];
  }
}
