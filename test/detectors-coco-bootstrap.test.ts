// Detector outputs -> COCO results, GT subsets (AP on occluded objects), paired bootstrap over images.
import { strict as assert } from 'assert';
import {
  bootstrapCocoEval, evaluateBoxes, onlyAnnotations, prepareEval, toCocoDetections, IGNORED_AREA,
  type CocoDataset, type CocoDetection,
} from '../lib/papers/detectors/coco';

function gt(): CocoDataset {
  // 4 images, one GT each; GT 3 is "occluded".
  return {
    images: [1, 2, 3, 4].map((id) => ({ id, width: 50, height: 50 })),
    categories: [{ id: 5, name: 'a' }, { id: 9, name: 'b' }],
    annotations: [1, 2, 3, 4].map((id) => ({ id, image_id: id, category_id: 5, bbox: [10, 10, 20, 20], area: 400, iscrowd: 0, occlusion: id === 3 ? 0.5 : 0 })),
  };
}

describe('COCO results and subsets', () => {
  it('toCocoDetections converts x1y1x2y2 + contiguous labels to [x, y, w, h] + category ids', () => {
    const d = toCocoDetections([{ imageId: 2, boxes: [1, 2, 5, 10, 0, 0, 3, 3], scores: [0.9, 0.1], labels: [1, 0] }], [5, 9]);
    assert.deepEqual(d, [
      { image_id: 2, category_id: 9, bbox: [1, 2, 4, 8], score: 0.9 },
      { image_id: 2, category_id: 5, bbox: [0, 0, 3, 3], score: 0.1 },
    ]);
    assert.throws(() => toCocoDetections([{ imageId: 1, boxes: [0, 0, 1, 1], scores: [1], labels: [2] }], [5, 9]), /label 2, outside 0..1/);
    assert.throws(() => toCocoDetections([{ imageId: 1, boxes: [0, 0, 1], scores: [1], labels: [0] }], [5]), /must agree/);
  });

  it('onlyAnnotations: GTs outside the subset are neither misses nor targets (pycocotools area-range ignore)', () => {
    // dets hit GTs 1 and 3; GTs 2 and 4 are missed. All GTs: AP at recall .5 -> 51/101.
    const dets: CocoDetection[] = [1, 3].map((i) => ({ image_id: i, category_id: 5, bbox: [10, 10, 20, 20], score: 0.5 }));
    const all = evaluateBoxes(gt(), dets);
    assert.ok(Math.abs(all.AP - 51 / 101 / (1 + 2.220446049250313e-16)) < 1e-12);
    const occ = onlyAnnotations(gt(), (a) => (a.occlusion ?? 0) > 0.3);
    assert.equal(occ.annotations[0].area, IGNORED_AREA);
    assert.equal(occ.annotations[2].area, 400);
    // only GT 3 counts: found; the det on GT 1 matched an ignored GT and is ignored -> AP 1
    assert.ok(Math.abs(evaluateBoxes(occ, dets).AP - 1) < 1e-12);
  });
});

describe('paired bootstrap over images', () => {
  const perfect: CocoDetection[] = [1, 2, 3, 4].map((i) => ({ image_id: i, category_id: 5, bbox: [10, 10, 20, 20], score: 0.9 }));
  const half: CocoDetection[] = [1, 2, 3, 4].map((i) => ({ image_id: i, category_id: 5, bbox: i % 2 ? [10, 10, 20, 20] : [30, 30, 10, 10], score: 0.9 }));

  it('identical models: every delta is exactly 0 and never "better"', () => {
    const s = prepareEval(gt(), half);
    const b = bootstrapCocoEval([s, prepareEval(gt(), half)], { resamples: 50, seed: 1 });
    assert.deepEqual(b.deltas[1].AP, { estimate: 0, lo: 0, hi: 0 });
    assert.equal(b.pBetter[1].AP, 0);
  });

  it('a perfect model is never worse than a half-right one and better unless a resample draws only the hits of the half model; intervals bracket the estimates; seeded', () => {
    const st = [prepareEval(gt(), half), prepareEval(gt(), perfect)];
    const b = bootstrapCocoEval(st, { resamples: 100, seed: 3, metrics: ['AP', 'AP50', 'APl'] });
    assert.ok(Math.abs(b.models[1].AP.estimate - 1) < 1e-12 && Math.abs(b.models[1].AP.lo - 1) < 1e-12);
    const m0 = b.models[0].AP;
    assert.ok(m0.lo <= m0.estimate && m0.estimate <= m0.hi && m0.lo < m0.hi, JSON.stringify(m0));
    assert.ok(b.deltas[1].AP.lo > 0);
    // ties only when all 4 draws are images 1/3 (half gets them right): (1/2)^4 = 1/16 of resamples
    assert.ok(b.pBetter[1].AP50 > 0.8 && b.pBetter[1].AP50 < 1, String(b.pBetter[1].AP50));
    assert.ok(b.deltas[1].AP50.lo >= 0);
    // no large GT anywhere (area 400 < 96^2): APl is -1 on every resample -> NaN interval
    assert.equal(b.models[0].APl.estimate, -1);
    assert.ok(Number.isNaN(b.models[0].APl.lo));
    assert.deepEqual(bootstrapCocoEval(st, { resamples: 100, seed: 3, metrics: ['AP'] }).models[0].AP, m0);
  });

  it('rejects unpaired states and bad options', () => {
    const a = prepareEval(gt(), half), b = prepareEval(gt(), half, { imgIds: [1, 2] });
    assert.throws(() => bootstrapCocoEval([a, b]), /other images than state 0/);
    assert.throws(() => bootstrapCocoEval([a], { level: 1.5 }), /level must be in \(0, 1\)/);
    assert.throws(() => bootstrapCocoEval([]), /at least one EvalState/);
  });
});
