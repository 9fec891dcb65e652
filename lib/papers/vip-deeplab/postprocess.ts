// Panoptic-DeepLab post-processing (spec §2.2, R: deeplab2 panoptic_deeplab post-processor) in
// plain TS on typed arrays, for determinism: center threshold + max-pool NMS + top-K, grouping of
// thing pixels to the nearest center after applying the offset, then merging with the semantic map
// by majority vote, with a stuff area limit.

export interface PostProcessOptions {
  /** Center heatmap threshold (values <= threshold are dropped). deeplab2: 0.1. */
  threshold?: number;
  /** Max-pool NMS kernel (odd). Panoptic-DeepLab 7, deeplab2 DVPS 13, mini 5. */
  nmsKernel?: number;
  /** Keep at most this many centers (<= 0: all). deeplab2: 200, mini: 20. */
  topK?: number;
  /** Stuff segments smaller than this many pixels become void. deeplab2 DVPS: 2048, mini: 8. */
  stuffAreaLimit?: number;
  thingIds: readonly number[];
  labelDivisor: number;
  /** Semantic id written for void pixels (panoptic = voidId * labelDivisor). */
  voidId: number;
}

export interface Center { y: number; x: number; score: number }

function checkKernel(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`centerNms: nmsKernel must be an odd positive integer, got ${k}`);
}

/**
 * Centers from a heatmap [H*W]: threshold, keep pixels equal to the max of their k x k window
 * (zero padding; values are >= 0 after thresholding), keep the top-K scores. Returned in raster
 * order (deeplab2: tf.where), so instance j+1 is the j-th surviving center in raster order.
 * Ties at the K-th score are all kept (deeplab2 compares against the K-th score), then capped at K.
 */
export function centerNms(heat: Float32Array, H: number, W: number, o: { threshold?: number; nmsKernel?: number; topK?: number } = {}): Center[] {
  if (heat.length !== H * W) throw new Error(`centerNms: heatmap has ${heat.length} values, expected ${H}x${W}`);
  const thr = o.threshold ?? 0.1, k = o.nmsKernel ?? 7, topK = o.topK ?? 200;
  checkKernel(k);
  const h = new Float32Array(H * W);
  for (let i = 0; i < h.length; i++) h[i] = heat[i] > thr ? heat[i] : 0;
  const r = (k - 1) / 2;
  let out: Center[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = h[y * W + x];
      if (v <= 0) continue;
      let isMax = true;
      for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r) && isMax; yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) {
          if (h[yy * W + xx] > v) { isMax = false; break; }
        }
      }
      if (isMax) out.push({ y, x, score: v });
    }
  }
  if (topK > 0 && out.length > topK) {
    const kth = [...out].sort((a, b) => b.score - a.score)[topK - 1].score;
    out = out.filter((c) => c.score >= kth);
    if (out.length > topK) {
      const keep = new Set([...out].sort((a, b) => b.score - a.score || (a.y * W + a.x) - (b.y * W + b.x)).slice(0, topK));
      out = out.filter((c) => keep.has(c));
    }
  }
  return out;
}

/**
 * Instance map [H*W]: thing pixels (isThing[i]) get 1 + argmin_j |c_j - (p + offset(p))|^2 (first
 * center on ties), others 0. offset is (dy, dx) interleaved [H*W*2].
 */
export function groupPixels(centers: Center[], offset: Float32Array, isThing: Uint8Array, H: number, W: number): Int32Array {
  if (offset.length !== 2 * H * W) throw new Error(`groupPixels: offset has ${offset.length} values, expected ${H}x${W}x2`);
  const inst = new Int32Array(H * W);
  if (centers.length === 0) return inst;
  for (let i = 0; i < H * W; i++) {
    if (!isThing[i]) continue;
    const py = Math.floor(i / W) + offset[2 * i], px = (i % W) + offset[2 * i + 1];
    let best = 0, bd = Infinity;
    for (let j = 0; j < centers.length; j++) {
      const d = (centers[j].y - py) ** 2 + (centers[j].x - px) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    inst[i] = best + 1;
  }
  return inst;
}

/**
 * Merge semantic labels and class-agnostic instances into panoptic ids (deeplab2
 * `_merge_semantic_and_instance_maps`): start from void; each instance (in order of first raster
 * appearance) gets the majority semantic class of its thing pixels (lowest class on ties) and a
 * per-class counter from 1; then each stuff class's pixels outside instances form one segment if
 * its area >= stuffAreaLimit.
 */
export function mergeSemanticInstance(semantic: Int32Array, instance: Int32Array, o: PostProcessOptions): Int32Array {
  const L = o.labelDivisor, n = semantic.length;
  const things = new Set(o.thingIds);
  const pan = new Int32Array(n).fill(o.voidId * L);
  const order: number[] = [];
  const votes = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const id = instance[i];
    if (id === 0 || !things.has(semantic[i])) continue;
    let v = votes.get(id);
    if (!v) { v = new Map(); votes.set(id, v); order.push(id); }
    v.set(semantic[i], (v.get(semantic[i]) ?? 0) + 1);
  }
  const counter = new Map<number, number>();
  const label = new Map<number, number>();
  for (const id of order) {
    let bestC = -1, bestN = -1;
    for (const [c, k] of votes.get(id)!) if (k > bestN || (k === bestN && c < bestC)) { bestC = c; bestN = k; }
    const next = (counter.get(bestC) ?? 0) + 1;
    counter.set(bestC, next);
    label.set(id, bestC * L + next);
  }
  const inThing = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = instance[i];
    if (id !== 0 && things.has(semantic[i])) { pan[i] = label.get(id)!; inThing[i] = 1; }
  }
  const stuffArea = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = semantic[i];
    if (!inThing[i] && !things.has(c) && c !== o.voidId) stuffArea.set(c, (stuffArea.get(c) ?? 0) + 1);
  }
  const limit = o.stuffAreaLimit ?? 0;
  for (let i = 0; i < n; i++) {
    const c = semantic[i];
    if (inThing[i] || things.has(c) || c === o.voidId) continue;
    if ((stuffArea.get(c) ?? 0) >= limit) pan[i] = c * L;
  }
  return pan;
}

/** Argmax over the last axis of [H*W*K] scores (lowest index on ties). */
export function argmaxChannels(scores: Float32Array, K: number): Int32Array {
  if (scores.length % K !== 0) throw new Error(`argmaxChannels: ${scores.length} values is not a multiple of K=${K}`);
  const n = scores.length / K, out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0, bv = scores[i * K];
    for (let c = 1; c < K; c++) if (scores[i * K + c] > bv) { bv = scores[i * K + c]; b = c; }
    out[i] = b;
  }
  return out;
}

/** Full post-processing from semantic labels, center heatmap and offsets to a panoptic map. */
export function panopticPostProcess(semantic: Int32Array, center: Float32Array, offset: Float32Array, H: number, W: number, o: PostProcessOptions): { panoptic: Int32Array; centers: Center[]; instance: Int32Array } {
  if (semantic.length !== H * W) throw new Error(`panopticPostProcess: semantic has ${semantic.length} pixels, expected ${H}x${W}`);
  const things = new Set(o.thingIds);
  const isThing = new Uint8Array(H * W);
  for (let i = 0; i < isThing.length; i++) isThing[i] = things.has(semantic[i]) ? 1 : 0;
  const centers = centerNms(center, H, W, o);
  const instance = groupPixels(centers, offset, isThing, H, W);
  return { panoptic: mergeSemanticInstance(semantic, instance, o), centers, instance };
}

/** Relabel instance ids by first raster appearance (per class), for comparisons up to permutation. */
export function canonicalize(pan: Int32Array, labelDivisor: number): Int32Array {
  const map = new Map<number, number>();
  const counter = new Map<number, number>();
  const out = new Int32Array(pan.length);
  for (let i = 0; i < pan.length; i++) {
    const id = pan[i], cls = Math.floor(id / labelDivisor), ins = id % labelDivisor;
    if (ins === 0) { out[i] = id; continue; }
    let m = map.get(id);
    if (m === undefined) {
      const k = (counter.get(cls) ?? 0) + 1;
      counter.set(cls, k);
      m = cls * labelDivisor + k;
      map.set(id, m);
    }
    out[i] = m;
  }
  return out;
}
