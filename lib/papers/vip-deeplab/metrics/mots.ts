// Multi-object tracking and segmentation metrics (spec §2.8; R: Voigtlaender et al. 2019, KITTI MOTS,
// mots_tools), for one class, on per-frame id maps (non-overlapping masks by construction):
//   a hypothesis mask h matches GT mask m in the same frame iff IoU(h, m) > 0.5 (unique);
//   TP~ = sum of the IoUs of matches; IDS = matched GT masks whose predecessor (the most recent earlier
//   frame where the same GT track was matched) was matched to a different hypothesis track;
//   MOTSA = (|TP| - |FP| - |IDS|) / |M|, sMOTSA = (TP~ - |FP| - |IDS|) / |M|, MOTSP = TP~ / |TP|.
// Ids follow KITTI MOTS: obj_id = class * 1000 + instance, 0 = background, ignore region id 10000.
// (D) An unmatched hypothesis with more than half of its pixels on the ignore region is not an FP
// (KITTI MOTS: ignore regions are excluded from the FP count).

export interface MotsFrame {
  gt: Int32Array;
  hyp: Int32Array;
}

export interface MotsOptions {
  /** obj_id = class * labelDivisor + instance (KITTI MOTS: 1000). */
  labelDivisor?: number;
  /** GT id of ignore regions (KITTI MOTS: 10000). */
  ignoreId?: number;
}

export interface MotsResult {
  classId: number;
  sMOTSA: number;
  MOTSA: number;
  MOTSP: number;
  /** Matched masks, their IoU sum, false positives, misses, id switches, and GT masks. */
  TP: number;
  softTP: number;
  FP: number;
  FN: number;
  IDS: number;
  M: number;
}

function areas(ids: Int32Array, keep: (id: number) => boolean): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) if (keep(ids[i])) m.set(ids[i], (m.get(ids[i]) ?? 0) + 1);
  return m;
}

export function motsMetrics(frames: MotsFrame[], classId: number, opts: MotsOptions = {}): MotsResult {
  const L = opts.labelDivisor ?? 1000, ignoreId = opts.ignoreId ?? 10000;
  if (!Array.isArray(frames) || frames.length === 0) throw new Error('motsMetrics: need a non-empty array of frames');
  const isCls = (id: number) => id !== 0 && id !== ignoreId && Math.floor(id / L) === classId;
  let TP = 0, softTP = 0, FP = 0, FN = 0, IDS = 0, M = 0;
  const lastHypOfGt = new Map<number, number>();
  frames.forEach((f, t) => {
    if (f.gt.length !== f.hyp.length) throw new Error(`motsMetrics: frame ${t}: GT has ${f.gt.length} pixels, hypothesis ${f.hyp.length}`);
    const ga = areas(f.gt, isCls), ha = areas(f.hyp, isCls);
    const inter = new Map<string, number>();
    const onIgnore = new Map<number, number>();
    for (let i = 0; i < f.gt.length; i++) {
      const h = f.hyp[i];
      if (!isCls(h)) continue;
      const g = f.gt[i];
      if (g === ignoreId) onIgnore.set(h, (onIgnore.get(h) ?? 0) + 1);
      if (!isCls(g)) continue;
      const k = `${g}:${h}`;
      inter.set(k, (inter.get(k) ?? 0) + 1);
    }
    const matchedH = new Set<number>(), matchedG = new Set<number>();
    for (const [k, a] of inter) {
      const [g, h] = k.split(':').map(Number);
      const iou = a / (ga.get(g)! + ha.get(h)! - a);
      if (iou <= 0.5) continue;
      TP++; softTP += iou; matchedG.add(g); matchedH.add(h);
      const prev = lastHypOfGt.get(g);
      if (prev !== undefined && prev !== h) IDS++;
      lastHypOfGt.set(g, h);
    }
    M += ga.size;
    FN += ga.size - matchedG.size;
    for (const [h, a] of ha) {
      if (matchedH.has(h)) continue;
      if ((onIgnore.get(h) ?? 0) / a > 0.5) continue;
      FP++;
    }
  });
  return {
    classId, TP, softTP, FP, FN, IDS, M,
    MOTSA: M ? (TP - FP - IDS) / M : NaN,
    sMOTSA: M ? (softTP - FP - IDS) / M : NaN,
    MOTSP: TP ? softTP / TP : NaN,
  };
}
