// Box geometry in plain TypeScript over Float32Arrays: IoU, anchors, DeltaXYWH coding, NMS and
// Soft-NMS. Boxes are [x1, y1, x2, y2] in continuous pixel coordinates, widths x2 - x1 (no legacy +1).
// Plain TS (not tensors) keeps assignment, sampling and NMS deterministic and cheap at mini scale.

export type Box = [number, number, number, number];

/** IoU of two boxes; 0 for an empty union (spec §2.5 item 3). */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>, ai = 0, bi = 0): number {
  const ix1 = Math.max(a[ai], b[bi]), iy1 = Math.max(a[ai + 1], b[bi + 1]);
  const ix2 = Math.min(a[ai + 2], b[bi + 2]), iy2 = Math.min(a[ai + 3], b[bi + 3]);
  const iw = Math.max(0, ix2 - ix1), ih = Math.max(0, iy2 - iy1);
  const inter = iw * ih;
  const ua = Math.max(0, a[ai + 2] - a[ai]) * Math.max(0, a[ai + 3] - a[ai + 1])
    + Math.max(0, b[bi + 2] - b[bi]) * Math.max(0, b[bi + 3] - b[bi + 1]) - inter;
  return ua > 0 ? inter / ua : 0;
}

/** IoU matrix [nA, nB] (row-major) of flat box arrays a [nA*4] and b [nB*4]. */
export function iouMatrix(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const na = a.length / 4, nb = b.length / 4;
  const out = new Float32Array(na * nb);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) out[i * nb + j] = iou(a, b, 4 * i, 4 * j);
  return out;
}

function checkFlat(what: string, boxes: ArrayLike<number>): void {
  if (boxes.length % 4 !== 0) throw new Error(`${what}: boxes must be a flat array of [x1,y1,x2,y2] quadruples, got length ${boxes.length}`);
}

// ---- anchors ------------------------------------------------------------------------------------

export interface AnchorOptions {
  /** Stride of each pyramid level (e.g. [4, 8, 16, 32]). */
  strides: number[];
  /** Anchor sizes (sqrt of area, in pixels) per level. */
  sizesPerLevel: number[][];
  /** Aspect ratios h/w (default [0.5, 1, 2]). */
  ratios?: number[];
  /**
   * Centre offset in cells: 0.5 puts centres at ((j + .5)s, (i + .5)s) (D, our default); mmdet v2
   * uses 0. Documented choice (spec §2.5 item 1).
   */
  centerOffset?: number;
}

/** Anchors per cell of level l (sizes x ratios, size-major). */
export function anchorsPerCell(o: AnchorOptions, level: number): number {
  return o.sizesPerLevel[level].length * (o.ratios ?? [0.5, 1, 2]).length;
}

/**
 * All anchors for the given level shapes, flat [sum_l H_l*W_l*A_l * 4], order (level, i, j, a) with
 * a = sizeIndex * nRatios + ratioIndex. The RPN head's channel layout [N,H,W,A] matches this order.
 * For size a and ratio rho: w = a / sqrt(rho), h = a * sqrt(rho).
 */
export function makeAnchors(o: AnchorOptions, shapes: [number, number][]): Float32Array {
  if (o.strides.length !== shapes.length || o.sizesPerLevel.length !== shapes.length) {
    throw new Error(`makeAnchors: ${shapes.length} level shapes but ${o.strides.length} strides and ${o.sizesPerLevel.length} size lists`);
  }
  const ratios = o.ratios ?? [0.5, 1, 2];
  const off = o.centerOffset ?? 0.5;
  let total = 0;
  shapes.forEach(([h, w], l) => { total += h * w * anchorsPerCell(o, l); });
  const out = new Float32Array(total * 4);
  let k = 0;
  shapes.forEach(([h, w], l) => {
    const s = o.strides[l];
    const wh: [number, number][] = [];
    for (const a of o.sizesPerLevel[l]) for (const r of ratios) wh.push([a / Math.sqrt(r), a * Math.sqrt(r)]);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      const cx = (j + off) * s, cy = (i + off) * s;
      for (const [aw, ah] of wh) {
        out[k++] = cx - aw / 2; out[k++] = cy - ah / 2; out[k++] = cx + aw / 2; out[k++] = cy + ah / 2;
      }
    }
  });
  return out;
}

// ---- DeltaXYWH box coder -------------------------------------------------------------------------

export interface CoderOptions {
  means?: [number, number, number, number];
  /** RPN (1,1,1,1); RCNN (.1,.1,.2,.2). */
  stds?: [number, number, number, number];
  /** Clamp of dw, dh before exp; default log(1000/16). */
  clampLog?: number;
}

/** Encode GT boxes g against reference boxes p (both flat [n*4]) into normalised deltas [n*4]. */
export function encodeBoxes(p: ArrayLike<number>, g: ArrayLike<number>, o: CoderOptions = {}): Float32Array {
  checkFlat('encodeBoxes', p);
  if (p.length !== g.length) throw new Error(`encodeBoxes: ${p.length / 4} reference boxes but ${g.length / 4} targets`);
  const m = o.means ?? [0, 0, 0, 0], s = o.stds ?? [1, 1, 1, 1];
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 4) {
    const pw = p[i + 2] - p[i], ph = p[i + 3] - p[i + 1];
    const px = p[i] + pw / 2, py = p[i + 1] + ph / 2;
    const gw = g[i + 2] - g[i], gh = g[i + 3] - g[i + 1];
    const gx = g[i] + gw / 2, gy = g[i + 1] + gh / 2;
    const d = [(gx - px) / pw, (gy - py) / ph, Math.log(gw / pw), Math.log(gh / ph)];
    for (let c = 0; c < 4; c++) out[i + c] = (d[c] - m[c]) / s[c];
  }
  return out;
}

/** Decode deltas [n*4] against reference boxes [n*4]; optionally clip to an image of size [h, w]. */
export function decodeBoxes(p: ArrayLike<number>, t: ArrayLike<number>, o: CoderOptions & { clipTo?: [number, number] } = {}): Float32Array {
  checkFlat('decodeBoxes', p);
  if (p.length !== t.length) throw new Error(`decodeBoxes: ${p.length / 4} reference boxes but ${t.length / 4} deltas`);
  const m = o.means ?? [0, 0, 0, 0], s = o.stds ?? [1, 1, 1, 1];
  const clamp = o.clampLog ?? Math.log(1000 / 16);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 4) {
    const pw = p[i + 2] - p[i], ph = p[i + 3] - p[i + 1];
    const px = p[i] + pw / 2, py = p[i + 1] + ph / 2;
    const dx = t[i] * s[0] + m[0], dy = t[i + 1] * s[1] + m[1];
    const dw = Math.max(-clamp, Math.min(clamp, t[i + 2] * s[2] + m[2]));
    const dh = Math.max(-clamp, Math.min(clamp, t[i + 3] * s[3] + m[3]));
    const gx = px + pw * dx, gy = py + ph * dy, gw = pw * Math.exp(dw), gh = ph * Math.exp(dh);
    let x1 = gx - gw / 2, y1 = gy - gh / 2, x2 = gx + gw / 2, y2 = gy + gh / 2;
    if (o.clipTo) {
      const [H, W] = o.clipTo;
      x1 = Math.min(Math.max(x1, 0), W); x2 = Math.min(Math.max(x2, 0), W);
      y1 = Math.min(Math.max(y1, 0), H); y2 = Math.min(Math.max(y2, 0), H);
    }
    out[i] = x1; out[i + 1] = y1; out[i + 2] = x2; out[i + 3] = y2;
  }
  return out;
}

// ---- NMS ----------------------------------------------------------------------------------------

/** Indices sorted by score descending; ties keep the lower index first (stable). */
export function argsortDesc(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => (scores[b] - scores[a]) || (a - b));
  return idx;
}

/**
 * Greedy NMS (mmcv semantics): visit boxes by score, keep one, suppress the rest with IoU > thr.
 * Returns kept indices in score order, at most maxOut.
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, thr: number, maxOut = Infinity): number[] {
  checkFlat('nms', boxes);
  if (boxes.length / 4 !== scores.length) throw new Error(`nms: ${boxes.length / 4} boxes but ${scores.length} scores`);
  const order = argsortDesc(scores);
  const dead = new Uint8Array(scores.length);
  const keep: number[] = [];
  for (const i of order) {
    if (dead[i]) continue;
    keep.push(i);
    if (keep.length >= maxOut) break;
    for (const j of order) if (!dead[j] && j !== i && iou(boxes, boxes, 4 * i, 4 * j) > thr) dead[j] = 1;
  }
  return keep;
}

/** Class-aware NMS: per-class NMS, merged by score (never suppresses across classes). */
export function batchedNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, labels: ArrayLike<number>, thr: number, maxOut = Infinity): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    (byClass.get(l) as number[]).push(i);
  }
  const kept: number[] = [];
  for (const idx of byClass.values()) {
    const b = new Float32Array(idx.length * 4), s = new Float32Array(idx.length);
    idx.forEach((g, k) => { for (let c = 0; c < 4; c++) b[4 * k + c] = boxes[4 * g + c]; s[k] = scores[g]; });
    for (const k of nms(b, s, thr)) kept.push(idx[k]);
  }
  kept.sort((a, b) => (scores[b] - scores[a]) || (a - b));
  return kept.slice(0, Math.min(kept.length, maxOut));
}

export interface SoftNmsOptions {
  /** 'linear' (mmcv default) or 'gaussian'. The thesis does not state the variant (spec §9.20). */
  method?: 'linear' | 'gaussian';
  /** Linear: IoU threshold N_t (default 0.3 as mmcv's iou_threshold). */
  iouThr?: number;
  sigma?: number;
  minScore?: number;
}

/** Soft-NMS: decay overlapping scores instead of removing boxes. Returns {indices, scores} by rank. */
export function softNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, o: SoftNmsOptions = {}): { indices: number[]; scores: number[] } {
  checkFlat('softNms', boxes);
  const method = o.method ?? 'linear', thr = o.iouThr ?? 0.3, sigma = o.sigma ?? 0.5, minScore = o.minScore ?? 1e-3;
  const s = Float64Array.from(scores as ArrayLike<number>);
  const alive = new Set(Array.from({ length: s.length }, (_, i) => i));
  const outI: number[] = [], outS: number[] = [];
  while (alive.size) {
    let best = -1;
    for (const i of alive) if (best < 0 || s[i] > s[best] || (s[i] === s[best] && i < best)) best = i;
    alive.delete(best);
    if (s[best] < minScore) continue;
    outI.push(best); outS.push(s[best]);
    for (const j of alive) {
      const v = iou(boxes, boxes, 4 * best, 4 * j);
      if (method === 'linear') { if (v >= thr) s[j] *= 1 - v; } else s[j] *= Math.exp(-(v * v) / sigma);
    }
  }
  return { indices: outI, scores: outS };
}
