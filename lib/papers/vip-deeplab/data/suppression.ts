// Non-foreground suppression of projected LiDAR points (thesis §7.4, SemKITTI-DVPS construction,
// Fig. 7-6): thin objects get invaded by far background points after projection, so "within a 7x7
// patch, background points are removed if at least one foreground point is closer to the camera".
// Reading (D, spec pitfall 17): a sliding patch x patch window centred on each point p; p is removed
// if some valid point q in it has z_q < z_p - max(marginAbs, marginRel * z_p). The margin is not
// given in the thesis; defaults 1 m and 10 %.
import { DvpsFrame } from './types';

export interface SuppressionOptions {
  /** Odd window size (7). */
  patch?: number;
  marginAbs?: number;
  marginRel?: number;
}

/** Keep mask (1 = keep) of the valid (depth > 0) points of a sparse depth map. */
export function nonForegroundSuppression(depth: ArrayLike<number>, H: number, W: number, opts: SuppressionOptions = {}): Uint8Array {
  const patch = opts.patch ?? 7, mAbs = opts.marginAbs ?? 1, mRel = opts.marginRel ?? 0.1;
  if (depth.length !== H * W) throw new Error(`nonForegroundSuppression: ${depth.length} depths for ${H}x${W}`);
  if (!Number.isInteger(patch) || patch < 1 || patch % 2 === 0) throw new Error(`nonForegroundSuppression: patch must be an odd positive integer, got ${patch}`);
  if (!(mAbs >= 0) || !(mRel >= 0)) throw new Error('nonForegroundSuppression: margins must be >= 0');
  const r = (patch - 1) / 2;
  const keep = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const zp = depth[y * W + x];
      if (!(zp > 0)) continue;
      const limit = zp - Math.max(mAbs, mRel * zp);
      let removed = false;
      for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r) && !removed; yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) {
          const zq = depth[yy * W + xx];
          if (zq > 0 && zq < limit) { removed = true; break; }
        }
      }
      keep[y * W + x] = removed ? 0 : 1;
    }
  }
  return keep;
}

/** Apply the suppression to a sparse frame: removed points become void with depth 0. */
export function suppressBackgroundPoints(frame: DvpsFrame, H: number, W: number, voidId: number, labelDivisor: number, opts: SuppressionOptions = {}): { frame: DvpsFrame; removed: number } {
  const keep = nonForegroundSuppression(frame.depth, H, W, opts);
  const out: DvpsFrame = { ...frame, semantic: new Int32Array(frame.semantic), instance: new Int32Array(frame.instance), panoptic: new Int32Array(frame.panoptic), depth: new Float32Array(frame.depth) };
  let removed = 0;
  for (let i = 0; i < keep.length; i++) {
    if (frame.depth[i] > 0 && !keep[i]) {
      removed++;
      out.semantic[i] = voidId; out.instance[i] = 0; out.panoptic[i] = voidId * labelDivisor; out.depth[i] = 0;
    }
  }
  return { frame: out, removed };
}
