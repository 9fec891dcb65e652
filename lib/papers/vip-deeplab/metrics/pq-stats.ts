// Per-class PQ statistics of one image or one k-frame window, exactly as `vpq_eval` in the
// authors' eval_dvpq.py (spec §2.6 item 3):
// - segment id = category * labelDivisor + instance; stuff and things are treated alike;
// - a (gt, pred) pair of the same category with IoU > 0.5 is a TP, where
//   union = |gt| + |pred| - |gt ∩ pred| - |pred ∩ void| and void is the GT id ignoreId*labelDivisor;
// - unmatched GT segments (category != ignoreId) are FNs;
// - unmatched predictions are FPs unless more than half of their pixels lie on GT ids of the ignore
//   category (exactly one half is still an FP).
// A window of k frames is the concatenation of its frames along the width (eq. 7.2); segment areas
// and intersections do not depend on pixel positions, so concatenating the flat arrays is identical.
import { checkEvalConfig } from './config';
import { PanopticEvalConfig, PqStats } from './types';

export function emptyPqStats(numClasses: number): PqStats {
  return { iou: new Float64Array(numClasses), tp: new Float64Array(numClasses), fp: new Float64Array(numClasses), fn: new Float64Array(numClasses) };
}

/** acc += s (in place); returns acc. */
export function addPqStats(acc: PqStats, s: PqStats): PqStats {
  if (acc.tp.length !== s.tp.length) throw new Error(`addPqStats: class counts differ (${acc.tp.length} vs ${s.tp.length})`);
  for (let c = 0; c < acc.tp.length; c++) {
    acc.iou[c] += s.iou[c]; acc.tp[c] += s.tp[c]; acc.fp[c] += s.fp[c]; acc.fn[c] += s.fn[c];
  }
  return acc;
}

function asFrames(x: Int32Array | Int32Array[], what: string, where: string): Int32Array[] {
  if (x instanceof Int32Array) return [x];
  if (!Array.isArray(x) || x.length === 0) throw new Error(`${where}: ${what} must be an Int32Array or a non-empty array of them`);
  x.forEach((f, i) => { if (!(f instanceof Int32Array)) throw new Error(`${where}: ${what}[${i}] is not an Int32Array`); });
  return x;
}

/**
 * PQ statistics of one image, or of one window given as the list of its frames (concatenated).
 * Prediction categories must be scored classes, the outlier dummy category `numClasses`, or
 * `ignoreId` (an unlabelled prediction, e.g. post-processing void); the latter two never count.
 */
export function pqStats(pred: Int32Array | Int32Array[], gt: Int32Array | Int32Array[], cfg: PanopticEvalConfig): PqStats {
  const where = 'pqStats';
  checkEvalConfig(cfg, where);
  const P = asFrames(pred, 'pred', where), G = asFrames(gt, 'gt', where);
  if (P.length !== G.length) throw new Error(`${where}: ${P.length} prediction frames but ${G.length} GT frames`);
  const { numClasses: K, labelDivisor: L, ignoreId } = cfg;
  // Compact indices for ids, so pair keys gi * nPix + pi stay exact doubles for any id range.
  const gtIndex = new Map<number, number>(), predIndex = new Map<number, number>();
  const gtIds: number[] = [], predIds: number[] = [];
  let nPix = 0;
  for (let f = 0; f < P.length; f++) {
    if (P[f].length !== G[f].length) throw new Error(`${where}: frame ${f}: prediction has ${P[f].length} pixels, GT has ${G[f].length}`);
    nPix += P[f].length;
  }
  const gi = new Int32Array(nPix), pi = new Int32Array(nPix);
  let o = 0;
  for (let f = 0; f < P.length; f++) {
    const p = P[f], g = G[f];
    let lastG = NaN, lastGi = -1, lastP = NaN, lastPi = -1;
    for (let i = 0; i < p.length; i++, o++) {
      const gv = g[i], pv = p[i];
      if (gv !== lastG) {
        let idx = gtIndex.get(gv);
        if (idx === undefined) {
          const cat = Math.floor(gv / L);
          if (gv < 0 || (cat >= K && cat !== ignoreId)) {
            throw new Error(`${where}: GT id ${gv} (frame ${f}, pixel ${i}) has category ${cat}, not a class in 0..${K - 1} nor the ignore id ${ignoreId}`);
          }
          idx = gtIds.length; gtIds.push(gv); gtIndex.set(gv, idx);
        }
        lastG = gv; lastGi = idx;
      }
      if (pv !== lastP) {
        let idx = predIndex.get(pv);
        if (idx === undefined) {
          const cat = Math.floor(pv / L);
          if (pv < 0 || (cat > K && cat !== ignoreId)) {
            throw new Error(`${where}: predicted id ${pv} (frame ${f}, pixel ${i}) has category ${cat}, not a class in 0..${K - 1}, the outlier class ${K} nor the ignore id ${ignoreId}`);
          }
          idx = predIds.length; predIds.push(pv); predIndex.set(pv, idx);
        }
        lastP = pv; lastPi = idx;
      }
      gi[o] = lastGi; pi[o] = lastPi;
    }
  }
  const nG = gtIds.length, nP = predIds.length;
  const gtArea = new Float64Array(nG), predArea = new Float64Array(nP);
  const inter = new Map<number, number>();
  if (nG * nP <= 1 << 20) {
    // dense pair counts (the usual case: few segments per window), then the non-zero pairs
    const dense = new Int32Array(nG * nP);
    for (let i = 0; i < nPix; i++) { gtArea[gi[i]]++; predArea[pi[i]]++; dense[gi[i] * nP + pi[i]]++; }
    for (let key = 0; key < dense.length; key++) if (dense[key] > 0) inter.set(key, dense[key]);
  } else {
    for (let i = 0; i < nPix; i++) {
      gtArea[gi[i]]++; predArea[pi[i]]++;
      const key = gi[i] * nP + pi[i];
      inter.set(key, (inter.get(key) ?? 0) + 1);
    }
  }
  const gtCat = gtIds.map((id) => Math.floor(id / L)), predCat = predIds.map((id) => Math.floor(id / L));
  const voidGt = gtIndex.get(ignoreId * L); // only the exact void id enters the union (as the official code)
  const predVoid = new Float64Array(nP), predIgnored = new Float64Array(nP);
  for (const [key, a] of inter) {
    const g = Math.floor(key / nP), p = key - g * nP;
    if (g === voidGt) predVoid[p] += a;
    if (gtCat[g] === ignoreId) predIgnored[p] += a;
  }
  const s = emptyPqStats(K);
  const gtMatched = new Uint8Array(nG), predMatched = new Uint8Array(nP);
  for (const [key, a] of inter) {
    const g = Math.floor(key / nP), p = key - g * nP;
    const c = gtCat[g];
    if (c !== predCat[p] || c >= K) continue; // different category, or void/outlier (never scored)
    const union = gtArea[g] + predArea[p] - a - predVoid[p];
    const iou = a / union;
    if (iou > 0.5) {
      s.tp[c] += 1; s.iou[c] += iou;
      gtMatched[g] = 1; predMatched[p] = 1;
    }
  }
  for (let g = 0; g < nG; g++) {
    if (!gtMatched[g] && gtCat[g] !== ignoreId) s.fn[gtCat[g]] += 1;
  }
  for (let p = 0; p < nP; p++) {
    if (predMatched[p] || predCat[p] >= K) continue;
    if (predIgnored[p] / predArea[p] > 0.5) continue;
    s.fp[predCat[p]] += 1;
  }
  return s;
}
