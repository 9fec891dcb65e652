// MaxIoU assignment and random positive/negative sampling (mmdet MaxIoUAssigner / RandomSampler),
// plain TS over flat box arrays.
import type { Rng } from '../../util/random';
import { iouMatrix } from './boxes';

export interface AssignOptions {
  posThr: number;
  negThr: number;
  /** Low-quality matches: a GT whose best IoU is >= minPosIou makes its best anchor(s) positive. */
  minPosIou?: number;
  lowQuality?: boolean;
}

export interface Assignment {
  /** Per box: -1 ignored, 0 negative, g + 1 positive for GT g. */
  gtIndex: Int32Array;
  maxIou: Float32Array;
}

/** Assign each box (flat [n*4]) to its max-IoU GT (flat [g*4]). */
export function assignMaxIou(boxes: ArrayLike<number>, gts: ArrayLike<number>, o: AssignOptions): Assignment {
  const n = boxes.length / 4, g = gts.length / 4;
  const gtIndex = new Int32Array(n).fill(-1);
  const maxIou = new Float32Array(n);
  if (g === 0) { gtIndex.fill(0); return { gtIndex, maxIou }; }
  const m = iouMatrix(boxes, gts);
  const argmax = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1, bj = 0;
    for (let j = 0; j < g; j++) if (m[i * g + j] > best) { best = m[i * g + j]; bj = j; }
    maxIou[i] = best; argmax[i] = bj;
    if (best < o.negThr) gtIndex[i] = 0;
    else if (best >= o.posThr) gtIndex[i] = bj + 1;
  }
  if (o.lowQuality ?? true) {
    const minPos = o.minPosIou ?? 0;
    for (let j = 0; j < g; j++) {
      let best = -1;
      for (let i = 0; i < n; i++) best = Math.max(best, m[i * g + j]);
      if (best < minPos || best <= 0) continue;
      // mmdet gt_max_assign_all=True: every box reaching the GT's max IoU becomes positive for it.
      for (let i = 0; i < n; i++) if (m[i * g + j] === best) gtIndex[i] = j + 1;
    }
  }
  return { gtIndex, maxIou };
}

export interface Sample { pos: number[]; neg: number[] }

/** Random sampler: up to num*posFraction positives, negatives fill the rest (seeded). */
export function sampleAssignment(a: Assignment, num: number, posFraction: number, rng: Rng): Sample {
  const pos: number[] = [], neg: number[] = [];
  a.gtIndex.forEach((v, i) => { if (v > 0) pos.push(i); else if (v === 0) neg.push(i); });
  const pick = (arr: number[], k: number) => {
    if (arr.length <= k) return arr;
    rng.shuffle(arr);
    return arr.slice(0, k).sort((x, y) => x - y);
  };
  const p = pick(pos, Math.floor(num * posFraction));
  const nn = pick(neg, num - p.length);
  return { pos: p, neg: nn };
}
