// Box geometry of the mini detector (thesis ch. 6 spec §8 items 15-19): IoU, DeltaXYWH round trip
// and known value, anchors, NMS / batched NMS / Soft-NMS hand cases, MaxIoU assignment and sampling.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { batchedNms, decodeBoxes, encodeBoxes, iou, iouMatrix, makeAnchors, nms, softNms } from '../lib/papers/detectors/boxes';
import { assignMaxIou, sampleAssignment } from '../lib/papers/detectors/assign';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('detectors: boxes, anchors, NMS', () => {
  it('IoU on hand-made boxes (spec §8.15)', () => {
    close(iou([0, 0, 10, 10], [5, 5, 15, 15]), 25 / 175);
    close(iou([0, 0, 10, 10], [0, 0, 10, 5]), 0.5);
    assert.equal(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
    assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
    assert.equal(iou([3, 3, 3, 3], [3, 3, 3, 3]), 0, 'empty union gives 0');
    const m = iouMatrix([0, 0, 10, 10, 5, 5, 15, 15], [0, 0, 10, 10, 0, 0, 10, 5, 20, 20, 30, 30]);
    assert.deepEqual(Array.from(m, (v) => +v.toFixed(6)), [1, 0.5, 0, +(25 / 175).toFixed(6), 0, 0]);
  });

  it('box coder: known value and decode(encode(g)) = g (spec §8.16)', () => {
    const raw = encodeBoxes([0, 0, 10, 10], [5, 0, 15, 10]);
    assert.deepEqual(Array.from(raw), [0.5, 0, 0, 0]);
    const std = encodeBoxes([0, 0, 10, 10], [5, 0, 15, 10], { stds: [0.1, 0.1, 0.2, 0.2] });
    assert.deepEqual(Array.from(std, (v) => +v.toFixed(6)), [5, 0, 0, 0]);
    const rng = makeRng(3);
    const a: number[] = [], g: number[] = [];
    for (let i = 0; i < 50; i++) {
      const ax = rng.next() * 50, ay = rng.next() * 50, gx = rng.next() * 50, gy = rng.next() * 50;
      a.push(ax, ay, ax + 1 + rng.next() * 30, ay + 1 + rng.next() * 30);
      g.push(gx, gy, gx + 1 + rng.next() * 30, gy + 1 + rng.next() * 30);
    }
    for (const stds of [undefined, [0.1, 0.1, 0.2, 0.2] as [number, number, number, number]]) {
      const back = decodeBoxes(a, encodeBoxes(a, g, { stds }), { stds });
      g.forEach((v, i) => close(back[i], v, 1e-3));
    }
    // clamp of dw/dh at log(1000/16) and clipping to the image
    const big = decodeBoxes([0, 0, 10, 10], [0, 0, 100, 100]);
    close(big[2] - big[0], 10 * 1000 / 16, 1e-2);
    const clipped = decodeBoxes([0, 0, 10, 10], [0, 0, 100, 100], { clipTo: [20, 30] });
    assert.deepEqual(Array.from(clipped), [0, 0, 30, 20]);
    assert.throws(() => encodeBoxes([0, 0, 1, 1], [0, 0, 1, 1, 2, 2, 3, 3]), /1 reference boxes but 2 targets/);
    assert.throws(() => decodeBoxes([0, 0, 1], [0, 0, 1]), /flat array of \[x1,y1,x2,y2\]/);
  });

  it('anchors: stride 16, size 32, ratio 2 at cell (0,0) has centre (8,8), w 22.627, h 45.255 (spec §8.17); order (level, i, j, a)', () => {
    const a = makeAnchors({ strides: [16], sizesPerLevel: [[32]], ratios: [2] }, [[2, 3]]);
    assert.equal(a.length, 2 * 3 * 4);
    close((a[0] + a[2]) / 2, 8); close((a[1] + a[3]) / 2, 8);
    close(a[2] - a[0], 32 / Math.SQRT2, 1e-3); close(a[3] - a[1], 32 * Math.SQRT2, 1e-3);
    // cell (0, 1) is next, then (0, 2), then row 1
    close((a[4] + a[6]) / 2, 24); close((a[12] + a[14]) / 2, 8); close((a[13] + a[15]) / 2, 24);
    const two = makeAnchors({ strides: [4, 8], sizesPerLevel: [[8, 12], [16]] }, [[2, 2], [1, 1]]);
    assert.equal(two.length / 4, 2 * 2 * 6 + 3);
    // size-major, ratio-minor: anchor 1 of cell 0 is size 8 ratio 1 (square 8x8)
    close(two[6] - two[4], 8, 1e-5); close(two[7] - two[5], 8, 1e-5);
    assert.throws(() => makeAnchors({ strides: [4], sizesPerLevel: [[8]] }, [[2, 2], [1, 1]]), /2 level shapes but 1 strides/);
  });

  it('NMS hand case (spec §8.18): thr 0.5 keeps A, C; thr 0.7 keeps A, B, C; ties keep the lower index; matches tf.image.nonMaxSuppression', () => {
    const boxes = [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30];
    const scores = [0.9, 0.8, 0.7];
    close(iou(boxes, boxes, 0, 4), 81 / 119);
    assert.deepEqual(nms(boxes, scores, 0.5), [0, 2]);
    assert.deepEqual(nms(boxes, scores, 0.7), [0, 1, 2]);
    assert.deepEqual(nms(boxes, [0.5, 0.5, 0.5], 0.5), [0, 2]);
    assert.deepEqual(nms([1, 1, 11, 11, 0, 0, 10, 10], [0.5, 0.5], 0.5), [0]);
    assert.deepEqual(nms(boxes, scores, 0.7, 2), [0, 1]);
    // cross-check with tfjs on random boxes (y1, x1, y2, x2 order)
    const rng = makeRng(11);
    const b: number[] = [], s: number[] = [];
    for (let i = 0; i < 60; i++) { const x = rng.next() * 40, y = rng.next() * 40; b.push(x, y, x + 5 + rng.next() * 20, y + 5 + rng.next() * 20); s.push(rng.next()); }
    const yx = tf.tensor2d(b.map((_, i) => b[4 * Math.floor(i / 4) + [1, 0, 3, 2][i % 4]]), [60, 4]);
    const st = tf.tensor1d(s);
    const ref = tf.image.nonMaxSuppression(yx, st, 60, 0.5);
    assert.deepEqual(nms(b, s, 0.5), Array.from(ref.dataSync()));
    tf.dispose([yx, st, ref]);
    assert.throws(() => nms(boxes, [0.9], 0.5), /3 boxes but 1 scores/);
  });

  it('batched NMS never suppresses across classes (spec §8.19)', () => {
    const boxes = [0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 11, 11];
    assert.deepEqual(batchedNms(boxes, [0.9, 0.8, 0.7], [0, 1, 0], 0.5), [0, 1]);
    assert.deepEqual(batchedNms(boxes, [0.9, 0.8, 0.7], [0, 1, 2], 0.5), [0, 1, 2]);
    assert.deepEqual(batchedNms(boxes, [0.9, 0.8, 0.7], [0, 0, 0], 0.5), [0]);
    assert.deepEqual(batchedNms(boxes, [0.9, 0.8, 0.7], [0, 1, 2], 0.5, 2), [0, 1]);
  });

  it('Soft-NMS: linear decays overlapping scores by (1 - IoU) when IoU >= Nt, gaussian by exp(-IoU^2 / sigma)', () => {
    const boxes = [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 5];
    const scores = [0.9, 0.8, 0.7, 0.6];
    const v = 81 / 119;
    const lin = softNms(boxes, scores, { method: 'linear', iouThr: 0.3 });
    // A (0.9) decays B to 0.8 (1 - 81/119) = 0.2555 and D (IoU 0.5) to 0.3; C (0.7) is untouched;
    // then D (0.3) decays B again: IoU(B, D) = 36/114 >= 0.3
    assert.equal(lin.indices[0], 0); close(lin.scores[0], 0.9);
    assert.equal(lin.indices[1], 2); close(lin.scores[1], 0.7);
    const bScore = lin.scores[lin.indices.indexOf(1)];
    close(bScore, 0.8 * (1 - v) * (1 - 36 / 114), 1e-6);
    assert.deepEqual(lin.indices, [0, 2, 3, 1]);
    const dScore = lin.scores[lin.indices.indexOf(3)];
    close(dScore, 0.6 * 0.5, 1e-6);
    for (let i = 1; i < lin.scores.length; i++) assert.ok(lin.scores[i] <= lin.scores[i - 1]);
    const gau = softNms(boxes, scores, { method: 'gaussian', sigma: 0.5 });
    // gaussian decays at every pick: B by A, then by D (picked before B)
    assert.deepEqual(gau.indices, [0, 2, 3, 1]);
    close(gau.scores[3], 0.8 * Math.exp(-(v * v) / 0.5) * Math.exp(-((36 / 114) ** 2) / 0.5), 1e-6);
    // min score drops boxes
    const dropped = softNms(boxes, scores, { method: 'linear', iouThr: 0.3, minScore: 0.4 });
    assert.deepEqual(dropped.indices, [0, 2]);
  });
});

describe('detectors: MaxIoU assignment and sampling', () => {
  it('positive >= pos, negative < neg, ignored between; low-quality matches rescue a GT', () => {
    const gts = [0, 0, 10, 10];
    const boxes = [0, 0, 10, 10, /* 0.5 */ 0, 0, 10, 5, /* 0.142857 */ 5, 5, 15, 15, /* 0 */ 30, 30, 40, 40];
    const a = assignMaxIou(boxes, gts, { posThr: 0.7, negThr: 0.3, minPosIou: 0.3 });
    assert.deepEqual(Array.from(a.gtIndex), [1, -1, 0, 0]);
    close(a.maxIou[1], 0.5);
    // no box reaches 0.7 for the second GT: its best box (IoU 0.5) becomes positive (low quality)
    const b = assignMaxIou([0, 0, 10, 5, 30, 30, 40, 40], [0, 0, 10, 10], { posThr: 0.7, negThr: 0.3, minPosIou: 0.3 });
    assert.deepEqual(Array.from(b.gtIndex), [1, 0]);
    const c = assignMaxIou([0, 0, 10, 5, 30, 30, 40, 40], [0, 0, 10, 10], { posThr: 0.7, negThr: 0.3, minPosIou: 0.6 });
    assert.deepEqual(Array.from(c.gtIndex), [-1, 0], 'below min_pos_iou no rescue');
    const d = assignMaxIou([0, 0, 10, 5, 30, 30, 40, 40], [0, 0, 10, 10], { posThr: 0.7, negThr: 0.3, lowQuality: false });
    assert.deepEqual(Array.from(d.gtIndex), [-1, 0]);
    // several GTs: each box takes its max-IoU GT
    const e = assignMaxIou([0, 0, 10, 10, 20, 20, 30, 30], [20, 20, 30, 30, 0, 0, 10, 10], { posThr: 0.5, negThr: 0.5 });
    assert.deepEqual(Array.from(e.gtIndex), [2, 1]);
    // no GT: everything negative
    assert.deepEqual(Array.from(assignMaxIou(boxes, [], { posThr: 0.7, negThr: 0.3 }).gtIndex), [0, 0, 0, 0]);
  });

  it('sampler: at most num * posFraction positives, negatives fill up to num, seeded and disjoint', () => {
    const gtIndex = new Int32Array(200);
    for (let i = 0; i < 200; i++) gtIndex[i] = i < 40 ? 1 : i < 60 ? -1 : 0;
    const a = { gtIndex, maxIou: new Float32Array(200) };
    const s = sampleAssignment(a, 64, 0.25, makeRng(1));
    assert.equal(s.pos.length, 16);
    assert.equal(s.neg.length, 48);
    for (const i of s.pos) assert.equal(gtIndex[i], 1);
    for (const i of s.neg) assert.equal(gtIndex[i], 0);
    assert.deepEqual(sampleAssignment(a, 64, 0.25, makeRng(1)), s);
    assert.notDeepEqual(sampleAssignment(a, 64, 0.25, makeRng(2)).neg, s.neg);
    // few positives: all taken, negatives fill the rest
    const few = new Int32Array(100); few[3] = 1; few[7] = 2;
    const t = sampleAssignment({ gtIndex: few, maxIou: new Float32Array(100) }, 32, 0.5, makeRng(0));
    assert.deepEqual(t.pos, [3, 7]);
    assert.equal(t.neg.length, 30);
  });
});
