/**
 * The value helpers of the infrastructure code: the project's one implementation lives in
 * util/values.ts (a leaf module every layer may import); re-exported here so constructs, stacks
 * and scripts import them beside the other core building blocks.
 */
export { asRecord, formatValue, isRecord } from '../../util/values';
