// COCO detection evaluation, a port of pycocotools' COCOeval (evaluate -> accumulate -> summarize)
// for iouType 'bbox' and 'segm'. See index.ts for the conventions reproduced.
import type {
  AreaRanges, BoxEvalResult, CocoAnnotation, CocoDataset, CocoDetection, EvalArrays, EvalImg, EvalOptions,
  EvalParams, EvalState, Rle,
} from './types';
import { COCO_AREA_RANGES, DEFAULT_MAX_DETS, defaultIouThrs, defaultRecThrs } from './params';
import { validateCocoDataset, validateCocoResults } from './validate';
import { bboxIou } from './box-iou';
import { rleArea, rleFromObj, rleIou, rleToBbox } from './rle';
import { annToRle } from './polygon';

/** numpy's pairwise summation (np.add.reduce on a contiguous float64 vector), so means agree bit-for-bit. */
export function numpySum(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let s = -0;
    for (let i = 0; i < n; i++) s += a[start + i];
    return s;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, start, n2) + numpySum(a, start + n2, n - n2);
}

/** np.mean(s[s > -1]) or -1 when nothing is > -1 (pycocotools _summarize). */
function meanValid(vals: number[]): number {
  const v = vals.filter((x) => x > -1);
  return v.length === 0 ? -1 : numpySum(v) / v.length;
}

/** Stable sort of indices by score descending (numpy argsort(-scores, kind='mergesort')). */
function argsortDesc(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((i, j) => scores[j] - scores[i]);
}

function resolveParams(gt: CocoDataset, o: EvalOptions): EvalParams {
  const known = new Set(['iouType', 'iouThrs', 'recThrs', 'maxDets', 'areaRng', 'imgIds', 'catIds', 'useCats']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`COCO eval: unknown option '${k}' (known: ${[...known].join(', ')})`);
  const iouType = o.iouType ?? 'bbox';
  if (iouType !== 'bbox' && iouType !== 'segm') throw new Error(`COCO eval: iouType must be 'bbox' or 'segm', got '${iouType}'`);
  const maxDets = o.maxDets ?? DEFAULT_MAX_DETS;
  if (maxDets.length !== 3 || !maxDets.every((m, i) => Number.isInteger(m) && m > 0 && (i === 0 || m > maxDets[i - 1]))) {
    throw new Error(`COCO eval: maxDets must be 3 strictly increasing positive integers (AR1/AR10/AR100 slots), got ${JSON.stringify(maxDets)}`);
  }
  const ar: AreaRanges = o.areaRng ?? COCO_AREA_RANGES;
  const areaRngLbl = ['all', 'small', 'medium', 'large'];
  for (const l of areaRngLbl) {
    const r = (ar as unknown as Record<string, [number, number]>)[l];
    if (!r || r.length !== 2 || !(r[0] <= r[1])) throw new Error(`COCO eval: areaRng.${l} must be [min, max] with min <= max`);
  }
  const iouThrs = o.iouThrs ?? defaultIouThrs();
  const recThrs = o.recThrs ?? defaultRecThrs();
  if (iouThrs.length === 0 || recThrs.length === 0) throw new Error('COCO eval: iouThrs and recThrs must be non-empty');
  const gtImgIds = new Set(gt.images.map((im) => im.id));
  const imgIdsIn = o.imgIds ?? gt.images.map((im) => im.id);
  for (const id of imgIdsIn) if (!gtImgIds.has(id)) throw new Error(`COCO eval: imgIds contains ${id}, which is not an image of the ground truth`);
  const gtCatIds = new Set(gt.categories.map((c) => c.id));
  const catIdsIn = o.catIds ?? gt.categories.map((c) => c.id);
  for (const id of catIdsIn) if (!gtCatIds.has(id)) throw new Error(`COCO eval: catIds contains ${id}, which is not a category of the ground truth`);
  // evaluate(): p.imgIds = list(np.unique(p.imgIds)); p.catIds = list(np.unique(p.catIds)).
  const uniqSorted = (a: number[]) => [...new Set(a)].sort((x, y) => x - y);
  return {
    iouType, iouThrs: [...iouThrs], recThrs: [...recThrs], maxDets: [...maxDets],
    areaRng: areaRngLbl.map((l) => [...(ar as unknown as Record<string, [number, number]>)[l]] as [number, number]),
    areaRngLbl, imgIds: uniqSorted(imgIdsIn), catIds: uniqSorted(catIdsIn), useCats: o.useCats ?? true,
  };
}

interface GtRec { id: number; area: number; crowd: number; box: number[]; rle?: Rle }
interface DtRec { id: number; cat: number; area: number; score: number; box: number[]; rle?: Rle }

/**
 * COCOeval.evaluate(): IoUs and greedy matching per (category, area range, image) at maxDets[-1].
 * GT `ignore` fields are honoured like pycocotools (overwritten by iscrowd).
 */
export function prepareEval(gtIn: CocoDataset, detsIn: CocoDetection[], opts: EvalOptions = {}): EvalState {
  const gt = validateCocoDataset(gtIn, 'COCO eval ground truth');
  const dets = validateCocoResults(detsIn, gt, 'COCO eval detections');
  const p = resolveParams(gt, opts);
  const segm = p.iouType === 'segm';
  const imgHW = new Map(gt.images.map((im) => [im.id, [im.height, im.width] as [number, number]]));
  const catSet = new Set(p.catIds);
  const key = (i: number, c: number) => `${i}|${c}`;
  const gts = new Map<string, GtRec[]>(), dts = new Map<string, DtRec[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => { const l = m.get(k); if (l) l.push(v); else m.set(k, [v]); };

  // getAnnIds(imgIds, catIds) order: by image in p.imgIds order, file order within an image.
  const byImg = new Map<number, CocoAnnotation[]>();
  for (const a of gt.annotations) { const l = byImg.get(a.image_id); if (l) l.push(a); else byImg.set(a.image_id, [a]); }
  for (const imgId of p.imgIds) {
    for (const a of byImg.get(imgId) ?? []) {
      if (p.useCats && !catSet.has(a.category_id)) continue;
      let rle: Rle | undefined;
      if (segm) {
        if (!a.segmentation) throw new Error(`COCO eval (segm): ground-truth annotation ${a.id} has no segmentation`);
        const [h, w] = imgHW.get(imgId)!;
        rle = annToRle(a.segmentation, h, w);
      }
      push(gts, key(imgId, a.category_id), { id: a.id, area: a.area, crowd: a.iscrowd ? 1 : 0, box: a.bbox, rle });
    }
  }
  // loadRes: ids 1..n in file order; area = w*h when results carry boxes (decided on the first
  // result, as pycocotools), else the mask area; bbox from the mask when absent.
  const boxMode = dets.length > 0 && Array.isArray(dets[0].bbox) && dets[0].bbox.length > 0;
  const dtByImg = new Map<number, DtRec[]>();
  dets.forEach((d, i) => {
    let rle: Rle | undefined;
    if (segm) {
      if (!d.segmentation) throw new Error(`COCO eval (segm): detection ${i} (image ${d.image_id}) has no segmentation`);
      rle = rleFromObj(d.segmentation);
    }
    let box = d.bbox as number[] | undefined;
    let area: number;
    if (boxMode) {
      if (!box) throw new Error(`COCO eval: detection ${i} has no bbox while the first result has one`);
      area = box[2] * box[3];
    } else {
      area = rleArea(rle!);
      if (!box) box = rleToBbox(rle!);
    }
    const rec: DtRec = { id: i + 1, cat: d.category_id, area, score: d.score, box, rle };
    const l = dtByImg.get(d.image_id); if (l) l.push(rec); else dtByImg.set(d.image_id, [rec]);
  });
  for (const imgId of p.imgIds) {
    for (const r of dtByImg.get(imgId) ?? []) {
      if (p.useCats && !catSet.has(r.cat)) continue;
      push(dts, key(imgId, r.cat), r);
    }
  }

  const catIds = p.useCats ? p.catIds : [-1];
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const T = p.iouThrs.length;
  const getGt = (imgId: number, catId: number): GtRec[] => p.useCats ? (gts.get(key(imgId, catId)) ?? []) : p.catIds.flatMap((c) => gts.get(key(imgId, c)) ?? []);
  const getDt = (imgId: number, catId: number): DtRec[] => p.useCats ? (dts.get(key(imgId, catId)) ?? []) : p.catIds.flatMap((c) => dts.get(key(imgId, c)) ?? []);

  const evalImgs: (EvalImg | null)[][][] = catIds.map(() => p.areaRng.map(() => new Array<EvalImg | null>(p.imgIds.length).fill(null)));
  catIds.forEach((catId, k) => {
    p.imgIds.forEach((imgId, i) => {
      const g0 = getGt(imgId, catId), d0 = getDt(imgId, catId);
      if (g0.length === 0 && d0.length === 0) return;
      // computeIoU: dets sorted by score (stable) and cut to maxDets[-1]; ious[d][g] in file order of g.
      const dt = argsortDesc(d0.map((d) => d.score)).slice(0, maxDet).map((j) => d0[j]);
      const crowd = g0.map((g) => g.crowd);
      const ious = dt.length === 0 || g0.length === 0 ? [] : segm
        ? rleIou(dt.map((d) => d.rle!), g0.map((g) => g.rle!), crowd)
        : bboxIou(dt.map((d) => d.box), g0.map((g) => g.box), crowd);
      p.areaRng.forEach((aRng, a) => {
        // evaluateImg
        const ign = g0.map((g) => (g.crowd || g.area < aRng[0] || g.area > aRng[1]) ? 1 : 0);
        const gtind = Array.from({ length: g0.length }, (_, j) => j).sort((x, y) => ign[x] - ign[y]);
        const gtS = gtind.map((j) => g0[j]);
        const gtIg = gtind.map((j) => ign[j]);
        const isc = gtS.map((g) => g.crowd);
        const D = dt.length, G = gtS.length;
        const gtm = Array.from({ length: T }, () => new Array<number>(G).fill(0));
        const dtm = Array.from({ length: T }, () => new Array<number>(D).fill(0));
        const dtIg = Array.from({ length: T }, () => new Array<boolean>(D).fill(false));
        if (ious.length > 0) {
          p.iouThrs.forEach((t, tind) => {
            for (let dind = 0; dind < D; dind++) {
              let iou = Math.min(t, 1 - 1e-10);
              let m = -1;
              for (let gind = 0; gind < G; gind++) {
                if (gtm[tind][gind] > 0 && !isc[gind]) continue;
                if (m > -1 && gtIg[m] === 0 && gtIg[gind] === 1) break;
                const v = ious[dind][gtind[gind]];
                if (v < iou) continue;
                iou = v; m = gind;
              }
              if (m === -1) continue;
              dtIg[tind][dind] = gtIg[m] === 1;
              dtm[tind][dind] = gtS[m].id;
              gtm[tind][m] = dt[dind].id;
            }
          });
        }
        for (let tind = 0; tind < T; tind++) {
          for (let dind = 0; dind < D; dind++) {
            const out = dt[dind].area < aRng[0] || dt[dind].area > aRng[1];
            if (dtm[tind][dind] === 0 && out) dtIg[tind][dind] = true;
          }
        }
        evalImgs[k][a][i] = {
          imageId: imgId, categoryId: catId, aRng: [aRng[0], aRng[1]], maxDet,
          dtScores: dt.map((d) => d.score), dtMatches: dtm, dtIgnore: dtIg,
          gtIgnore: gtIg.map((x) => x === 1), gtIds: gtS.map((g) => g.id),
        };
      });
    });
  });
  return { params: p, evalImgs };
}

/**
 * COCOeval.accumulate() over the images `imageIndices` (indices into state.params.imgIds, repeats
 * allowed for bootstrap resampling; default every image once, in order) plus summarize().
 */
export function accumulateEval(
  state: EvalState, imageIndices?: ArrayLike<number>, categoryNames?: Map<number, string>,
  /** Restrict the work to these (area index, maxDets index) pairs; the others stay -1 (bootstrap speed-up). */
  only?: [number, number][],
): BoxEvalResult {
  const p = state.params;
  const idx = imageIndices ? Array.from(imageIndices) : p.imgIds.map((_, i) => i);
  for (const i of idx) if (!(Number.isInteger(i) && i >= 0 && i < p.imgIds.length)) throw new Error(`accumulateEval: image index ${i} out of range [0, ${p.imgIds.length})`);
  const T = p.iouThrs.length, R = p.recThrs.length, K = p.useCats ? p.catIds.length : 1, A = p.areaRng.length, M = p.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const pIdx = (t: number, r: number, k: number, a: number, m: number) => (((t * R + r) * K + k) * A + a) * M + m;
  const rIdx = (t: number, k: number, a: number, m: number) => ((t * K + k) * A + a) * M + m;
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        if (only && !only.some(([oa, om]) => oa === a && om === m)) continue;
        const maxDet = p.maxDets[m];
        const E = idx.map((i) => state.evalImgs[k][a][i]).filter((e): e is EvalImg => e !== null);
        if (E.length === 0) continue;
        const sc: number[] = [], matched: boolean[][] = Array.from({ length: T }, () => []), ig: boolean[][] = Array.from({ length: T }, () => []);
        let npig = 0;
        for (const e of E) {
          const nd = Math.min(maxDet, e.dtScores.length);
          for (let d = 0; d < nd; d++) sc.push(e.dtScores[d]);
          for (let t = 0; t < T; t++) for (let d = 0; d < nd; d++) { matched[t].push(e.dtMatches[t][d] !== 0); ig[t].push(e.dtIgnore[t][d]); }
          for (const g of e.gtIgnore) if (!g) npig++;
        }
        if (npig === 0) continue;
        const inds = argsortDesc(sc);
        const nd = inds.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd), pr = new Array<number>(nd);
          let tp = 0, fp = 0;
          for (let j = 0; j < nd; j++) {
            const d = inds[j];
            if (!ig[t][d]) { if (matched[t][d]) tp++; else fp++; }
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + Number.EPSILON);
          }
          recall[rIdx(t, k, a, m)] = nd ? rc[nd - 1] : 0;
          for (let j = nd - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          let pi = 0;
          for (let r = 0; r < R; r++) {
            // searchsorted(rc, recThrs[r], side='left'): first j with rc[j] >= thr (recThrs ascending).
            while (pi < nd && rc[pi] < p.recThrs[r]) pi++;
            if (pi >= nd) {
              // pycocotools' try/except: this and later recall points keep q = 0, ss = 0.
              for (let r2 = r; r2 < R; r2++) { precision[pIdx(t, r2, k, a, m)] = 0; scores[pIdx(t, r2, k, a, m)] = 0; }
              break;
            }
            precision[pIdx(t, r, k, a, m)] = pr[pi];
            scores[pIdx(t, r, k, a, m)] = sc[inds[pi]];
          }
        }
      }
    }
  }
  const arrays: EvalArrays = { dims: { T, R, K, A, M }, precision, recall, scores };

  // summarize(): means over entries > -1, in numpy's C order (t, r, k).
  const mLast = M - 1;
  const ap = (tSel: number[] | null, a: number, m: number, kSel?: number): number => {
    const v: number[] = [];
    for (const t of tSel ?? [...Array(T).keys()]) for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) {
      if (kSel !== undefined && k !== kSel) continue;
      v.push(precision[pIdx(t, r, k, a, m)]);
    }
    return meanValid(v);
  };
  const ar = (a: number, m: number): number => {
    const v: number[] = [];
    for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) v.push(recall[rIdx(t, k, a, m)]);
    return meanValid(v);
  };
  // np.where(iouThr == p.iouThrs): exact float comparison, -1 if the threshold is not in the list.
  const tAt = (thr: number) => p.iouThrs.map((t, i) => (t === thr ? i : -1)).filter((i) => i >= 0);
  const apAt = (thr: number, kSel?: number) => { const t = tAt(thr); return t.length ? ap(t, 0, mLast, kSel) : -1; };
  const stats = [
    ap(null, 0, mLast), apAt(0.5), apAt(0.75), ap(null, 1, mLast), ap(null, 2, mLast), ap(null, 3, mLast),
    ar(0, 0), ar(0, 1), ar(0, 2), ar(1, mLast), ar(2, mLast), ar(3, mLast),
  ];
  const catIds = p.useCats ? p.catIds : [-1];
  const perCategory = catIds.map((categoryId, k) => ({
    categoryId, name: categoryNames?.get(categoryId), AP: ap(null, 0, mLast, k), AP50: apAt(0.5, k), AP75: apAt(0.75, k),
  }));
  const perIoU = p.iouThrs.map((iouThr, t) => ({ iouThr, AP: ap([t], 0, mLast) }));
  const [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl] = stats;
  return { AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl, stats, perCategory, perIoU, arrays, params: p };
}

/** Full COCO evaluation (evaluate + accumulate + summarize), any iouType. */
export function evaluateCoco(gt: CocoDataset, dets: CocoDetection[], opts: EvalOptions = {}): BoxEvalResult {
  const state = prepareEval(gt, dets, opts);
  return accumulateEval(state, undefined, new Map(gt.categories.map((c) => [c.id, c.name])));
}

/** COCO box AP exactly as pycocotools COCOeval(iouType='bbox'): AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l. */
export function evaluateBoxes(gt: CocoDataset, dets: CocoDetection[], opts: Omit<EvalOptions, 'iouType'> = {}): BoxEvalResult {
  return evaluateCoco(gt, dets, { ...opts, iouType: 'bbox' });
}

/** Value of precision[t, r, k, a, m] (pycocotools index order). */
export function precisionAt(arr: EvalArrays, t: number, r: number, k: number, a: number, m: number): number {
  const { R, K, A, M } = arr.dims;
  return arr.precision[(((t * R + r) * K + k) * A + a) * M + m];
}

/** The pycocotools summarize() printout (12 lines), handy in notebooks and logs. */
export function formatStats(res: BoxEvalResult): string {
  const p = res.params;
  const md = p.maxDets;
  const rows: [string, string, string, number][] = [
    ['Average Precision', '0.50:0.95', 'all', md[2]], ['Average Precision', '0.50', 'all', md[2]], ['Average Precision', '0.75', 'all', md[2]],
    ['Average Precision', '0.50:0.95', 'small', md[2]], ['Average Precision', '0.50:0.95', 'medium', md[2]], ['Average Precision', '0.50:0.95', 'large', md[2]],
    ['Average Recall', '0.50:0.95', 'all', md[0]], ['Average Recall', '0.50:0.95', 'all', md[1]], ['Average Recall', '0.50:0.95', 'all', md[2]],
    ['Average Recall', '0.50:0.95', 'small', md[2]], ['Average Recall', '0.50:0.95', 'medium', md[2]], ['Average Recall', '0.50:0.95', 'large', md[2]],
  ];
  return rows.map(([t, iou, area, m], i) =>
    ` ${t.padEnd(18)} ${t.includes('Precision') ? '(AP)' : '(AR)'} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(m).padStart(3)} ] = ${res.stats[i].toFixed(3)}`).join('\n');
}
