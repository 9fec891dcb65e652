// Augmentation, whole-set transforms, normalisation and batching into tensors.
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import {
  randomCrop, randomFlip, augmentBatch, padImages, avgPool2x2, repeatChannels, resizeImages,
  normalizePixels, toTensors, batches, forEachBatch, numBatches, subset, concatSets, ImageSet, NORMALIZATION,
  computeNormalization, loadFashionMnist, makeQuadrantComposites,
} from '../lib/data';
import { makeRng } from '../lib/util/random';

function tinySet(n: number, h: number, w: number, c: number, seed = 0): ImageSet {
  const r = makeRng(seed);
  return {
    images: Uint8Array.from({ length: n * h * w * c }, () => r.int(256)),
    shape: [n, h, w, c],
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    classNames: ['a', 'b', 'c'],
    maxValue: 255,
    source: 'tiny',
  };
}
const px = (s: { images: Uint8Array; shape: number[] }, i: number, y: number, x: number, k: number) => {
  const [, h, w, c] = s.shape;
  return s.images[((i * h + y) * w + x) * c + k];
};

describe('data augmentation', () => {
  it('pad + random crop yields shifted copies with zero fill, all shifts reachable', () => {
    const s = tinySet(200, 6, 6, 2, 1);
    const out = randomCrop(s, 2, makeRng(3));
    assert.deepStrictEqual(out.shape, [200, 6, 6, 2]);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      // Find the shift (dy, dx) in [-2, 2]^2 that explains the output exactly.
      let found = '';
      for (let dy = -2; dy <= 2 && !found; dy++) for (let dx = -2; dx <= 2 && !found; dx++) {
        let ok = true;
        for (let y = 0; y < 6 && ok; y++) for (let x = 0; x < 6 && ok; x++) for (let k = 0; k < 2; k++) {
          const sy = y + dy, sx = x + dx;
          const want = sy >= 0 && sy < 6 && sx >= 0 && sx < 6 ? px(s, i, sy, sx, k) : 0;
          if (px(out, i, y, x, k) !== want) { ok = false; break; }
        }
        if (ok) found = `${dy},${dx}`;
      }
      assert.ok(found, `image ${i} is not a padded shift of its input`);
      seen.add(found);
    }
    assert.strictEqual(seen.size, 25, 'every one of the 5x5 offsets occurs');
    assert.deepStrictEqual(randomCrop(s, 0, makeRng(3)).images, s.images, 'pad 0 is the identity');
    assert.deepStrictEqual(randomCrop(s, 2, makeRng(3)).images, out.images, 'seeded');
    const small = randomCrop(s, 0, makeRng(1), [4, 4]);
    assert.deepStrictEqual(small.shape, [200, 4, 4, 2]);
    assert.throws(() => randomCrop(s, 1, makeRng(1), [9, 9]), /crop 9x9 is larger than the padded 8x8 image/);
  });

  it('horizontal flip mirrors exactly, with probability p', () => {
    const s = tinySet(400, 3, 5, 3, 2);
    const all = randomFlip(s, 1, makeRng(0));
    for (const [i, y, x, k] of [[0, 0, 0, 0], [7, 2, 1, 2], [399, 1, 4, 1]]) assert.strictEqual(px(all, i, y, x, k), px(s, i, y, 4 - x, k));
    assert.deepStrictEqual(randomFlip(all, 1, makeRng(0)).images, s.images, 'flip twice = identity');
    const half = randomFlip(s, 0.5, makeRng(9));
    let flipped = 0;
    for (let i = 0; i < 400; i++) {
      const same = s.images.subarray(i * 45, (i + 1) * 45).every((v, j) => v === half.images[i * 45 + j]);
      if (!same) flipped++;
    }
    assert.ok(flipped > 160 && flipped < 240, `flipped ${flipped} of 400`);
    assert.deepStrictEqual(augmentBatch(s, {}, makeRng(0)).images, s.images, 'no options, no change');
  });
});

describe('data transforms', () => {
  it('pad, 2x2 average pool, channel repeat and resize', () => {
    const s = tinySet(2, 4, 4, 1, 3);
    const p = padImages(s, 2);
    assert.deepStrictEqual(p.shape, [2, 8, 8, 1]);
    assert.strictEqual(px(p, 1, 0, 0, 0), 0);
    assert.strictEqual(px(p, 1, 2 + 3, 2 + 1, 0), px(s, 1, 3, 1, 0));
    const a = avgPool2x2(s);
    assert.deepStrictEqual(a.shape, [2, 2, 2, 1]);
    assert.strictEqual(px(a, 1, 1, 0, 0), Math.round((px(s, 1, 2, 0, 0) + px(s, 1, 2, 1, 0) + px(s, 1, 3, 0, 0) + px(s, 1, 3, 1, 0)) / 4));
    const r = repeatChannels(s, 3);
    assert.deepStrictEqual(r.shape, [2, 4, 4, 3]);
    assert.ok([0, 1, 2].every((k) => px(r, 1, 2, 3, k) === px(s, 1, 2, 3, 0)));
    assert.deepStrictEqual(resizeImages(s, [4, 4]).images, s.images, 'same size is the identity');
    const up = resizeImages(s, [8, 8], 'nearest');
    assert.strictEqual(px(up, 0, 5, 3, 0), px(s, 0, 2, 1, 0));
    const flat: ImageSet = { ...s, images: new Uint8Array(32).fill(77) };
    assert.ok(resizeImages(flat, [7, 9]).images.every((v) => v === 77));
    assert.throws(() => avgPool2x2(tinySet(1, 3, 4, 1)), /image size 3x4 is not even/);
    assert.throws(() => repeatChannels(r, 3), /input has 3 channels, expected 1/);
  });

  it('subset and concat copy the right images and labels', () => {
    const s = tinySet(5, 2, 2, 1, 4);
    const sub = subset(s, [4, 0]);
    assert.deepStrictEqual(Array.from(sub.labels), [1, 0]);
    assert.deepStrictEqual(Array.from(sub.images.subarray(0, 4)), Array.from(s.images.subarray(16, 20)));
    const cat = concatSets([s, sub]);
    assert.deepStrictEqual(cat.shape, [7, 2, 2, 1]);
    assert.throws(() => subset(s, [5]), /index 5 at position 0 is outside \[0, 5\)/);
  });
});

describe('data batches', () => {
  it('normalises (x/max - mean)/std per channel', () => {
    const out = normalizePixels(Uint8Array.from([0, 255, 51, 102]), 2, 255, { mean: [0.5, 0.2], std: [0.5, 0.1] });
    const want = [-1, 8, -0.6, 2];
    out.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${v} vs ${want[i]}`));
    assert.throws(() => normalizePixels(new Uint8Array(6), 3, 255, { mean: [0, 0], std: [1, 1] }), /normalisation has 2 channels, images have 3/);
  });

  it('iterates one epoch in seeded shuffled batches covering every index once, without leaking tensors', async () => {
    const s = tinySet(50, 4, 4, 1, 5);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const sizes: number[] = [];
    await forEachBatch(s, { batchSize: 16, seed: 3, normalization: { mean: [0.5], std: [0.25] } }, async (b) => {
      sizes.push(b.x.shape[0]);
      assert.deepStrictEqual(b.x.shape.slice(1), [4, 4, 1]);
      assert.strictEqual(b.x.dtype, 'float32');
      assert.strictEqual(b.y.dtype, 'int32');
      const [xs, ys] = [await b.x.data(), await b.y.data()];
      const i0 = b.indices[0];
      assert.ok(Math.abs(xs[5] - (s.images[i0 * 16 + 5] / 255 - 0.5) / 0.25) < 1e-5);
      assert.deepStrictEqual(Array.from(ys), Array.from(b.indices, (i) => s.labels[i]));
      seen.push(...b.indices);
    });
    assert.deepStrictEqual(sizes, [16, 16, 16, 2]);
    assert.deepStrictEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepStrictEqual(seen.slice(0, 10), Array.from({ length: 10 }, (_, i) => i), 'shuffled');
    assert.strictEqual(tf.memory().numTensors, before, 'forEachBatch disposes');
    const order = (seed: number) => Array.from(batches(s, { batchSize: 50, seed }), (b) => { const idx = Array.from(b.indices); tf.dispose([b.x, b.y]); return idx; })[0];
    assert.deepStrictEqual(order(3), order(3));
    assert.notDeepStrictEqual(order(3), order(4));
    assert.strictEqual(numBatches(50, 16, true), 3);
    assert.strictEqual(Array.from(batches(s, { batchSize: 16, shuffle: false, dropLast: true }), (b) => (tf.dispose([b.x, b.y]), 1)).length, 3);
    assert.strictEqual(tf.memory().numTensors, before);
    assert.throws(() => batches(s, { batchSize: 8 }).next(), /shuffling\/augmentation needs a seed or an rng/);
    assert.throws(() => batches(s, { batchSize: 0, seed: 1 }).next(), /batchSize must be a positive integer, got 0/);
  });

  it('batches a split of Fashion-MNIST with augmentation and noisy labels', () => {
    const train = loadFashionMnist({ split: 'train' });
    const idx = Int32Array.from({ length: 64 }, (_, i) => i * 3);
    const noisy = Int32Array.from(train.labels, (l) => (l + 1) % 10);
    const b = toTensors(train, idx, { normalization: NORMALIZATION.fashionMnist, augment: { pad: 2, flip: 0.5 }, rng: makeRng(1), labels: noisy });
    try {
      assert.deepStrictEqual(b.x.shape, [64, 28, 28, 1]);
      assert.strictEqual(b.y.arraySync()[1], (train.labels[3] + 1) % 10);
      const mean = b.x.mean().arraySync() as number;
      assert.ok(Math.abs(mean) < 0.35, `normalised batch mean ${mean}`);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    const n = computeNormalization(train, idx);
    assert.ok(n.mean[0] > 0.2 && n.mean[0] < 0.4);
    assert.throws(() => toTensors(train, [0], { augment: { flip: 0.5 } }), /augmentation needs an rng/);
  });
});

describe('data composites (FMNIST-Pairs-100 / Triples-1000)', () => {
  it('pastes 2x2-pooled items into quadrants with label 10a + b (+ c)', () => {
    const src: ImageSet = { ...tinySet(30, 4, 4, 1, 8), classNames: Array.from({ length: 10 }, (_, k) => `k${k}`), labels: Int32Array.from({ length: 30 }, (_, i) => i % 10) };
    const pooled = avgPool2x2(src);
    const pairs = makeQuadrantComposites(src, { n: 50, items: 2, rng: makeRng(1) });
    assert.deepStrictEqual(pairs.shape, [50, 4, 4, 1]);
    assert.strictEqual(pairs.classNames.length, 100);
    for (let i = 0; i < 50; i++) {
      const [a, b] = [pairs.parts[2 * i], pairs.parts[2 * i + 1]];
      assert.strictEqual(pairs.labels[i], 10 * src.labels[a] + src.labels[b]);
      assert.strictEqual(pairs.classNames[pairs.labels[i]], `k${src.labels[a]} | k${src.labels[b]}`);
      assert.strictEqual(px(pairs, i, 1, 0, 0), px(pooled, a, 1, 0, 0), 'top-left = item a');
      assert.strictEqual(px(pairs, i, 0, 3, 0), px(pooled, b, 0, 1, 0), 'top-right = item b');
      assert.strictEqual(px(pairs, i, 3, 1, 0) + px(pairs, i, 2, 3, 0), 0, 'bottom half blank');
    }
    const triples = makeQuadrantComposites(src, { n: 20, items: 3, rng: makeRng(2), balanced: true });
    assert.strictEqual(triples.classNames.length, 1000);
    const [a, b, c] = triples.partLabels.subarray(0, 3);
    assert.strictEqual(triples.labels[0], 100 * a + 10 * b + c);
    assert.strictEqual(px(triples, 0, 3, 1, 0), px(pooled, triples.parts[2], 1, 1, 0), 'bottom-left = item c');
    assert.throws(() => makeQuadrantComposites(src, { n: 5, items: 4 as never, rng: makeRng(0) }), /items must be 2 or 3, got 4/);
  });
});
