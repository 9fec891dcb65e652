// Multi-digit generator, source splits, IDX input and oracle decoding (spec §8 checks 14-16).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { makeRng } from '../lib/util/random';
import type { ImageSet } from '../lib/data/types';
import {
  makeMultiDigit, getLevel, LEVELS, splitSources, loadDigitSources, opencvGridSplit, positionLabels, composeLabel,
} from '../lib/papers/dcl';

/** Synthetic 12x12 "digits": digit d is a filled bar of height 4..10 at a class-dependent column. */
function toyDigits(perClass = 6): ImageSet {
  const n = 10 * perClass, images = new Uint8Array(n * 144), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = i % 10;
    labels[i] = d;
    for (let r = 2; r < 10; r++) for (let c = 3; c < 3 + 1 + (d % 6); c++) images[i * 144 + r * 12 + c] = 200 + (i % 50);
  }
  return { images, shape: [n, 12, 12, 1], labels, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], maxValue: 255, source: 'toy' };
}

function idxBuffer(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('multi-digit generator', () => {
  const src = toyDigits();

  it('images [n,28,28,1] in [0,255]; label = Σ digit_d·10^(D-1-d); digits consistent', () => {
    for (const id of ['II-01', 'III-10']) {
      const s = makeMultiDigit(src, id, 50, makeRng(1));
      const D = getLevel(id).slots.length;
      assert.deepEqual(s.shape, [50, 28, 28, 1]);
      assert.equal(s.images.length, 50 * 784);
      assert.equal(s.classNames.length, 10 ** D);
      for (let i = 0; i < 50; i++) {
        let lab = 0;
        for (let d = 0; d < D; d++) lab += s.digits[i * D + d] * 10 ** (D - 1 - d);
        assert.equal(s.labels[i], lab);
        assert.equal(s.classNames[s.labels[i]].length, D);
        for (let d = 0; d < D; d++) assert.equal(src.labels[s.sourceIndices[i * D + d]], s.digits[i * D + d]);
      }
    }
    assert.equal(makeMultiDigit(src, 'II-01', 1, makeRng(1)).classNames[7], '07', 'leading zeros are classes');
  });

  it('is deterministic for a fixed seed, different for another', () => {
    const a = makeMultiDigit(src, 'II-05', 20, makeRng(5)), b = makeMultiDigit(src, 'II-05', 20, makeRng(5)), c = makeMultiDigit(src, 'II-05', 20, makeRng(6));
    assert.deepEqual(a.images, b.images);
    assert.deepEqual(a.labels, b.labels);
    assert.notDeepEqual(a.images, c.images);
  });

  it('class counts are within a few standard deviations of n/10^D', () => {
    const n = 4000, s = makeMultiDigit(src, 'II-01', n, makeRng(7));
    const counts = new Array(100).fill(0);
    s.labels.forEach((l) => counts[l]++);
    const mean = n / 100, sd = Math.sqrt(mean * (1 - 1 / 100));
    for (const c of counts) assert.ok(Math.abs(c - mean) < 5 * sd, `count ${c} vs ${mean}`);
  });

  it('the clean composite touches all four borders after the resize (noise-free levels)', () => {
    for (const id of Object.keys(LEVELS).filter((k) => LEVELS[k].noise.kind === 'none')) {
      const s = makeMultiDigit(src, id, 10, makeRng(8));
      for (let i = 0; i < 10; i++) {
        const img = s.images.subarray(i * 784, (i + 1) * 784);
        const on = (r: number, c: number) => img[r * 28 + c] > 0;
        const rowHas = (r: number) => Array.from({ length: 28 }, (_, c) => on(r, c)).some(Boolean);
        const colHas = (c: number) => Array.from({ length: 28 }, (_, r) => on(r, c)).some(Boolean);
        assert.ok(rowHas(0) && rowHas(27) && colHas(0) && colHas(27), `${id} image ${i}`);
      }
    }
  });

  it('restricts the pool, supports a 5-digit alphabet (MNIST-III-lite: 125 classes)', () => {
    const { train, test } = splitSources(src, 0.34, makeRng(9));
    const tr = makeMultiDigit(src, 'III-01', 200, makeRng(10), { pool: train, alphabet: [0, 1, 2, 3, 4] });
    const te = makeMultiDigit(src, 'III-01', 200, makeRng(11), { pool: test, alphabet: [0, 1, 2, 3, 4] });
    assert.equal(tr.classNames.length, 125);
    assert.ok(Math.max(...tr.labels) < 125);
    const trainSrc = new Set(tr.sourceIndices), testSrc = new Set(te.sourceIndices);
    for (const i of testSrc) assert.ok(!trainSrc.has(i), `source digit ${i} used in both train and test`);
    for (const i of trainSrc) assert.ok(Array.from(train).includes(i));
    assert.deepEqual(Array.from(positionLabels(tr, 0)).slice(0, 5), Array.from({ length: 5 }, (_, i) => tr.digits[i * 3]));
  });

  it('pad-to-square keeps the aspect ratio (the long side touches the borders)', () => {
    const s = makeMultiDigit(src, 'III-01', 3, makeRng(12), { fit: 'pad-to-square' });
    const img = s.images.subarray(0, 784);
    const colsOn = Array.from({ length: 28 }, (_, c) => Array.from({ length: 28 }, (_, r) => img[r * 28 + c]).some((v) => v > 25));
    const rowsOn = Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => img[r * 28 + c]).some((v) => v > 25));
    assert.ok(colsOn[0] && colsOn[27], 'wide number spans the width');
    assert.ok(!rowsOn[0] && !rowsOn[27], 'and is letterboxed vertically');
  });

  it('bad input names the problem', () => {
    assert.throws(() => makeMultiDigit(src, 'II-99', 1, makeRng(1)), /unknown level 'II-99'/);
    assert.throws(() => makeMultiDigit(src, 'II-01', -1, makeRng(1)), /n must be a non-negative integer/);
    assert.throws(() => makeMultiDigit(src, 'II-01', 1, makeRng(1), { pool: [0, 1] }), /no source image of digit 2 in the pool/);
    assert.throws(() => makeMultiDigit(src, 'II-01', 1, makeRng(1), { pool: [100000] }), /pool index 100000 out of range/);
    const rgb: ImageSet = { ...src, shape: [20, 6, 4, 3], labels: src.labels.slice(0, 20) };
    assert.throws(() => makeMultiDigit(rgb, 'II-01', 1, makeRng(1)), /1 channel/);
  });
});

describe('digit sources', () => {
  it('OpenCV digits: grid split 4000/1000, disjoint, 400/100 per class', () => {
    const s = loadDigitSources({ kind: 'opencv' });
    assert.deepEqual(s.set.shape, [5000, 20, 20, 1]);
    assert.equal(s.train.length, 4000);
    assert.equal(s.test.length, 1000);
    const tr = new Set(s.train);
    for (const i of s.test) assert.ok(!tr.has(i));
    const per = new Array(10).fill(0);
    s.test.forEach((i) => per[s.set.labels[i]]++);
    assert.deepEqual(per, new Array(10).fill(100));
    assert.throws(() => opencvGridSplit({ ...s.set, shape: [10, 20, 20, 1] }), /expected the 5000 OpenCV digits/);
  });

  it('real-format MNIST IDX (raw and .gz) works the same: train digits -> train pool, test -> test pool', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcl-idx-'));
    const toy = toyDigits(3);
    const n = toy.shape[0];
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxBuffer(2051, [n, 12, 12], toy.images));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBuffer(2049, [n], Uint8Array.from(toy.labels)));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(idxBuffer(2051, [n, 12, 12], toy.images)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBuffer(2049, [n], Uint8Array.from(toy.labels))));
    const s = loadDigitSources({
      kind: 'mnist-idx', trainImages: path.join(dir, 'train-images-idx3-ubyte'), trainLabels: path.join(dir, 'train-labels-idx1-ubyte'),
      testImages: path.join(dir, 't10k-images-idx3-ubyte.gz'), testLabels: path.join(dir, 't10k-labels-idx1-ubyte.gz'),
    });
    assert.deepEqual(s.set.shape, [2 * n, 12, 12, 1]);
    assert.deepEqual(Array.from(s.set.images.subarray(0, 144)), Array.from(toy.images.subarray(0, 144)));
    assert.equal(s.train.length, n); assert.equal(s.test[0], n);
    const te = makeMultiDigit(s.set, 'II-02', 30, makeRng(3), { pool: s.test });
    assert.ok(Array.from(te.sourceIndices).every((i) => i >= n));
    assert.throws(() => loadDigitSources({ kind: 'mnist-idx', trainImages: path.join(dir, 'nope'), trainLabels: '', testImages: '', testLabels: '' }), /nope/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('oracle decoding', () => {
  it('concatenating per-position argmaxes gives the number', () => {
    assert.equal(composeLabel([6, 8]), 68);
    assert.equal(composeLabel([0, 0, 7]), 7);
    assert.equal(composeLabel([4, 0, 3], 5), 4 * 25 + 3);
  });
});
