// The datasets shipped in data/: sizes, first labels read independently from the raw files,
// class balance, and data/SHA256SUMS.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { dataDir, dataFile, loadFashionMnist, loadOpencvDigits, loadSklearnDigits, classCounts, computeNormalization, FASHION_MNIST_CLASSES } from '../lib/data';

describe('shipped data: data/ directory', () => {
  it('is found by walking up from the compiled lib, and CV_DATA_DIR overrides it', () => {
    const d = dataDir();
    assert.ok(fs.existsSync(path.join(d, 'SHA256SUMS')));
    const old = process.env.CV_DATA_DIR;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-datadir-'));
    try {
      process.env.CV_DATA_DIR = tmp;
      assert.strictEqual(dataDir(), tmp);
      assert.throws(() => dataFile('fashion-mnist', 'x.gz'), (e: Error) => e.message.includes(path.join(tmp, 'fashion-mnist', 'x.gz')) && /is missing; run `npm run data`/.test(e.message));
      process.env.CV_DATA_DIR = path.join(tmp, 'nope');
      assert.throws(() => dataDir(), /CV_DATA_DIR=.*nope is not a directory/);
    } finally {
      if (old === undefined) delete process.env.CV_DATA_DIR; else process.env.CV_DATA_DIR = old;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('matches data/SHA256SUMS byte for byte', () => {
    const d = dataDir();
    const lines = fs.readFileSync(path.join(d, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.strictEqual(lines.length, 7);
    for (const line of lines) {
      const [hash, name] = line.split(/\s+/);
      const actual = crypto.createHash('sha256').update(fs.readFileSync(path.join(d, name))).digest('hex');
      assert.strictEqual(actual, hash, name);
    }
  });
});

describe('shipped data: loaders', () => {
  it('Fashion-MNIST has 60000 / 10000 images of 28x28 with the IDX files\' labels', () => {
    const train = loadFashionMnist({ split: 'train' });
    const test = loadFashionMnist({ split: 'test' });
    assert.deepStrictEqual(train.shape, [60000, 28, 28, 1]);
    assert.deepStrictEqual(test.shape, [10000, 28, 28, 1]);
    assert.deepStrictEqual(train.classNames, FASHION_MNIST_CLASSES);
    assert.strictEqual(train.classNames[9], 'Ankle boot');
    // Independent read of the label bytes after the 8-byte header.
    const raw = zlib.gunzipSync(fs.readFileSync(path.join(dataDir(), 'fashion-mnist', 'train-labels-idx1-ubyte.gz')));
    assert.deepStrictEqual(Array.from(train.labels.subarray(0, 10)), Array.from(raw.subarray(8, 18)));
    assert.deepStrictEqual(Array.from(train.labels.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    assert.deepStrictEqual(Array.from(test.labels.subarray(0, 10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    assert.deepStrictEqual(Array.from(classCounts(train.labels, 10)), Array(10).fill(6000));
    assert.deepStrictEqual(Array.from(classCounts(test.labels, 10)), Array(10).fill(1000));
    let s = 0;
    for (let i = 0; i < 784; i++) s += train.images[i];
    assert.strictEqual(s, 76247); // pixel sum of the first training image (numpy on the same file)
    const norm = computeNormalization(train);
    assert.ok(Math.abs(norm.mean[0] - 0.2860) < 1e-4 && Math.abs(norm.std[0] - 0.3530) < 1e-4, JSON.stringify(norm));
    assert.throws(() => loadFashionMnist({ split: 'val' as never }), /unknown split "val"; use 'train' or 'test'/);
  });

  it('OpenCV digits: 5000 20x20 images, 500 per class in grid order', () => {
    const d = loadOpencvDigits();
    assert.deepStrictEqual(d.shape, [5000, 20, 20, 1]);
    assert.deepStrictEqual(Array.from(classCounts(d.labels, 10)), Array(10).fill(500));
    for (const i of [0, 499, 500, 2345, 4999]) assert.strictEqual(d.labels[i], Math.floor(i / 500));
    const sum = (i: number) => d.images.subarray(i * 400, (i + 1) * 400).reduce((a, b) => a + b, 0);
    assert.deepStrictEqual([sum(0), sum(500), sum(4999)], [16057, 8795, 17323]);
    // Every cell holds a digit (some ink).
    for (let i = 0; i < 5000; i += 97) assert.ok(sum(i) > 1000, `cell ${i} is empty`);
  });

  it('sklearn digits: 1797 8x8 images with values 0..16, optional x255/16 rescale', () => {
    const d = loadSklearnDigits();
    assert.deepStrictEqual(d.shape, [1797, 8, 8, 1]);
    assert.strictEqual(d.maxValue, 16);
    assert.deepStrictEqual(Array.from(classCounts(d.labels, 10)), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert.deepStrictEqual(Array.from(d.labels.subarray(0, 3)), [0, 1, 2]);
    assert.deepStrictEqual(Array.from(d.images.subarray(0, 8)), [0, 0, 5, 13, 9, 1, 0, 0]);
    assert.strictEqual(d.images.reduce((a, b) => a + b, 0), 561718);
    const r = loadSklearnDigits({ rescale255: true });
    assert.strictEqual(r.maxValue, 255);
    assert.deepStrictEqual(Array.from(r.images.subarray(0, 8)), [0, 0, 80, 207, 143, 16, 0, 0]);
  });
});
