// JPEG decoding (lib/data/readers/jpeg.ts) and the Tiny ImageNet folder reader on real JPEG files
// written with jpeg-js's encoder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { decodeJpeg, readJpeg, listJpegs, readJpegImages } from '../lib/data/readers/jpeg';
import { readTinyImageNet } from '../lib/papers/lookup-vnets/tiny-imagenet';

/** RGBA pixels of a w x h image, colour (r,g,b) plus a horizontal ramp of `ramp` levels on red. */
function rgba(w: number, h: number, [r, g, b]: number[], ramp = 0): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = (y * w + x) * 4;
    d[p] = Math.min(255, r + Math.round((ramp * x) / Math.max(1, w - 1))); d[p + 1] = g; d[p + 2] = b; d[p + 3] = 255;
  }
  return d;
}
const encode = (w: number, h: number, px: Uint8Array) => new Uint8Array(jpeg.encode({ width: w, height: h, data: px }, 95).data);
const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]); return s / a.length; };
const rgbOf = (px: Uint8Array) => Uint8Array.from({ length: (px.length / 4) * 3 }, (_, i) => px[Math.floor(i / 3) * 4 + (i % 3)]);

describe('data: JPEG decoding', () => {
  it('decodes jpeg-js-encoded bytes to RGB of the right size and approximately the right values', () => {
    const px = rgba(16, 8, [40, 120, 200], 160);
    const d = decodeJpeg(encode(16, 8, px), 'ramp.jpg');
    assert.deepStrictEqual([d.width, d.height, d.channels, d.data.length], [16, 8, 3, 16 * 8 * 3]);
    const err = meanAbsDiff(d.data, rgbOf(px));
    assert.ok(err < 4, `quality-95 JPEG should be within a few levels, mean |diff| = ${err}`);
    assert.ok(d.data[(0 * 16 + 15) * 3] > d.data[0] + 100, 'the red ramp survives (right end much redder)');
    const g = decodeJpeg(encode(16, 8, rgba(16, 8, [90, 90, 90])), 'gray.jpg', { channels: 1 });
    assert.strictEqual(g.channels, 1);
    assert.ok(g.data.every((v) => Math.abs(v - 90) <= 3), 'gray image reads back near 90');
  });

  it('names the file and the problem for corrupt, truncated or missing JPEGs', () => {
    assert.throws(() => decodeJpeg(new Uint8Array([1, 2, 3, 4, 5]), 'junk.jpg'), /junk\.jpg is not a readable JPEG \(SOI not found\)/);
    const good = encode(8, 8, rgba(8, 8, [10, 20, 30]));
    assert.throws(() => decodeJpeg(good.subarray(0, 40), 'cut.jpg'), /cut\.jpg is not a readable JPEG/);
    assert.throws(() => readJpeg('/nonexistent/x.jpg'), /x\.jpg/);
  });
});

describe('data: Tiny ImageNet folder of real JPEGs (tiny-imagenet-200 layout)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-imagenet-200-'));
  const S = 8;
  const colours: Record<string, number[]> = { n01443537: [220, 40, 40], n01629819: [40, 200, 60], n01641577: [30, 60, 210] };
  const wnids = Object.keys(colours);
  before(() => {
    fs.writeFileSync(path.join(root, 'wnids.txt'), wnids.join('\n') + '\n');
    wnids.forEach((w) => {
      const dir = path.join(root, 'train', w, 'images');
      fs.mkdirSync(dir, { recursive: true });
      // 3 images per class, differently ramped, plus a non-image file the reader must skip.
      for (let k = 0; k < 3; k++) fs.writeFileSync(path.join(dir, `${w}_${k}.JPEG`), encode(S, S, rgba(S, S, colours[w], 10 * k)));
      fs.writeFileSync(path.join(root, 'train', w, `${w}_boxes.txt`), 'ignored\n');
    });
    const vdir = path.join(root, 'val', 'images');
    fs.mkdirSync(vdir, { recursive: true });
    const val = [['val_0.JPEG', wnids[2]], ['val_1.JPEG', wnids[0]], ['val_2.JPEG', wnids[1]], ['val_3.JPEG', wnids[2]]];
    val.forEach(([f, w]) => fs.writeFileSync(path.join(vdir, f), encode(S, S, rgba(S, S, colours[w]))));
    fs.writeFileSync(path.join(root, 'val', 'val_annotations.txt'), val.map(([f, w]) => `${f}\t${w}\t0\t0\t7\t7`).join('\n') + '\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads train: labels in wnids.txt order, [N,S,S,3] raw pixels close to the encoded colours', () => {
    const tr = readTinyImageNet(root, { split: 'train', size: S });
    assert.deepStrictEqual(tr.shape, [9, S, S, 3]);
    assert.deepStrictEqual(Array.from(tr.labels), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.deepStrictEqual(tr.classNames, wnids);
    assert.strictEqual(tr.maxValue, 255);
    const per = S * S * 3;
    for (let i = 0; i < 9; i++) {
      const want = rgbOf(rgba(S, S, colours[wnids[tr.labels[i]]], 10 * (i % 3)));
      const err = meanAbsDiff(tr.images.subarray(i * per, (i + 1) * per), want);
      assert.ok(err < 4, `image ${i}: mean |diff| ${err}`);
    }
    const lim = readTinyImageNet(root, { split: 'train', size: S, limit: 2, classes: 2 });
    assert.deepStrictEqual(Array.from(lim.labels), [0, 0, 1, 1]);
    assert.deepStrictEqual(lim.classNames, wnids.slice(0, 2));
  });

  it('reads val through val_annotations.txt; generic helpers list and decode the folder', () => {
    const va = readTinyImageNet(root, { split: 'val', size: S });
    assert.deepStrictEqual(Array.from(va.labels), [2, 0, 1, 2]);
    const per = S * S * 3;
    // val_0 is the blue class: blue channel high, red low.
    assert.ok(va.images[2] > 180 && va.images[0] < 70, `val_0 pixel ${va.images.subarray(0, 3)}`);
    assert.ok(va.images[per] > 180, 'val_1 is red');
    const files = listJpegs(path.join(root, 'train', wnids[1], 'images'));
    assert.strictEqual(files.length, 3);
    const g = readJpegImages(files, { size: S, channels: 1 });
    assert.deepStrictEqual(g.shape, [3, S, S, 1]);
    assert.ok(Math.abs(g.images[0] - Math.round(0.299 * 40 + 0.587 * 200 + 0.114 * 60)) <= 4);
    assert.throws(() => readJpegImages(files, { size: 16 }), /is 8x8, expected 16x16/);
  });

  it('errors name the problem: missing wnids.txt, missing split folder, corrupt JPEG, bad split', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-empty-'));
    assert.throws(() => readTinyImageNet(empty, { split: 'train' }), /missing .*wnids\.txt/);
    fs.writeFileSync(path.join(empty, 'wnids.txt'), 'n0001\n');
    assert.throws(() => readTinyImageNet(empty, { split: 'train' }), /missing .*n0001[\\/]images/);
    fs.mkdirSync(path.join(empty, 'train', 'n0001', 'images'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'train', 'n0001', 'images', 'bad.JPEG'), Buffer.from('not a jpeg'));
    assert.throws(() => readTinyImageNet(empty, { split: 'train', size: S }), /bad\.JPEG is not a readable JPEG/);
    assert.throws(() => readTinyImageNet(root, { split: 'test' as never }), /split must be 'train' or 'val'/);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
