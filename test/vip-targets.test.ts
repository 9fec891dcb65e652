// ViP-DeepLab (thesis ch. 7): spec §8 checks 15-18 and 20 (targets, losses, depth head range).
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import {
  roundHalfEven, instanceCenters, panopticTargets, depthLossValue, depthLoss, depthFromLogits,
  bootstrappedCrossEntropy, weightedMse, weightedL1, flipMapH,
} from '../lib/papers/vip-deeplab';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const base = { sigma: 2, smallArea: 4, smallWeight: 3, labelDivisor: 1000, thingIds: [1], ignoreId: 255 };

describe('vip-deeplab targets (spec §8.15-17)', () => {
  it('rounds half to even like tf.round', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, -1.5].map(roundHalfEven), [0, 2, 2, 4, 2, 3, -2]);
  });

  it('center = rounded center of mass, heatmap Gaussian with max-composite (8.15)', () => {
    // 5x8 map; instance 1001 covers cols 0-1 of row 2 -> mean x 0.5 -> 0
    const H = 5, W = 8, pan = new Int32Array(H * W);
    pan[2 * W + 0] = 1001; pan[2 * W + 1] = 1001;
    const c = instanceCenters(pan, H, W, base).get(1001)!;
    assert.deepEqual([c.cy, c.cx, c.area], [2, 0, 2]);
    const t = panopticTargets(pan, null, H, W, base);
    close(t.center[2 * W + 0], 1);
    close(t.center[2 * W + 1], Math.exp(-1 / 8)); // 0.882497
    close(t.center[2 * W + 1], 0.882497, 1e-6);
    // a second instance with center 2 px to the right: max, not sum
    pan[2 * W + 4] = 1002; // single pixel, center (2, 4)
    const t2 = panopticTargets(pan, null, H, W, base);
    close(t2.center[2 * W + 2], Math.max(Math.exp(-4 / 8), Math.exp(-4 / 8)));
    close(t2.center[2 * W + 3], Math.exp(-1 / 8)); // nearer to 1002's center
  });

  it('offsets = center - p on thing pixels; zero weight on stuff, void and crowd (8.16)', () => {
    const H = 3, W = 4;
    const pan = Int32Array.from([
      0, 0, 255000, 1000, // stuff, stuff, void, crowd (thing class, instance 0)
      1001, 1001, 1001, 0,
      1001, 1001, 1001, 0,
    ]);
    const t = panopticTargets(pan, null, H, W, base);
    // 1001: ys {1,1,1,2,2,2} mean 1.5 -> 2; xs mean 1 -> center (2, 1)
    assert.deepEqual(Array.from(t.offset.subarray(2 * 4, 2 * 4 + 2)), [1, 1]); // pixel (1,0)
    assert.deepEqual(Array.from(t.offset.subarray(2 * 10, 2 * 10 + 2)), [0, -1]); // pixel (2,2) -> (2-2, 1-2)
    assert.deepEqual(Array.from(t.offsetWeight), [0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    assert.deepEqual(Array.from(t.centerWeight), [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(t.semanticWeight.subarray(0, 4)), [1, 1, 0, 1]);
  });

  it('next-offsets point from frame t+1 pixels to frame-t centers; new instances weight 0 (8.16)', () => {
    const H = 1, W = 6;
    const panT = Int32Array.from([1001, 1001, 1001, 0, 0, 0]); // center (0, 1)
    const panN = Int32Array.from([0, 0, 1001, 1001, 1001, 1002]); // 1002 is new in t+1
    const t = panopticTargets(panT, panN, H, W, base);
    assert.deepEqual(Array.from(t.nextOffsetWeight), [0, 0, 1, 1, 1, 0]);
    assert.deepEqual(Array.from(t.nextOffset).filter((_, i) => i % 2 === 1), [0, 0, -1, -2, -3, 0]);
  });

  it('small instances get semantic weight 3 iff area < threshold (8.17)', () => {
    const pan = Int32Array.from([1001, 1001, 1001, 1002, 1002, 1002, 1002, 0]);
    const t = panopticTargets(pan, null, 1, 8, base);
    assert.deepEqual(Array.from(t.semanticWeight), [3, 3, 3, 1, 1, 1, 1, 1]);
  });

  it('flipMapH mirrors rows', () => {
    assert.deepEqual(Array.from(flipMapH(Int32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)), [3, 2, 1, 6, 5, 4]);
    assert.deepEqual(Array.from(flipMapH(Float32Array.from([1, 2, 3, 4]), 1, 2, 2)), [3, 4, 1, 2]);
  });

  it('rejects bad options and sizes', () => {
    assert.throws(() => panopticTargets(new Int32Array(4), null, 2, 2, { ...base, sigma: 0 }), /sigma/);
    assert.throws(() => panopticTargets(new Int32Array(4), new Int32Array(3), 2, 2, base), /next-frame map/);
    assert.throws(() => instanceCenters(new Int32Array(5), 2, 2, base), /expected 2x2/);
  });
});

describe('vip-deeplab losses (spec §8.18, 8.20)', () => {
  it('depth loss of eq. 7.4 on the spec fixtures, plain and tensor (8.18)', () => {
    const cases: [number[], number[], number][] = [
      [[1, 2, 4], [2, 4, 8], 1.0],
      [[1, 1], [1, Math.E], 1.465009],
      [[10, 20, 30, 40], [12, 18, 30, 50], 0.185610],
    ];
    for (const [d, p, want] of cases) {
      close(depthLossValue(d, p), want, 1e-6);
      const v = tf.tidy(() => depthLoss(tf.tensor4d(p, [1, 1, p.length, 1]), tf.tensor4d(d, [1, 1, d.length, 1])).dataSync()[0]);
      close(v, want, 1e-4);
    }
    // pixels with d = 0 are excluded; an image without valid pixels is skipped
    close(depthLossValue([1, 0, 2, 4], [2, 99, 4, 8]), 1.0, 1e-9);
    const v = tf.tidy(() => depthLoss(tf.tensor4d([2, 99, 4, 8, 5, 5, 5, 5], [2, 1, 4, 1]), tf.tensor4d([1, 0, 2, 4, 0, 0, 0, 0], [2, 1, 4, 1])).dataSync()[0]);
    close(v, 1.0, 1e-4);
    assert.ok(Number.isNaN(depthLossValue([0, 0], [1, 1])));
  });

  it('depth head range: (0, MaxDepth), zero logits give MaxDepth/2 (8.20)', () => {
    const d = tf.tidy(() => depthFromLogits(tf.tensor1d([-30, -5, 0, 5, 30]), 88).dataSync());
    assert.equal(d[2], 44);
    for (const v of d) assert.ok(v >= 0 && v <= 88);
    assert.ok(d[1] > 0 && d[3] < 88);
    assert.throws(() => depthFromLogits(tf.scalar(0), 0), /maxDepth/);
  });

  it('bootstrapped CE averages the hardest 20% of valid pixels', () => {
    // 1 image, 10 pixels, 2 classes; pixel i has logit margin making its CE increasing in i
    const logits: number[] = [], labels: number[] = [], w: number[] = [];
    for (let i = 0; i < 10; i++) { logits.push(i * 0.3, 0); labels.push(1); w.push(1); }
    const ce = (i: number) => Math.log(1 + Math.exp(i * 0.3));
    const v = tf.tidy(() => bootstrappedCrossEntropy(tf.tensor4d(logits, [1, 1, 10, 2]), tf.tensor3d(labels, [1, 1, 10], 'int32'), tf.tensor3d(w, [1, 1, 10]), 0.2).dataSync()[0]);
    close(v, (ce(9) + ce(8)) / 2, 1e-5);
    // with weight 0 on the two hardest pixels, the next two are chosen (top-k over valid pixels)
    w[8] = 0; w[9] = 0;
    const v2 = tf.tidy(() => bootstrappedCrossEntropy(tf.tensor4d(logits, [1, 1, 10, 2]), tf.tensor3d(labels, [1, 1, 10], 'int32'), tf.tensor3d(w, [1, 1, 10]), 0.2).dataSync()[0]);
    close(v2, (ce(7) + ce(6)) / 2, 1e-5);
    assert.throws(() => bootstrappedCrossEntropy(tf.zeros([1, 1, 2, 2]) as tf.Tensor4D, tf.zeros([1, 2, 1], 'int32') as tf.Tensor3D, tf.zeros([1, 2, 1]) as tf.Tensor3D), /labels must be/);
  });

  it('weighted MSE / L1 divide by the number of weighted pixels', () => {
    const mse = tf.tidy(() => weightedMse(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), tf.zeros([1, 2, 2, 1]), tf.tensor3d([1, 0, 1, 0], [1, 2, 2])).dataSync()[0]);
    close(mse, (1 + 9) / 2);
    const l1 = tf.tidy(() => weightedL1(tf.tensor4d([1, -1, 2, 2], [1, 1, 2, 2]), tf.zeros([1, 1, 2, 2]) as tf.Tensor4D, tf.tensor3d([1, 0], [1, 1, 2])).dataSync()[0]);
    close(l1, 2);
  });
});
