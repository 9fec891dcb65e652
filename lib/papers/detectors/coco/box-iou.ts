// Box IoU as pycocotools' bbIou (maskApi.c): boxes [x, y, w, h], no "+1", crowd GT -> inter / area(det).
import type { BoxXYWH } from './types';

/** IoU matrix [D][G]; the floating-point operation order matches maskApi.c so ties at thresholds agree. */
export function bboxIou(dts: ArrayLike<number>[], gts: ArrayLike<number>[], iscrowd?: ArrayLike<number | boolean>): number[][] {
  if (iscrowd && iscrowd.length !== gts.length) throw new Error(`bboxIou: iscrowd has ${iscrowd.length} entries for ${gts.length} GTs`);
  const out: number[][] = [];
  for (let d = 0; d < dts.length; d++) {
    const D = dts[d];
    if (D.length !== 4) throw new Error(`bboxIou: detection box ${d} must have 4 numbers [x, y, w, h]`);
    const da = D[2] * D[3];
    const row = new Array<number>(gts.length).fill(0);
    for (let g = 0; g < gts.length; g++) {
      const G = gts[g];
      if (G.length !== 4) throw new Error(`bboxIou: GT box ${g} must have 4 numbers [x, y, w, h]`);
      const w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
      if (w <= 0) continue;
      const h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
      if (h <= 0) continue;
      const i = w * h;
      const crowd = !!(iscrowd && iscrowd[g]);
      const u = crowd ? da : da + G[2] * G[3] - i;
      row[g] = i / u;
    }
    out.push(row);
  }
  return out;
}

/** [x, y, w, h] -> [x1, y1, x2, y2]. */
export function xywhToXyxy(b: ArrayLike<number>): [number, number, number, number] { return [b[0], b[1], b[0] + b[2], b[1] + b[3]]; }
/** [x1, y1, x2, y2] -> [x, y, w, h]. */
export function xyxyToXywh(b: ArrayLike<number>): BoxXYWH { return [b[0], b[1], b[2] - b[0], b[3] - b[1]]; }
