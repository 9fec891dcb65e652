// Few-shot gaps: the "Ours-WRN" backbone (WRN-28-10 at 80x80, 3 downsamplings) and the exact t-SNE
// of the Figure 2-2 analogue (spec Embedding2D).
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { wrn28x10Mini, tsne2d, tsneKL, pca2d } from '../lib/papers/fewshot';
import { wideResNet } from '../lib/nn/backbones';
import { countParams } from '../lib/nn/tree';
import { makeRng } from '../lib/util/random';

describe('fewshot: WRN-28-10 for MiniImageNet (80x80, three stride-2 stages)', () => {
  it('has the hand-computed parameter count, n = 640 and a 10x10 final map', () => {
    // Pre-activation basic block in -> out: BN(in) 2in + conv3x3 9·in·out + BN(out) 2out + conv3x3 9·out²
    // (+ 1x1 projection in·out when in != out or stride != 1); convs have no bias.
    //  stem conv3x3 3 -> 80:                                         2,160
    //  stage 1 (80 -> 160, 4 blocks): 358,880 + 3 x 461,440     = 1,743,200
    //  stage 2 (160 -> 320):        1,434,560 + 3 x 1,844,480   = 6,968,000
    //  stage 3 (320 -> 640):        5,736,320 + 3 x 7,375,360   = 27,862,400
    //  final BN 2·640 = 1,280;  FC 640·80 + 80 = 51,280
    //  total 36,628,320. With the plain 16-channel WRN stem: stem 432, stage-1 block 0 256,352
    //  -> 36,524,064 (and at 10 classes 36,479,194 = the published CIFAR WRN-28-10 count).
    const m = wrn28x10Mini(makeRng(0));
    assert.strictEqual(countParams(m), 36_628_320);
    assert.strictEqual(countParams(wrn28x10Mini(makeRng(0), { stemWidth: 16 })), 36_524_064);
    assert.strictEqual(countParams(wrn28x10Mini(makeRng(0), { stemWidth: 16, numClasses: 10 })), 36_479_194);
    assert.strictEqual(m.featureDim, 640);
    assert.deepStrictEqual(m.inputShape, [80, 80, 3]);
    assert.deepStrictEqual(m.features.map((f) => f.reduction), [1, 2, 4, 8]);
    assert.strictEqual(80 / m.features[m.features.length - 1].reduction, 10);
  });

  it('per-stage strides: default unchanged, [2,2,2] downsamples three times, bad strides rejected', () => {
    const rng = makeRng(1);
    const plain = wideResNet(rng, 10, 1), same = wideResNet(rng, 10, 1, { strides: [1, 2, 2] });
    assert.strictEqual(countParams(plain), countParams(same));
    assert.deepStrictEqual(plain.features.map((f) => f.reduction), [1, 1, 2, 4]);
    const three = wideResNet(rng, 10, 1, { strides: [2, 2, 2], inputSize: 16 });
    assert.deepStrictEqual(three.features.map((f) => f.reduction), [1, 2, 4, 8]);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 16, 16, 3]);
      const f = three.applyFeatures(x, { training: false });
      assert.deepStrictEqual(f.map((t) => t.shape.slice(1, 3)), [[16, 16], [8, 8], [4, 4], [2, 2]]);
      assert.deepStrictEqual(three.apply(x, { training: false }).shape, [2, 10]);
    });
    assert.throws(() => wideResNet(rng, 10, 1, { strides: [2, 2] }), /strides must give one positive integer per stage \(3\)/);
    assert.throws(() => wideResNet(rng, 10, 1, { strides: [2, 0, 2] }), /strides/);
  });
});

describe('fewshot: exact t-SNE (Embedding2D)', () => {
  // 5 clusters x 8 points in 30-D: centres far apart (norm ~ 10), within-cluster noise 0.3.
  const C = 5, per = 8, n = 30;
  const rng = makeRng(7);
  const centres = Array.from({ length: C }, () => Array.from({ length: n }, () => 2 * rng.normal()));
  const X = new Float32Array(C * per * n);
  const label = Int32Array.from({ length: C * per }, (_, i) => Math.floor(i / per));
  for (let i = 0; i < C * per; i++) for (let k = 0; k < n; k++) X[i * n + k] = centres[label[i]][k] + 0.3 * rng.normal();
  const d2 = (Y: Float32Array, i: number, j: number) => Math.hypot(Y[2 * i] - Y[2 * j], Y[2 * i + 1] - Y[2 * j + 1]);

  it('separates well-separated clusters: every nearest neighbour in 2-D is in its own cluster', () => {
    const Y = tsne2d(X, n, { seed: 3, iterations: 500, perplexity: 5 });
    assert.strictEqual(Y.length, C * per * 2);
    assert.ok(Y.every(Number.isFinite));
    let intra = 0, ni = 0, inter = 0, ne = 0;
    for (let i = 0; i < C * per; i++) {
      let best = -1, bd = Infinity;
      for (let j = 0; j < C * per; j++) {
        if (j === i) continue;
        const d = d2(Y, i, j);
        if (d < bd) { bd = d; best = j; }
        if (label[i] === label[j]) { intra += d; ni++; } else { inter += d; ne++; }
      }
      assert.strictEqual(label[best], label[i], `point ${i}: nearest neighbour from another cluster`);
    }
    assert.ok(intra / ni < 0.35 * (inter / ne), `mean intra ${intra / ni} vs inter ${inter / ne}`);
    // The optimisation lowers the objective well below a random layout's.
    const rr = makeRng(9);
    const random = Float32Array.from({ length: C * per * 2 }, () => rr.normal());
    assert.ok(tsneKL(X, n, Y, 5) < 0.5 * tsneKL(X, n, random, 5));
  });

  it('is seeded (same seed, same map; another seed, another map) and rejects bad input', () => {
    const a = tsne2d(X, n, { seed: 1, iterations: 60 }), b = tsne2d(X, n, { seed: 1, iterations: 60 });
    const c = tsne2d(X, n, { seed: 2, iterations: 60 });
    assert.deepStrictEqual(Array.from(a), Array.from(b));
    assert.ok(a.some((v, i) => v !== c[i]));
    assert.throws(() => tsne2d(X.subarray(0, 31), n), /whole number of rows/);
    assert.throws(() => tsne2d(X, n, { perplexity: 100 }), /perplexity must be in/);
    assert.strictEqual(pca2d(X, n).length, tsne2d(X, n, { iterations: 1 }).length, 'same [C, 2] layout as the PCA embedding');
  });
});
