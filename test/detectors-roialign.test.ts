// RoIAlign as a separable matrix product (thesis ch. 6 spec §2.5 item 8, §8 items 20-21): equals a
// naive per-sample bilinear loop (mmcv semantics), returns c on a constant map, and its gradient
// w.r.t. the features equals the cpu-backend gradient of the naive formula written with tf ops.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { roiAlignMatmul, roiAlignNaive, roiLevels, sortRoisForAlign } from '../lib/nn/roi-align';

function randomRois(n: number, batch: number, size: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(n * 5);
  for (let r = 0; r < n; r++) {
    const w = 2 + rng.next() * (size * 0.8), h = 2 + rng.next() * (size * 0.8);
    // some boxes poke outside the map (border rules)
    const x = -4 + rng.next() * (size - w + 8), y = -4 + rng.next() * (size - h + 8);
    out.set([rng.int(batch), x, y, x + w, y + h], 5 * r);
  }
  return out;
}

describe('detectors: RoIAlign (separable matMul form)', () => {
  it('equals the naive bilinear loop on random features, one level, aligned and not, P in {2,5,7}, g in {1,2,3} (spec §8.20)', () => {
    const shape: [number, number, number, number] = [2, 9, 11, 3];
    const feat = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const fv = feat.dataSync() as Float32Array;
    let seed = 2;
    for (const aligned of [true, false]) for (const P of [2, 5, 7]) for (const g of [1, 2, 3]) {
      const rois = randomRois(12, 2, 4 * 10, seed++);
      const got = roiAlignMatmul([feat], rois, { outSize: P, samplingRatio: g, strides: [4], aligned });
      const ref = roiAlignNaive(fv, shape, rois, 4, P, g, aligned);
      const gv = got.dataSync();
      assert.deepEqual(got.shape, [12, P, P, 3]);
      let m = 0;
      for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(gv[i] - ref[i]));
      assert.ok(m < 1e-5, `aligned=${aligned} P=${P} g=${g}: max |diff| ${m}`);
      got.dispose();
    }
    feat.dispose();
  });

  it('maps RoIs to pyramid levels by size (finest_scale) and keeps the input order with several levels and images', () => {
    const rois = [0, 0, 0, 8, 8, /* side 8 -> level 0 */ 1, 0, 0, 40, 40, /* 40 -> 2 */ 0, 0, 0, 20, 20 /* 20 -> 1 */];
    assert.deepEqual(Array.from(roiLevels(rois, 3, 8)), [0, 2, 1]);
    assert.deepEqual(Array.from(roiLevels(rois, 2, 8)), [0, 1, 1], 'clamped to L-1');
    assert.deepEqual(sortRoisForAlign(rois, 3, 2, 8), [0, 2, 1]);
    const shapes: [number, number, number, number][] = [[2, 16, 16, 2], [2, 8, 8, 2], [2, 4, 4, 2]];
    const feats = shapes.map((s, l) => tf.randomNormal(s, 0, 1, 'float32', 10 + l) as tf.Tensor4D);
    const many = randomRois(20, 2, 64, 5);
    const got = roiAlignMatmul(feats, many, { outSize: 3, samplingRatio: 2, strides: [4, 8, 16], finestScale: 8 });
    const lv = roiLevels(many, 3, 8);
    const gv = got.dataSync();
    for (let r = 0; r < 20; r++) {
      const one = roiAlignNaive(feats[lv[r]].dataSync() as Float32Array, shapes[lv[r]], many.slice(5 * r, 5 * r + 5), [4, 8, 16][lv[r]], 3, 2);
      for (let i = 0; i < one.length; i++) assert.ok(Math.abs(gv[r * one.length + i] - one[i]) < 1e-5, `roi ${r}`);
    }
    tf.dispose([got, ...feats]);
  });

  it('returns c on a constant map for RoIs inside the map (spec §8.21)', () => {
    const feat = tf.fill([1, 16, 16, 4], 2.5) as tf.Tensor4D;
    const got = roiAlignMatmul([feat], [0, 4, 4, 40, 30, 0, 10.3, 2.7, 50.1, 60.9], { outSize: 5, samplingRatio: 2, strides: [4] });
    for (const v of got.dataSync()) assert.ok(Math.abs(v - 2.5) < 1e-6);
    tf.dispose([feat, got]);
  });

  it('gradient w.r.t. the features equals the gradient of the naive formula built from tf ops', () => {
    const shape: [number, number, number, number] = [2, 6, 7, 2];
    const feat = tf.randomNormal(shape, 0, 1, 'float32', 3) as tf.Tensor4D;
    // RoIs already in (level, image) order, so no gather is involved (the training path)
    const rois = [0, 1, 2, 20, 18, 0, -3, 5, 12, 30, 1, 4, 4, 27, 23];
    const P = 3, g = 2;
    const w = tf.randomNormal([3, P, P, 2], 0, 1, 'float32', 4);
    const gMat = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(roiAlignMatmul([f as tf.Tensor4D], rois, { outSize: P, samplingRatio: g, strides: [4] }), w)))(feat);
    // Reference: out = sum over samples of bilinear weights * f, with the weights as a dense
    // [R*P*P, N*H*W] matrix taken from roiAlignNaive on one-hot feature maps (linearity).
    const [N, H, W] = shape;
    const M = new Float32Array(3 * P * P * N * H * W);
    const onehot = new Float32Array(N * H * W);
    for (let k = 0; k < N * H * W; k++) {
      onehot.fill(0); onehot[k] = 1;
      const o = roiAlignNaive(onehot, [N, H, W, 1], rois, 4, P, g);
      for (let q = 0; q < o.length; q++) M[q * N * H * W + k] = o[q];
    }
    const gRef = tf.tidy(() => {
      const wr = tf.reshape(w, [3 * P * P, 2]);
      return tf.reshape(tf.matMul(tf.tensor2d(M, [3 * P * P, N * H * W]), wr, true, false), shape);
    });
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(gMat, gRef))).dataSync()[0]);
    assert.ok(d < 1e-5, `max |grad diff| ${d}`);
    assert.ok(tf.tidy(() => tf.max(tf.abs(gRef)).dataSync()[0]) > 0.1);
    tf.dispose([feat, w, gMat, gRef]);
  });

  it('bad inputs name the problem', () => {
    const feat = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    assert.throws(() => roiAlignMatmul([feat], [0, 0, 0, 1], { outSize: 2, strides: [4] }), /flat array of \(batch, x1, y1, x2, y2\)/);
    assert.throws(() => roiAlignMatmul([feat], [1, 0, 0, 4, 4], { outSize: 2, strides: [4] }), /batch index 1, batch size is 1/);
    assert.throws(() => roiAlignMatmul([feat], [0, 0, 0, 4, 4], { outSize: 2, strides: [4, 8] }), /1 feature maps but 2 strides/);
    assert.throws(() => roiAlignMatmul([feat], [0, 0, 0, 4, 4], { outSize: 2, strides: [4], samplingRatio: 0 }), /samplingRatio must be > 0/);
    feat.dispose();
  });
});
