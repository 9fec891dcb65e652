// RLE masks as pycocotools' maskApi.c (thesis ch. 6 spec §8 check 29 values from pycocotools 2.0.11),
// polygon/box rasterisation (rleFrPoly, traced by hand below) and mask IoU with crowd semantics.
import { strict as assert } from 'assert';
import { makeRng } from '../lib/util/random';
import {
  annToRle, decodeMask, encodeMask, rleArea, rleDecode, rleEncode, rleFromBbox, rleFromObj, rleFromPolygon, rleFromString,
  rleIou, rleMerge, rleToBbox, rleToObj, rleToString,
} from '../lib/papers/detectors/coco';

function rect(h: number, w: number, r0: number, r1: number, c0: number, c1: number, m = new Uint8Array(h * w), v = 1): Uint8Array {
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) m[r * w + c] = v;
  return m;
}

describe('RLE (pycocotools maskApi)', () => {
  it('3x3 mask with only (1,1) set: counts [4,1,4], string "414"', () => {
    const m = new Uint8Array(9); m[4] = 1;
    const r = rleEncode(m, 3, 3);
    assert.deepEqual(Array.from(r.counts), [4, 1, 4]);
    assert.equal(rleToString(r), '414');
    assert.deepEqual(rleToBbox(r), [1, 1, 1, 1]);
  });

  it('5x4 mask rows 1-3 x cols 1-2: "63204", area 6, column-major runs [6,3,2,3,6]', () => {
    const r = rleEncode(rect(5, 4, 1, 3, 1, 2), 5, 4);
    assert.deepEqual(Array.from(r.counts), [6, 3, 2, 3, 6]);
    assert.equal(rleToString(r), '63204');
    assert.equal(rleArea(r), 6);
    assert.deepEqual(rleToBbox(r), [1, 1, 2, 3]);
  });

  it('100x100 all ones: counts [0, 10000], string "0`h9"', () => {
    const r = rleEncode(new Uint8Array(10000).fill(1), 100, 100);
    assert.deepEqual(Array.from(r.counts), [0, 10000]);
    assert.equal(rleToString(r), '0`h9');
    assert.deepEqual(Array.from(rleFromString('0`h9', 100, 100).counts), [0, 10000]);
  });

  it('40x60 rectangle with a hole: area 1100, string starts "e<n0:0" and ends "[<"', () => {
    const m = rect(40, 60, 5, 34, 10, 49);
    rect(40, 60, 10, 19, 20, 29, m, 0);
    const r = rleEncode(m, 40, 60);
    const s = rleToString(r);
    assert.equal(rleArea(r), 1100);
    assert.ok(s.startsWith('e<n0:0'), s);
    assert.ok(s.endsWith('[<'), s);
    assert.deepEqual(rleToBbox(r), [10, 5, 40, 30]);
    assert.deepEqual(decodeMask({ size: [40, 60], counts: s }), m);
  });

  it('round-trips random masks through runs and strings (incl. negative run differences and long runs)', () => {
    const rng = makeRng(3);
    for (let k = 0; k < 40; k++) {
      const h = 1 + rng.int(70), w = 1 + rng.int(70);
      const m = new Uint8Array(h * w);
      const p = rng.next();
      // blobs of varying density so run lengths span 1..thousands
      for (let i = 0; i < m.length; i++) m[i] = rng.next() < p * p ? 1 : 0;
      if (k % 5 === 0) rect(h, w, 0, Math.floor(h / 2), 0, w - 1, m);
      const r = rleEncode(m, h, w);
      assert.deepEqual(rleDecode(r), m);
      const s = rleToString(r);
      assert.deepEqual(Array.from(rleFromString(s, h, w).counts), Array.from(r.counts));
      assert.deepEqual(decodeMask(encodeMask(m, h, w)), m);
      let area = 0; for (const v of m) area += v;
      assert.equal(rleArea(r), area);
    }
  });

  it('uncompressed COCO RLE (iscrowd files) is read, and bad sums are rejected', () => {
    const r = rleFromObj({ size: [3, 3], counts: [4, 1, 4] });
    assert.equal(rleToObj(r).counts, '414');
    assert.throws(() => rleFromObj({ size: [3, 3], counts: [4, 1, 3] }), /sum to 8, expected h\*w = 9/);
    assert.throws(() => rleFromString('414', 4, 4), /runs sum to 9, expected h\*w = 4\*4 = 16/);
    assert.throws(() => rleEncode(new Uint8Array(5), 2, 2), /mask has 5 values, expected h\*w = 2\*2 = 4/);
  });

  it('toBbox: a run crossing a column boundary spans the full height (maskApi rule)', () => {
    // 4x3 mask: (3,0) and (0,1) set -> one run across the column boundary -> ys = 0, ye = h-1.
    const m = new Uint8Array(12); m[3 * 3 + 0] = 1; m[0 * 3 + 1] = 1;
    assert.deepEqual(rleToBbox(rleEncode(m, 4, 3)), [0, 0, 2, 4]);
    assert.deepEqual(rleToBbox(rleEncode(new Uint8Array(12), 4, 3)), [0, 0, 0, 0]);
  });

  it('merge: union and intersection', () => {
    const a = rleEncode(rect(6, 6, 0, 2, 0, 2), 6, 6), b = rleEncode(rect(6, 6, 1, 3, 1, 3), 6, 6);
    assert.equal(rleArea(rleMerge([a, b])), 9 + 9 - 4);
    assert.equal(rleArea(rleMerge([a, b], true)), 4);
  });

  it('iou: union for normal GTs, det area for crowd GTs, 0 for disjoint boxes', () => {
    const g = rleEncode(rect(10, 10, 0, 5, 0, 5), 10, 10); // 36 px
    const d = rleEncode(rect(10, 10, 3, 4, 3, 4), 10, 10); // 4 px inside
    const far = rleEncode(rect(10, 10, 8, 9, 8, 9), 10, 10);
    const o = rleIou([d, far], [g, g], [0, 1]);
    assert.equal(o[0][0], 4 / 36);
    assert.equal(o[0][1], 1);
    assert.equal(o[1][0], 0); assert.equal(o[1][1], 0);
  });
});

describe('polygon rasterisation (maskApi rleFrPoly)', () => {
  it('the square polygon (0,0)-(2,2) on 4x4 covers pixels 0..1 x 0..1: counts [0,2,2,2,10]', () => {
    // Hand trace: x5 up-sampled vertices (0,0),(0,10),(10,10),(10,0); the top edge crosses column
    // centres x = 0, 1 at up-sampled u = 3, 8 with y boundary ceil((10.5)/5 - .5) = 2, the bottom
    // edge at u = 2, 7 with y = 0 -> boundaries {0, 2, 4, 6} + 16 -> runs 0,2,2,2,10.
    const r = rleFromPolygon([0, 0, 0, 2, 2, 2, 2, 0], 4, 4);
    assert.deepEqual(Array.from(r.counts), [0, 2, 2, 2, 10]);
    assert.deepEqual(Array.from(rleFromBbox([0, 0, 2, 2], 4, 4).counts), [0, 2, 2, 2, 10]);
  });

  it('an axis-aligned box [x, y, w, h] with integer corners rasterises to exactly w*h pixels at the right place', () => {
    const r = rleFromBbox([3, 2, 5, 4], 12, 10);
    assert.equal(rleArea(r), 20);
    assert.deepEqual(rleToBbox(r), [3, 2, 5, 4]);
  });

  it('a right triangle: pixel centres strictly inside the hypotenuse (hand-traced rleFrPoly)', () => {
    // (0,0),(6,0),(0,6) on 8x8, up-sampled x5: the hypotenuse walk gives u = 30-d, v = d; it crosses
    // column centre x at u = 5x + 2 with boundary y = ceil((29 - u)/5 - .5) = 5 - x; the top edge
    // starts every column at y = 0. So column x holds rows 0 .. 4 - x: c + r <= 4 (centres on the
    // line c + r + 1 = 6 are out), 15 pixels.
    const m = rleDecode(rleFromPolygon([0, 0, 6, 0, 0, 6], 8, 8));
    let area = 0;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) { area += m[r * 8 + c]; assert.equal(m[r * 8 + c], c + r <= 4 ? 1 : 0, `pixel (${r},${c})`); }
    assert.equal(area, 15);
  });

  it('annToRle merges several polygons and checks RLE sizes', () => {
    const r = annToRle([[0, 0, 0, 2, 2, 2, 2, 0], [4, 4, 4, 6, 6, 6, 6, 4]], 8, 8);
    assert.equal(rleArea(r), 8);
    assert.throws(() => annToRle({ size: [3, 3], counts: '414' }, 4, 4), /RLE size 3x3 differs from the image 4x4/);
    assert.throws(() => rleFromPolygon([0, 0, 1, 1], 4, 4), /even number >= 6/);
  });
});
