// Input validation: a wrong shape fails at the layer that received it, naming the expected shape.
import type * as tf from '@tensorflow/tfjs';

/**
 * Check `x` against an expected shape. `expected` entries: a number (must match), null (any size).
 * The error reads: "conv 'stage1/conv1': expected input [N, H, W, 64], got [8, 32, 32, 3]".
 */
export function expectShape(kind: string, name: string, x: tf.Tensor, expected: (number | null)[], labels?: string[]): void {
  const ok = x.rank === expected.length && expected.every((e, i) => e === null || e === x.shape[i]);
  if (ok) return;
  const names = labels ?? defaultLabels(expected.length);
  const want = expected.map((e, i) => (e === null ? names[i] : String(e))).join(', ');
  throw new Error(`${kind} '${name}': expected input [${want}], got [${x.shape.join(', ')}]`);
}

function defaultLabels(rank: number): string[] {
  if (rank === 4) return ['N', 'H', 'W', 'C'];
  if (rank === 2) return ['N', 'features'];
  if (rank === 3) return ['N', 'L', 'C'];
  return Array.from({ length: rank }, (_, i) => `d${i}`);
}
