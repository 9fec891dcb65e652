// COCO box AP as pycocotools COCOeval computes it (thesis ch. 6 spec §2.7, §8 checks 22-28).
// Cases A-F carry the spec's values (verified there with pycocotools 2.0.11); the other cases are
// hand-computed below, step by step, from COCOeval's algorithm.
import { strict as assert } from 'assert';
import {
  accumulateEval, bboxIou, defaultIouThrs, defaultRecThrs, evaluateBoxes, evaluateCoco, numpySum, precisionAt, prepareEval,
  encodeMask, formatStats,
  type CocoDataset, type CocoDetection,
} from '../lib/papers/detectors/coco';

const EPS = 2.220446049250313e-16; // np.spacing(1), in pycocotools' precision denominator
const close = (a: number, b: number, tol = 1e-9, msg?: string) => assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} got ${a}, expected ${b}`);

function gtOf(boxes: { img?: number; cat?: number; bbox: [number, number, number, number]; area?: number; crowd?: 0 | 1 }[], opts: { imgs?: number[]; size?: number; cats?: number[] } = {}): CocoDataset {
  const size = opts.size ?? 100;
  return {
    images: (opts.imgs ?? [1]).map((id) => ({ id, width: size, height: size })),
    categories: (opts.cats ?? [1]).map((id) => ({ id, name: `c${id}` })),
    annotations: boxes.map((b, i) => ({
      id: i + 1, image_id: b.img ?? 1, category_id: b.cat ?? 1, bbox: b.bbox, area: b.area ?? b.bbox[2] * b.bbox[3], iscrowd: b.crowd ?? 0,
    })),
  };
}
const det = (bbox: [number, number, number, number], score: number, img = 1, cat = 1): CocoDetection => ({ image_id: img, category_id: cat, bbox, score });

describe('COCO eval: spec §8 cases A-F (pycocotools 2.0.11 values)', () => {
  it('A: a perfect detection gives AP = AP50 = AP75 = APs = 1, APm = APl = -1', () => {
    const r = evaluateBoxes(gtOf([{ bbox: [10, 10, 20, 20] }]), [det([10, 10, 20, 20], 0.9)]);
    close(r.AP, 1, 1e-12); close(r.AP50, 1, 1e-12); close(r.AP75, 1, 1e-12); close(r.APs, 1, 1e-12);
    assert.equal(r.APm, -1); assert.equal(r.APl, -1);
    assert.equal(r.AR1, 1); assert.equal(r.AR100, 1);
    // precision is tp / (tp + fp + eps), exactly as numpy
    assert.equal(precisionAt(r.arrays, 0, 0, 0, 0, 2), 1 / (1 + EPS));
  });

  it('B: a false positive ranked above the true positive: AP = 0.5 at every recall point, AR1 = 0, AR10 = 1', () => {
    const r = evaluateBoxes(gtOf([{ bbox: [10, 10, 20, 20] }]), [det([60, 60, 20, 20], 0.9), det([10, 10, 20, 20], 0.8)]);
    close(r.AP, 0.5, 1e-12);
    for (let i = 0; i < 101; i++) close(precisionAt(r.arrays, 0, i, 0, 0, 2), 0.5, 1e-12);
    assert.equal(r.AR1, 0); assert.equal(r.AR10, 1); assert.equal(r.AR100, 1);
  });

  it('C: one of two GTs missed: AP = 51/101 (recall points 0..0.50 at precision 1, the rest 0)', () => {
    const r = evaluateBoxes(gtOf([{ bbox: [10, 10, 20, 20] }, { bbox: [60, 60, 20, 20] }]), [det([10, 10, 20, 20], 0.9), det([30, 60, 10, 10], 0.8)]);
    close(r.AP, 0.504950, 1e-6);
    close(r.AP, 51 / 101, 1e-12);
    for (let i = 0; i <= 50; i++) close(precisionAt(r.arrays, 0, i, 0, 0, 2), 1, 1e-12);
    for (let i = 51; i < 101; i++) assert.equal(precisionAt(r.arrays, 0, i, 0, 0, 2), 0);
    close(r.AR100, 0.5, 1e-12);
  });

  it('D: IoU 0.77 matches at thresholds 0.50..0.75 only: AP = 0.6, AP50 = AP75 = 1 (per-IoU curve 1,..,1,0,..,0)', () => {
    const r = evaluateBoxes(gtOf([{ bbox: [0, 0, 10, 10] }]), [det([0, 0, 10, 7.7], 0.9)]);
    close(r.AP, 0.6, 1e-12); close(r.AP50, 1, 1e-12); close(r.AP75, 1, 1e-12);
    assert.deepEqual(r.perIoU.map((x) => Math.round(x.AP)), [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('E: two images, two categories: AP 0.755858, AP50 = AP75 = 0.917492, APs 1, APm 0.7, APl 0.7, AR1 0.675, AR10 = AR100 = 0.85', () => {
    const gt = gtOf([
      { img: 1, cat: 1, bbox: [0, 0, 20, 20] }, { img: 1, cat: 2, bbox: [50, 50, 50, 50] },
      { img: 2, cat: 1, bbox: [0, 0, 120, 120] }, { img: 2, cat: 2, bbox: [150, 150, 30, 30] },
    ], { imgs: [1, 2], size: 200, cats: [1, 2] });
    const dets = [det([0, 0, 20, 20], 0.95, 1, 1), det([55, 50, 50, 50], 0.6, 1, 2), det([0, 0, 120, 100], 0.7, 2, 1), det([100, 100, 30, 30], 0.8, 2, 1), det([150, 150, 30, 30], 0.3, 2, 2)];
    const r = evaluateBoxes(gt, dets);
    const want = [0.755858, 0.917492, 0.917492, 1.0, 0.7, 0.7, 0.675, 0.85, 0.85];
    want.forEach((w, i) => close(r.stats[i], w, 1e-6, `stats[${i}]`));
    // Hand derivation of the AP. cat1: dets by score TP(.95), FP(.8), TP(.7, IoU 12000/14400 = .833 so t <= .8);
    // t <= .8: rc .5,.5,1, pr 1,.5,2/3 -> envelope 1,2/3,2/3 -> 51 points at 1, 50 at 2/3; t >= .85: 51 points at 1.
    const c1 = (7 * (51 + 50 * (2 / 3)) / 101 + 3 * 51 / 101) / 10;
    // cat2: img1 det IoU 2250/2750 = .818 (TP for t <= .8), img2 det exact. t <= .8: AP 1; t >= .85: FP then TP -> 51 points at .5.
    const c2 = (7 + 3 * 25.5 / 101) / 10;
    close(r.AP, (c1 + c2) / 2, 1e-9);
    close(r.perCategory[0].AP, c1, 1e-9); close(r.perCategory[1].AP, c2, 1e-9);
    assert.equal(r.perCategory[1].name, 'c2');
  });

  it('F: the GT area field (not the box) decides the area range', () => {
    const r = evaluateBoxes(gtOf([{ bbox: [0, 0, 40, 40], area: 900 }]), [det([0, 0, 40, 40], 0.9)]);
    close(r.APs, 1, 1e-12); assert.equal(r.APm, -1); assert.equal(r.APl, -1);
  });
});

describe('COCO eval: threshold arithmetic (spec §8 check 28)', () => {
  it('IoU thresholds equal numpy linspace(.5, .95, 10) bit for bit (values printed by numpy 2.4)', () => {
    assert.deepEqual(defaultIouThrs(), [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
  });
  it('recall thresholds equal numpy linspace(0, 1, 101), including its non-round entries', () => {
    const r = defaultRecThrs();
    assert.equal(r.length, 101);
    assert.equal(r[35], 0.35000000000000003); assert.equal(r[41], 0.41000000000000003); assert.equal(r[47], 0.47000000000000003);
    assert.equal(r[57], 0.5700000000000001); assert.equal(r[69], 0.6900000000000001); assert.equal(r[70], 0.7000000000000001);
    assert.equal(r[82], 0.8200000000000001); assert.equal(r[83], 0.8300000000000001); assert.equal(r[94], 0.9400000000000001);
    assert.equal(r[95], 0.9500000000000001); assert.equal(r[29], 0.29); assert.equal(r[100], 1);
  });
  it('means use numpy pairwise summation (np.sum of this 1010-vector printed 834801.6396597938; naive gives ...929)', () => {
    const a = Array.from({ length: 1010 }, (_, i) => ((i * 7919) % 1013) / 97.0 * 10 ** ((i % 7) - 3));
    assert.equal(numpySum(a), 834801.6396597938);
    const b = Array.from({ length: 300 }, (_, i) => (i % 3) * 0.1 + 0.7);
    assert.equal(numpySum(b), 240); // naive left-to-right: 240.0000000000004
  });
  it('a det at IoU exactly on a threshold matches (>=), IoU just below does not', () => {
    // [0,0,10,10] vs [0,0,10,5]: IoU exactly 0.5 -> matched at t = .5 only: AP50 = 1, AP = 0.1.
    const r = evaluateBoxes(gtOf([{ bbox: [0, 0, 10, 10] }]), [det([0, 0, 10, 5], 0.9)]);
    assert.equal(bboxIou([[0, 0, 10, 5]], [[0, 0, 10, 10]])[0][0], 0.5);
    close(r.AP50, 1, 1e-12); close(r.AP, 0.1, 1e-12);
  });
});

describe('COCO eval: crowd, ignore, area ranges, maxDets, ties', () => {
  it('crowd IoU is inter / area(det); dets covered by a crowd GT are ignored, even repeatedly', () => {
    assert.equal(bboxIou([[55, 55, 10, 10]], [[50, 50, 40, 40]], [1])[0][0], 1);
    assert.equal(bboxIou([[55, 55, 10, 10]], [[50, 50, 40, 40]], [0])[0][0], 100 / 1600);
    const gt = gtOf([{ bbox: [10, 10, 20, 20] }, { bbox: [50, 50, 40, 40], crowd: 1 }]);
    // Two dets inside the crowd region ranked first: both ignored, so AP = 1 (else they would be FPs -> AP 1/3).
    const r = evaluateBoxes(gt, [det([55, 55, 10, 10], 0.95), det([60, 60, 10, 10], 0.9), det([10, 10, 20, 20], 0.8)]);
    close(r.AP, 1, 1e-12);
    assert.equal(r.AR1, 0); // with maxDets 1 only the crowd-covered det is kept
    assert.equal(r.AR10, 1);
    // without the crowd flag those two dets are false positives: precision 1/3 at recall 1
    const r2 = evaluateBoxes(gtOf([{ bbox: [10, 10, 20, 20] }, { bbox: [50, 50, 40, 40], crowd: 0 }]), [det([55, 55, 10, 10], 0.95), det([60, 60, 10, 10], 0.9), det([10, 10, 20, 20], 0.8)]);
    // 2 GTs now; only the first is found: recall .5 at precision 1/3 -> 51 points at 1/3
    close(r2.AP, (51 / 101) / (3 + EPS), 1e-12);
  });

  it('a crowd-only category has no non-ignored GT: -1, excluded from the mean', () => {
    const gt = gtOf([{ cat: 1, bbox: [10, 10, 20, 20] }, { cat: 2, bbox: [50, 50, 40, 40], crowd: 1 }], { cats: [1, 2] });
    const r = evaluateBoxes(gt, [det([10, 10, 20, 20], 0.9, 1, 1), det([50, 50, 40, 40], 0.9, 1, 2)]);
    assert.equal(r.perCategory[1].AP, -1);
    close(r.AP, 1, 1e-12);
  });

  it('GTs outside an area range are ignored, as are unmatched dets outside it; empty categories give -1', () => {
    // image 200x200: g1 small (area 100), g2 large (area 10000); d3 a small FP ranked first; d4 of a category without GT.
    const gt = gtOf([{ bbox: [0, 0, 10, 10] }, { bbox: [20, 20, 100, 100] }], { size: 200, cats: [1, 2] });
    const dets = [det([150, 150, 5, 5], 0.95), det([20, 20, 100, 100], 0.9), det([0, 0, 10, 10], 0.8), det([50, 50, 10, 10], 0.99, 1, 2)];
    const r = evaluateBoxes(gt, dets);
    // all: FP, TP, TP: rc 0,.5,1; pr 0,.5,2/3 -> envelope 2/3 everywhere
    close(r.AP, 2 / (3 + EPS), 1e-12);
    // small: g2 ignored, d2 (matched to g2) ignored -> FP(d3), TP(d2... ignored), TP(d4): precision 1/2
    close(r.APs, 1 / (2 + EPS), 1e-12);
    assert.equal(r.APm, -1);
    // large: g1 ignored, d3 is unmatched with area 25 outside [96^2, 1e10] -> ignored; d2 TP; d4 matched to ignored g1
    close(r.APl, 1, 1e-12);
    assert.equal(r.perCategory[1].AP, -1);
    assert.equal(r.perCategory[1].AP50, -1);
  });

  it('a det prefers a non-ignored GT over an equally good ignored one (GTs sorted non-ignored first)', () => {
    // crowd GT listed first in the file, normal GT second; the det overlaps both perfectly.
    const gt = gtOf([{ bbox: [0, 0, 40, 40], crowd: 1 }, { bbox: [10, 10, 20, 20] }]);
    const st = prepareEval(gt, [det([10, 10, 20, 20], 0.9)]);
    const e = st.evalImgs[0][0][0]!;
    assert.deepEqual(e.gtIds, [2, 1]);
    assert.equal(e.dtMatches[0][0], 2);
    assert.equal(e.dtIgnore[0][0], false);
  });

  it('only the top maxDets[-1] dets per image are evaluated', () => {
    const gt = gtOf([{ bbox: [10, 10, 20, 20] }]);
    const dets = [det([60, 60, 5, 5], 0.9), det([70, 60, 5, 5], 0.8), det([80, 60, 5, 5], 0.7), det([10, 10, 20, 20], 0.6)];
    const r3 = evaluateBoxes(gt, dets, { maxDets: [1, 2, 3] });
    assert.equal(r3.AP, 0); assert.equal(r3.AR100, 0);
    const r4 = evaluateBoxes(gt, dets, { maxDets: [1, 2, 4] });
    close(r4.AP, 1 / (4 + EPS), 1e-12); assert.equal(r4.AR100, 1); assert.equal(r4.AR10, 0);
  });

  it('equal scores keep file order within an image (stable mergesort)', () => {
    const gt = gtOf([{ bbox: [10, 10, 20, 20] }]);
    close(evaluateBoxes(gt, [det([60, 60, 20, 20], 0.9), det([10, 10, 20, 20], 0.9)]).AP, 0.5, 1e-12);
    close(evaluateBoxes(gt, [det([10, 10, 20, 20], 0.9), det([60, 60, 20, 20], 0.9)]).AP, 1, 1e-12);
  });

  it('equal scores across images keep image-id order when accumulating', () => {
    const gt = gtOf([{ img: 2, bbox: [10, 10, 20, 20] }], { imgs: [1, 2] });
    // FP in image 1 comes before the TP in image 2 -> AP 0.5
    close(evaluateBoxes(gt, [det([10, 10, 20, 20], 0.9, 2), det([60, 60, 20, 20], 0.9, 1)]).AP, 0.5, 1e-12);
    const gt2 = gtOf([{ img: 1, bbox: [10, 10, 20, 20] }], { imgs: [1, 2] });
    close(evaluateBoxes(gt2, [det([60, 60, 20, 20], 0.9, 2), det([10, 10, 20, 20], 0.9, 1)]).AP, 1, 1e-12);
  });

  it('useCats = false pools categories', () => {
    const gt = gtOf([{ cat: 1, bbox: [10, 10, 20, 20] }], { cats: [1, 2] });
    // the det has the wrong category: with categories AP = 0, pooled AP = 1
    assert.equal(evaluateBoxes(gt, [det([10, 10, 20, 20], 0.9, 1, 2)]).AP, 0);
    close(evaluateBoxes(gt, [det([10, 10, 20, 20], 0.9, 1, 2)], { useCats: false }).AP, 1, 1e-12);
  });
});

describe('COCO eval: per-image state, resampling, segm, errors', () => {
  const gtE = gtOf([
    { img: 1, cat: 1, bbox: [0, 0, 20, 20] }, { img: 1, cat: 2, bbox: [50, 50, 50, 50] },
    { img: 2, cat: 1, bbox: [0, 0, 120, 120] }, { img: 2, cat: 2, bbox: [150, 150, 30, 30] },
  ], { imgs: [1, 2], size: 200, cats: [1, 2] });
  const detsE = [det([0, 0, 20, 20], 0.95, 1, 1), det([55, 50, 50, 50], 0.6, 1, 2), det([0, 0, 120, 100], 0.7, 2, 1), det([100, 100, 30, 30], 0.8, 2, 1), det([150, 150, 30, 30], 0.3, 2, 2)];

  it('accumulateEval over a subset equals evaluating with imgIds', () => {
    const st = prepareEval(gtE, detsE);
    assert.deepEqual(accumulateEval(st, [1]).stats, evaluateBoxes(gtE, detsE, { imgIds: [2] }).stats);
    assert.deepEqual(accumulateEval(st).stats, evaluateBoxes(gtE, detsE).stats);
  });

  it('accumulateEval with repeated images (bootstrap) counts each copy: hand-computed AP for images [1, 1, 2]', () => {
    const r = accumulateEval(prepareEval(gtE, detsE), [0, 0, 1]);
    // cat1, t <= .8: TP(.95) TP(.95) FP(.8) TP(.7), npig 3: rc 1/3,2/3,2/3,1, envelope 1,1,.75,.75 -> 67 points at 1, 34 at .75.
    //       t >= .85: TP TP FP FP: 67 points at 1, rest 0.
    const c1 = (7 * (67 + 34 * 0.75) + 3 * 67) / 101 / 10;
    // cat2, t <= .8: all TP -> 1; t >= .85: FP(.6) FP(.6) TP(.3): rc 0,0,1/3, precision 1/3 at 34 points.
    const c2 = (7 + 3 * (34 / 3) / 101) / 10;
    close(r.AP, (c1 + c2) / 2, 1e-9);
    assert.throws(() => accumulateEval(prepareEval(gtE, detsE), [2]), /image index 2 out of range/);
  });

  it('segm evaluation on RLE masks: IoU from the masks, det area from the mask', () => {
    const H = 20, W = 20;
    const box = (x0: number, y0: number, w: number, h: number) => {
      const m = new Uint8Array(H * W);
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) m[y * W + x] = 1;
      return encodeMask(m, H, W);
    };
    const gt: CocoDataset = {
      images: [{ id: 1, width: W, height: H }], categories: [{ id: 1, name: 'a' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, segmentation: box(0, 0, 10, 10) }],
    };
    // mask IoU = 80/100 = 0.8 exactly -> matched at thresholds .5...8 (7 of 10): AP .7; the result has no bbox (a pure
    // mask result), so its area and box come from the mask.
    const r = evaluateCoco(gt, [{ image_id: 1, category_id: 1, score: 0.9, segmentation: box(0, 0, 10, 8) } as unknown as CocoDetection], { iouType: 'segm' });
    close(r.AP, 0.7, 1e-12);
    assert.ok(formatStats(r).includes('Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.700'));
  });

  it('bad inputs and options give errors that name the problem', () => {
    assert.throws(() => evaluateBoxes(gtE, [det([0, 0, 1, 1], 0.5, 9)]), /unknown image_id 9/);
    assert.throws(() => evaluateBoxes(gtE, [det([0, 0, 1, 1], 0.5, 1, 7)]), /unknown category_id 7/);
    assert.throws(() => evaluateBoxes(gtE, detsE, { maxDets: [1, 10] }), /maxDets must be 3/);
    assert.throws(() => evaluateBoxes(gtE, detsE, { imgIds: [5] }), /imgIds contains 5/);
    assert.throws(() => evaluateBoxes(gtE, detsE, { bogus: 1 } as never), /unknown option 'bogus'/);
    assert.throws(() => evaluateCoco(gtE, detsE, { iouType: 'segm' }), /has no segmentation/);
  });
});
