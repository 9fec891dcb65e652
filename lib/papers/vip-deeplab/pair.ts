// ViP-DeepLab pair inference on the horizontally concatenated frames (spec §2.3, R: deeplab2
// `ViPDeepLab.call`): SEM = [sem_t | sem_t+1], CTR = [ctr_t | 0], OFF = [off_t | (ny, nx - W)],
// one Panoptic-DeepLab post-processing over H x 2W, split into P_t (left) and R_t (right).
import { panopticPostProcess, type Center, type PostProcessOptions } from './postprocess';

export interface FrameOutputs {
  /** Semantic labels (argmax) of the frame, [H*W]. */
  semantic: Int32Array;
  /** Center heatmap [H*W]. */
  center: Float32Array;
  /** Offsets (dy, dx) interleaved [H*W*2]. */
  offset: Float32Array;
}

export interface PairResult {
  /** Panoptic prediction of frame t (left half). */
  left: Int32Array;
  /** Frame t+1 with ids consistent with `left` (right half). */
  right: Int32Array;
  /** The H x 2W panoptic map. */
  concat: Int32Array;
  centers: Center[];
}

/** Paste two [H*W*C] maps side by side into [H*2W*C]. */
export function concatWidth<T extends Int32Array | Float32Array>(a: T, b: T, H: number, W: number, C = 1): T {
  const out = new (a.constructor as { new(n: number): T })(2 * H * W * C);
  for (let y = 0; y < H; y++) {
    out.set(a.subarray(y * W * C, (y + 1) * W * C), y * 2 * W * C);
    out.set(b.subarray(y * W * C, (y + 1) * W * C), (y * 2 * W + W) * C);
  }
  return out;
}

/** Split [H*2W] into its left and right halves. */
export function splitWidth(m: Int32Array, H: number, W: number): [Int32Array, Int32Array] {
  const l = new Int32Array(H * W), r = new Int32Array(H * W);
  for (let y = 0; y < H; y++) {
    l.set(m.subarray(y * 2 * W, y * 2 * W + W), y * W);
    r.set(m.subarray(y * 2 * W + W, (y + 1) * 2 * W), y * W);
  }
  return [l, r];
}

/**
 * Post-process one pair. `frameT` holds frame t's semantic/center/offset, `semanticNext` frame t+1's
 * semantic labels and `nextOffset` the next-frame branch's (dy, dx) for t+1 pixels pointing at
 * frame-t centers in frame coordinates. `shiftX` (default true) subtracts W from the right half's
 * x-offsets (pitfall 1): without it the right half's pixels point W columns too far right.
 */
export function pairPostProcess(frameT: FrameOutputs, semanticNext: Int32Array, nextOffset: Float32Array, H: number, W: number,
  o: PostProcessOptions & { shiftX?: boolean }): PairResult {
  const n = H * W;
  if (frameT.semantic.length !== n || semanticNext.length !== n) throw new Error(`pairPostProcess: semantic maps must have ${H}x${W} pixels`);
  if (frameT.center.length !== n) throw new Error(`pairPostProcess: center heatmap must have ${n} values, got ${frameT.center.length}`);
  if (frameT.offset.length !== 2 * n || nextOffset.length !== 2 * n) throw new Error(`pairPostProcess: offsets must have ${H}x${W}x2 values`);
  const shifted = new Float32Array(nextOffset);
  if (o.shiftX ?? true) for (let i = 0; i < n; i++) shifted[2 * i + 1] -= W;
  const sem = concatWidth(frameT.semantic, semanticNext, H, W);
  const ctr = concatWidth(frameT.center, new Float32Array(n), H, W);
  const off = concatWidth(frameT.offset, shifted, H, W, 2);
  const { panoptic, centers } = panopticPostProcess(sem, ctr, off, H, 2 * W, o);
  const [left, right] = splitWidth(panoptic, H, W);
  return { left, right, concat: panoptic, centers };
}
