// Panoptic-DeepLab training targets (spec §2.2, R: deeplab2 `_generate_gt_center_and_offset`) and
// ViP-DeepLab's next-frame offsets (spec §2.3). Plain TS over Int32 panoptic maps [H*W] with ids
// `class * labelDivisor + instance` (instance 0 = stuff, or crowd on a thing class).

export interface TargetOptions {
  /** Gaussian sigma of the center heatmap in pixels (deeplab2: 8; mini: 2). */
  sigma: number;
  /** Instances with area < smallArea pixels get semantic weight smallWeight (deeplab2: 4096 and 3). */
  smallArea: number;
  smallWeight: number;
  labelDivisor: number;
  /** Semantic ids of thing classes. */
  thingIds: number[];
  /** Semantic id of void/ignore (weight 0 everywhere). */
  ignoreId: number;
}

/** Round half to even, as tf.round (pitfall 12): 0.5 -> 0, 1.5 -> 2, 2.5 -> 2. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface InstanceInfo { id: number; cls: number; area: number; cy: number; cx: number }

/** Rounded (half-to-even) centers of mass of every thing instance (instance id != 0, class != ignore). */
export function instanceCenters(pan: Int32Array, H: number, W: number, o: Pick<TargetOptions, 'labelDivisor' | 'ignoreId'>): Map<number, InstanceInfo> {
  if (pan.length !== H * W) throw new Error(`instanceCenters: panoptic map has ${pan.length} pixels, expected ${H}x${W}=${H * W}`);
  const acc = new Map<number, { n: number; sy: number; sx: number }>();
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const id = pan[y * W + x];
      const cls = Math.floor(id / o.labelDivisor), ins = id % o.labelDivisor;
      if (ins === 0 || cls === o.ignoreId) continue;
      let a = acc.get(id);
      if (!a) { a = { n: 0, sy: 0, sx: 0 }; acc.set(id, a); }
      a.n++; a.sy += y; a.sx += x;
    }
  }
  const out = new Map<number, InstanceInfo>();
  for (const [id, a] of acc) {
    out.set(id, { id, cls: Math.floor(id / o.labelDivisor), area: a.n, cy: roundHalfEven(a.sy / a.n), cx: roundHalfEven(a.sx / a.n) });
  }
  return out;
}

export interface PanopticTargets {
  height: number;
  width: number;
  /** Semantic class per pixel (void pixels hold 0 with weight 0). */
  semantic: Int32Array;
  semanticWeight: Float32Array;
  center: Float32Array;
  centerWeight: Float32Array;
  /** (dy, dx) interleaved, [H*W*2]. */
  offset: Float32Array;
  offsetWeight: Float32Array;
  /** Frame t+1 pixels -> frame-t centers, (dy, dx) interleaved; zeros without a next frame. */
  nextOffset: Float32Array;
  nextOffsetWeight: Float32Array;
}

/**
 * Targets for frame t (semantic, center heatmap, offsets) and, given frame t+1's panoptic map with
 * temporally consistent ids, the next-frame offsets `center_t - p` for t+1 pixels of instances
 * present in t.
 * Choice (D): next-offset weight is 1 on every t+1 pixel of an instance present in t (deeplab2 uses
 * "target != 0", which differs only on the single pixel sitting exactly on the center).
 * Crowd = thing class with instance 0: center weight 0 and offset weight 0, semantic weight 1.
 */
export function panopticTargets(panT: Int32Array, panNext: Int32Array | null, H: number, W: number, o: TargetOptions): PanopticTargets {
  if (!(o.sigma > 0)) throw new Error(`panopticTargets: sigma must be > 0, got ${o.sigma}`);
  if (panNext && panNext.length !== H * W) throw new Error(`panopticTargets: next-frame map has ${panNext.length} pixels, expected ${H * W}`);
  const L = o.labelDivisor;
  const things = new Set(o.thingIds);
  const centers = instanceCenters(panT, H, W, o);
  const n = H * W;
  const semantic = new Int32Array(n), semanticWeight = new Float32Array(n);
  const center = new Float32Array(n), centerWeight = new Float32Array(n);
  const offset = new Float32Array(2 * n), offsetWeight = new Float32Array(n);
  const nextOffset = new Float32Array(2 * n), nextOffsetWeight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const id = panT[i];
    const cls = Math.floor(id / L), ins = id % L;
    if (cls === o.ignoreId) continue;
    semantic[i] = cls;
    const info = ins !== 0 ? centers.get(id) : undefined;
    semanticWeight[i] = info && info.area < o.smallArea ? o.smallWeight : 1;
    const crowd = things.has(cls) && ins === 0;
    if (!crowd) centerWeight[i] = 1;
    if (info && things.has(cls)) {
      const y = Math.floor(i / W), x = i % W;
      offset[2 * i] = info.cy - y;
      offset[2 * i + 1] = info.cx - x;
      offsetWeight[i] = 1;
    }
  }
  // Gaussians on a (6 sigma + 3) window, combined by max (deeplab2).
  const s = o.sigma, r = Math.round(3 * s + 1);
  for (const info of centers.values()) {
    if (!things.has(info.cls)) continue;
    for (let y = Math.max(0, info.cy - r); y <= Math.min(H - 1, info.cy + r); y++) {
      for (let x = Math.max(0, info.cx - r); x <= Math.min(W - 1, info.cx + r); x++) {
        const g = Math.exp(-((x - info.cx) ** 2 + (y - info.cy) ** 2) / (2 * s * s));
        const i = y * W + x;
        if (g > center[i]) center[i] = g;
      }
    }
  }
  if (panNext) {
    for (let i = 0; i < n; i++) {
      const info = centers.get(panNext[i]);
      if (!info || !things.has(info.cls)) continue;
      const y = Math.floor(i / W), x = i % W;
      nextOffset[2 * i] = info.cy - y;
      nextOffset[2 * i + 1] = info.cx - x;
      nextOffsetWeight[i] = 1;
    }
  }
  return { height: H, width: W, semantic, semanticWeight, center, centerWeight, offset, offsetWeight, nextOffset, nextOffsetWeight };
}

/** Mirror a panoptic map left-right (joint flip augmentation; targets are recomputed afterwards). */
export function flipMapH<T extends Int32Array | Float32Array>(m: T, H: number, W: number, channels = 1): T {
  const out = new (m.constructor as { new(n: number): T })(m.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < channels; c++) out[(y * W + x) * channels + c] = m[(y * W + (W - 1 - x)) * channels + c];
    }
  }
  return out;
}
