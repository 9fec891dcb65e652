// Monocular depth metrics (spec §2.7; R: KITTI depth devkit and the Eigen et al. set), per image over
// valid GT pixels (d > 0), then averaged over images. Units follow the KITTI leaderboard:
//   silog   = sqrt(mean(e^2) - mean(e)^2) * 100, e = log d̂ - log d (radicand clamped at 0)
//   absRel  = mean(|d - d̂| / d) * 100
//   sqRel   = mean(((d - d̂) / d)^2) * 100        (KITTI sqErrorRel; NOT Eigen's mean((d-d̂)^2/d))
//   iRMSE   = sqrt(mean((1/d - 1/d̂)^2)) with depths in km (1/km; inputs are metres)
// and the Eigen metrics:
//   rmse    = sqrt(mean((d - d̂)^2))               (input units, metres)
//   rmseLog = sqrt(mean(e^2))
//   sqRelEigen = mean((d - d̂)^2 / d)
//   delta<t = fraction with max(d/d̂, d̂/d) < t (strict) for t = 1.1, 1.25, 1.5, 1.25^2, 1.25^3.
// Predictions must be > 0 (logs, inverses); non-positive predictions are clamped to `minPred`
// (choice (D); the devkit assumes positive predictions).

export interface DepthMetrics {
  silog: number;
  absRel: number;
  sqRel: number;
  iRMSE: number;
  rmse: number;
  rmseLog: number;
  sqRelEigen: number;
  delta1_1: number;
  delta1_25: number;
  delta1_5: number;
  delta1_25_2: number;
  delta1_25_3: number;
  /** Valid pixels (one image) or images averaged (meanDepthMetrics). */
  n: number;
}

export interface DepthMetricOptions {
  /** Clamp for non-positive predictions (default 1e-3). */
  minPred?: number;
  /** Only GT depths in (0, maxDepth] count (default: all positive). */
  maxDepth?: number;
}

export const DEPTH_METRIC_KEYS = ['silog', 'absRel', 'sqRel', 'iRMSE', 'rmse', 'rmseLog', 'sqRelEigen', 'delta1_1', 'delta1_25', 'delta1_5', 'delta1_25_2', 'delta1_25_3'] as const;

/** Metrics of one image; returns null when it has no valid GT pixel (skipped in the mean). */
export function depthMetrics(gt: ArrayLike<number>, pred: ArrayLike<number>, opts: DepthMetricOptions = {}): DepthMetrics | null {
  if (gt.length !== pred.length) throw new Error(`depthMetrics: GT has ${gt.length} pixels, prediction ${pred.length}`);
  const minPred = opts.minPred ?? 1e-3;
  const maxDepth = opts.maxDepth ?? Infinity;
  if (!(minPred > 0)) throw new Error(`depthMetrics: minPred must be > 0, got ${minPred}`);
  let n = 0, se = 0, se2 = 0, abs = 0, sqr = 0, inv = 0, sq = 0, sqE = 0;
  const thr = [1.1, 1.25, 1.5, 1.25 ** 2, 1.25 ** 3];
  const hits = [0, 0, 0, 0, 0];
  for (let i = 0; i < gt.length; i++) {
    const d = gt[i];
    if (!(d > 0) || d > maxDepth) continue;
    let p = pred[i];
    if (!Number.isFinite(p)) throw new Error(`depthMetrics: prediction at pixel ${i} is ${p}`);
    if (p < minPred) p = minPred;
    n++;
    const e = Math.log(p) - Math.log(d);
    se += e; se2 += e * e;
    const r = (d - p) / d;
    abs += Math.abs(r); sqr += r * r;
    const ik = 1000 / d - 1000 / p;
    inv += ik * ik;
    sq += (d - p) * (d - p);
    sqE += (d - p) * (d - p) / d;
    const ratio = Math.max(d / p, p / d);
    for (let j = 0; j < thr.length; j++) if (ratio < thr[j]) hits[j]++;
  }
  if (n === 0) return null;
  const m = se / n, m2 = se2 / n;
  return {
    silog: Math.sqrt(Math.max(0, m2 - m * m)) * 100,
    absRel: (abs / n) * 100,
    sqRel: (sqr / n) * 100,
    iRMSE: Math.sqrt(inv / n),
    rmse: Math.sqrt(sq / n),
    rmseLog: Math.sqrt(m2),
    sqRelEigen: sqE / n,
    delta1_1: hits[0] / n, delta1_25: hits[1] / n, delta1_5: hits[2] / n, delta1_25_2: hits[3] / n, delta1_25_3: hits[4] / n,
    n,
  };
}

/** Per-image metrics averaged over images with at least one valid pixel (KITTI protocol). */
export function meanDepthMetrics(gts: ArrayLike<number>[], preds: ArrayLike<number>[], opts: DepthMetricOptions = {}): DepthMetrics {
  if (gts.length !== preds.length) throw new Error(`meanDepthMetrics: ${gts.length} GT maps but ${preds.length} predictions`);
  const per = gts.map((g, i) => depthMetrics(g, preds[i], opts)).filter((m): m is DepthMetrics => m !== null);
  if (per.length === 0) throw new Error('meanDepthMetrics: no image has a valid GT depth pixel');
  const out = { n: per.length } as DepthMetrics;
  for (const k of DEPTH_METRIC_KEYS) out[k] = per.reduce((a, m) => a + m[k], 0) / per.length;
  return out;
}
