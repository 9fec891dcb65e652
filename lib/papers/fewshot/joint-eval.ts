// The joint large + few-shot evaluation of Table 2-I on pre-computed activations. Scores of the large
// classes do not depend on the drawn shots for NN and for phi (rows phi(abar_y) are fixed), so they are
// computed once and only the novel block is recomputed per draw; the classifier is still the full
// |C|-way one, every test image ranked among all classes (spec pitfall 19).
import type { Features } from './features';
import { Scores, topKAccuracy } from './fewshot-metrics';

/** Horizontally join score blocks [N, C1] | [N, C2] | ... on the JS side. */
export function concatScores(blocks: Scores[]): Scores {
  const N = blocks[0].values.length / blocks[0].numClasses;
  const C = blocks.reduce((a, b) => a + b.numClasses, 0);
  const out = new Float32Array(N * C);
  let off = 0;
  for (const b of blocks) {
    if (b.values.length !== N * b.numClasses) throw new Error(`concatScores: blocks disagree on the number of rows (${N} vs ${b.values.length / b.numClasses})`);
    for (let r = 0; r < N; r++) for (let c = 0; c < b.numClasses; c++) out[r * C + off + c] = b.values[r * b.numClasses + c];
    off += b.numClasses;
  }
  return { values: out, numClasses: C };
}

export interface JointAccuracy { top1Large: number; top1Few: number; top2Large: number; top2Few: number; top5Large?: number; top5Few?: number }

/** Top-1 / top-2 (and top-5 when there are > 5 classes) on C_large and C_few test images, all classes ranked. */
export function jointAccuracy(scores: Scores, test: Features, largeClasses: number[], novelClasses: number[]): JointAccuracy {
  const classes = [...largeClasses, ...novelClasses];
  const acc = (k: number, sub: number[]) => topKAccuracy(scores, test.labels, classes, k, sub);
  const r: JointAccuracy = { top1Large: acc(1, largeClasses), top1Few: acc(1, novelClasses), top2Large: acc(2, largeClasses), top2Few: acc(2, novelClasses) };
  if (classes.length > 5) { r.top5Large = acc(5, largeClasses); r.top5Few = acc(5, novelClasses); }
  return r;
}
