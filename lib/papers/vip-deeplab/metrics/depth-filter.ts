// DVPQ's depth filter (thesis eq. 7.5; R: eval_dvpq.py): where the GT depth is valid (> 0) and the
// absolute relative error |d̂ - d| / d exceeds lambda, the predicted id becomes the dummy outlier
// category (official `19 * max_ins`), i.e. the pixel is unlabelled in the prediction. It still counts
// in the GT segment's union (unlike GT void). Pixels without GT depth are never filtered; an error
// exactly equal to lambda is kept (thesis: inlier iff |d̂ - d| <= lambda d). lambda = 0 disables the
// filter (official default `--depth_thres 0` -> plain VPQ).
// The official script reads both depth PNGs as integers (depth * 256); pass `quantizeDepth256`
// depths to reproduce its rounding. We assume signed arithmetic there (Pillow reads 16-bit PNGs as
// mode "I", int32); with uint16 arrays numpy would wrap negative differences.
import { checkEvalConfig, outlierId } from './config';
import { PanopticEvalConfig } from './types';

export function filterPredByDepth(
  pred: Int32Array, predDepth: ArrayLike<number>, gtDepth: ArrayLike<number>, lambda: number, cfg: PanopticEvalConfig,
): Int32Array {
  const where = 'filterPredByDepth';
  checkEvalConfig(cfg, where);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`${where}: lambda must be a finite number >= 0, got ${lambda}`);
  if (predDepth.length !== pred.length || gtDepth.length !== pred.length) {
    throw new Error(`${where}: panoptic map has ${pred.length} pixels but predicted depth has ${predDepth.length} and GT depth ${gtDepth.length}`);
  }
  const out = new Int32Array(pred);
  if (lambda === 0) return out;
  const dummy = outlierId(cfg);
  for (let i = 0; i < out.length; i++) {
    const d = gtDepth[i];
    if (!(d > 0)) continue;
    if (Math.abs(predDepth[i] - d) / d > lambda) out[i] = dummy;
  }
  return out;
}

/** Round depths to the 1/256 units of the 16-bit depth PNGs (what the official script compares). */
export function quantizeDepth256(depth: ArrayLike<number>): Float32Array {
  const out = new Float32Array(depth.length);
  for (let i = 0; i < depth.length; i++) out[i] = Math.min(65535, Math.max(0, Math.round(depth[i] * 256))) / 256;
  return out;
}
