/**
 * How scores are written in answers. Shared by the main thread and the ORT worker thread (which
 * formats the batches it scores, off the main thread), so both give the same bytes.
 */

/** float32 carries about 7 significant digits; more would print float noise (0.0299999993). */
export const roundProbability = (p: number): number => Number(p.toPrecision(7));

/** The `predictions` array as JSON text: exactly `JSON.stringify` of the rounded scores. */
export function predictionsJson(scores: Float32Array): string {
  const predictions = new Array<number>(scores.length);
  for (let i = 0; i < scores.length; i += 1) predictions[i] = roundProbability(scores[i]);
  return JSON.stringify(predictions);
}
