// RoIAlign (mmcv semantics, aligned=True, fixed sampling ratio) as a separable matrix product:
//   out[r] = A_y[r] (P x H) . F (H x W x C) . A_x[r]^T (W x P)
// A_y[r][p, h] is the mean over the g sample rows of bin p of the bilinear weight on row h (same for
// x). Averaging bilinear samples over a Cartesian grid factorises, so this equals the per-sample
// loop exactly. Only matMul / reshape / transpose / concat touch the features, so the result has a
// gradient w.r.t. the feature maps on every backend (tfjs cropAndResize and gatherND have none).
// No gradient w.r.t. the boxes (as in Faster R-CNN).
import * as tf from '@tensorflow/tfjs';

export interface RoiAlignOptions {
  /** Output bins per side P. */
  outSize: number;
  /** Sample points per bin side g (mmcv sampling_ratio; must be > 0 here). Default 2. */
  samplingRatio?: number;
  /** Stride of each feature level (feature px -> image px). */
  strides: number[];
  /** Level mapping scale (mmdet finest_scale, 56 for P2..P5). */
  finestScale?: number;
  /** mmcv aligned=True: subtract half a pixel after scaling. Default true. */
  aligned?: boolean;
}

/** Level of each RoI: clamp(floor(log2(sqrt(w h) / finestScale + 1e-6)), 0, L-1) (mmdet SingleRoIExtractor). */
export function roiLevels(rois: ArrayLike<number>, numLevels: number, finestScale = 56): Int32Array {
  const n = rois.length / 5;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const w = rois[5 * r + 3] - rois[5 * r + 1], h = rois[5 * r + 4] - rois[5 * r + 2];
    const l = Math.floor(Math.log2(Math.sqrt(Math.max(w * h, 0)) / finestScale + 1e-6));
    out[r] = Math.min(Math.max(l, 0), numLevels - 1);
  }
  return out;
}

/**
 * Interpolation matrix [P, size] for one axis: bin p spans [lo + p*bin, lo + (p+1)*bin]; g samples per
 * bin at lo + p*bin + (i+.5)*bin/g; bilinear weights with mmcv's border rules (zero outside
 * [-1, size], clamp to 0 below, snap to the last row at or past size-1).
 */
export function axisWeights(lo: number, hi: number, size: number, P: number, g: number): Float32Array {
  const out = new Float32Array(P * size);
  const bin = (hi - lo) / P;
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < g; i++) {
      let y = lo + p * bin + (i + 0.5) * bin / g;
      if (y < -1 || y > size) continue;
      if (y <= 0) y = 0;
      let yl = Math.floor(y), yh: number;
      if (yl >= size - 1) { yl = yh = size - 1; y = yl; } else yh = yl + 1;
      const ly = y - yl;
      out[p * size + yl] += (1 - ly) / g;
      out[p * size + yh] += ly / g;
    }
  }
  return out;
}

/**
 * RoIAlign over a feature pyramid. `feats[l]` is [N, H_l, W_l, C]; `rois` is flat [R*5] of
 * (batchIndex, x1, y1, x2, y2) in image pixels. Returns [R, P, P, C] in the order of `rois`.
 * Rois are processed in (level, image) groups; if the input is not already in that order the
 * result is permuted back with tf.gather, whose gradient needs UnsortedSegmentSum (absent on wasm):
 * for training, sort the RoIs by (level, image) first (see sortRoisForAlign).
 */
export function roiAlignMatmul(feats: tf.Tensor4D[], rois: ArrayLike<number>, o: RoiAlignOptions): tf.Tensor4D {
  if (rois.length % 5 !== 0) throw new Error(`roiAlignMatmul: rois must be a flat array of (batch, x1, y1, x2, y2), got length ${rois.length}`);
  if (feats.length !== o.strides.length) throw new Error(`roiAlignMatmul: ${feats.length} feature maps but ${o.strides.length} strides`);
  const P = o.outSize, g = o.samplingRatio ?? 2, aligned = o.aligned ?? true;
  if (!(g > 0)) throw new Error(`roiAlignMatmul: samplingRatio must be > 0 (adaptive sampling is not separable-fixed), got ${g}`);
  const C = feats[0].shape[3], N = feats[0].shape[0];
  const R = rois.length / 5;
  const lv = roiLevels(rois, feats.length, o.finestScale ?? 56);
  const groups = new Map<number, number[]>();
  for (let r = 0; r < R; r++) {
    const b = rois[5 * r];
    if (!(b >= 0 && b < N && Number.isInteger(b))) throw new Error(`roiAlignMatmul: roi ${r} has batch index ${b}, batch size is ${N}`);
    const key = lv[r] * N + b;
    if (!groups.has(key)) groups.set(key, []);
    (groups.get(key) as number[]).push(r);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const order: number[] = [];
  for (const k of keys) order.push(...(groups.get(k) as number[]));
  if (R === 0) return tf.zeros([0, P, P, C]) as tf.Tensor4D;
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (const k of keys) {
      const idx = groups.get(k) as number[];
      const l = Math.floor(k / N), b = k % N;
      const f = feats[l];
      const [, H, W] = f.shape;
      const s = 1 / o.strides[l], off = aligned ? 0.5 : 0;
      const ay = new Float32Array(idx.length * P * H), ax = new Float32Array(idx.length * P * W);
      idx.forEach((r, q) => {
        const x1 = rois[5 * r + 1] * s - off, y1 = rois[5 * r + 2] * s - off;
        let x2 = rois[5 * r + 3] * s - off, y2 = rois[5 * r + 4] * s - off;
        if (!aligned) { x2 = x1 + Math.max(x2 - x1, 1); y2 = y1 + Math.max(y2 - y1, 1); }
        ay.set(axisWeights(y1, y2, H, P, g), q * P * H);
        ax.set(axisWeights(x1, x2, W, P, g), q * P * W);
      });
      const Rg = idx.length;
      const fb = tf.reshape(tf.slice(f, [b, 0, 0, 0], [1, H, W, C]), [H, W * C]);
      // rows: [Rg*P, H] @ [H, W*C] -> [Rg, P, W, C]
      const t1 = tf.reshape(tf.matMul(tf.tensor2d(ay, [Rg * P, H]), fb), [Rg, P, W, C]);
      // columns: [Rg, P, W] @ [Rg, W, P*C] -> [Rg, Px, Py*C]
      const t2 = tf.reshape(tf.transpose(t1, [0, 2, 1, 3]), [Rg, W, P * C]);
      const t3 = tf.matMul(tf.tensor3d(ax, [Rg, P, W]), t2);
      parts.push(tf.transpose(tf.reshape(t3, [Rg, P, P, C]), [0, 2, 1, 3]));
    }
    const grouped = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    const identity = order.every((v, i) => v === i);
    if (identity) return grouped as tf.Tensor4D;
    const inv = new Int32Array(R);
    order.forEach((r, i) => { inv[r] = i; });
    return tf.gather(grouped, tf.tensor1d(inv, 'int32')) as tf.Tensor4D;
  });
}

/** The permutation that puts RoIs in (level, image) order, so roiAlignMatmul needs no gather. */
export function sortRoisForAlign(rois: ArrayLike<number>, numLevels: number, batchSize: number, finestScale = 56): number[] {
  const lv = roiLevels(rois, numLevels, finestScale);
  const idx = Array.from({ length: rois.length / 5 }, (_, i) => i);
  idx.sort((a, b) => (lv[a] * batchSize + rois[5 * a]) - (lv[b] * batchSize + rois[5 * b]) || a - b);
  return idx;
}

/** Reference RoIAlign: explicit per-sample bilinear loop (mmcv roi_align_forward), for tests. */
export function roiAlignNaive(feat: Float32Array, shape: [number, number, number, number], rois: ArrayLike<number>, stride: number, P: number, g: number, aligned = true): Float32Array {
  const [, H, W, C] = shape;
  const R = rois.length / 5;
  const out = new Float32Array(R * P * P * C);
  const at = (b: number, y: number, x: number, c: number) => feat[((b * H + y) * W + x) * C + c];
  for (let r = 0; r < R; r++) {
    const b = rois[5 * r], off = aligned ? 0.5 : 0;
    const x1 = rois[5 * r + 1] / stride - off, y1 = rois[5 * r + 2] / stride - off;
    let rw = rois[5 * r + 3] / stride - off - x1, rh = rois[5 * r + 4] / stride - off - y1;
    if (!aligned) { rw = Math.max(rw, 1); rh = Math.max(rh, 1); }
    const bw = rw / P, bh = rh / P;
    for (let py = 0; py < P; py++) for (let px = 0; px < P; px++) for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let iy = 0; iy < g; iy++) for (let ix = 0; ix < g; ix++) {
        let y = y1 + py * bh + (iy + 0.5) * bh / g, x = x1 + px * bw + (ix + 0.5) * bw / g;
        if (y < -1 || y > H || x < -1 || x > W) continue;
        if (y <= 0) y = 0; if (x <= 0) x = 0;
        let yl = Math.floor(y), xl = Math.floor(x), yh: number, xh: number;
        if (yl >= H - 1) { yl = yh = H - 1; y = yl; } else yh = yl + 1;
        if (xl >= W - 1) { xl = xh = W - 1; x = xl; } else xh = xl + 1;
        const ly = y - yl, lx = x - xl, hy = 1 - ly, hx = 1 - lx;
        acc += hy * hx * at(b, yl, xl, c) + hy * lx * at(b, yl, xh, c) + ly * hx * at(b, yh, xl, c) + ly * lx * at(b, yh, xh, c);
      }
      out[((r * P + py) * P + px) * C + c] = acc / (g * g);
    }
  }
  return out;
}
