// ViP-DeepLab (thesis ch. 7): spec §8 checks 9-14 (stitching, grouping, pair inference, center NMS).
import { strict as assert } from 'assert';
import {
  canonicalize, centerNms, panopticPostProcess, pairPostProcess, stitchPair, stitchSequence, linkFramesByIoU,
  mutualBestMatches, concatWidth, splitWidth, mergeSemanticInstance,
} from '../lib/papers/vip-deeplab';

const I = (rows: number[][]) => Int32Array.from(rows.flat());
const arr = (a: ArrayLike<number>) => Array.from(a);

describe('vip-deeplab stitching (spec §8.9-11)', () => {
  it('pairwise stitch reproduces deeplab2\'s own test (8.9)', () => {
    const L = 1000;
    const pan = (sem: number[][], ins: number[][]) => I(sem.map((r, y) => r.map((s, x) => s * L + ins[y][x])));
    const concat = pan([[0, 0, 0, 0], [0, 1, 1, 0], [0, 2, 2, 0], [2, 2, 3, 3]], [[1, 1, 2, 2], [1, 0, 0, 2], [1, 1, 1, 2], [2, 2, 1, 1]]);
    const nextSem = [[0, 1, 1, 0], [0, 1, 1, 0], [0, 2, 2, 0], [2, 2, 3, 3]];
    const next = pan(nextSem, [[2, 0, 0, 1], [2, 0, 0, 1], [2, 4, 4, 1], [5, 5, 3, 3]]);
    const out = stitchPair(concat, next, L);
    assert.deepEqual(arr(out).map((v) => v % L), [[1, 0, 0, 2], [1, 0, 0, 2], [1, 1, 1, 2], [2, 2, 1, 1]].flat());
    assert.deepEqual(arr(out).map((v) => Math.floor(v / L)), nextSem.flat());
    const m = mutualBestMatches(concat, next, L);
    assert.deepEqual([...m.entries()].sort((a, b) => a[0] - b[0]), [[1, 2], [2, 1], [2004, 2001], [2005, 2002], [3003, 3001]]);
  });

  it('sequence stitching gives a new object a fresh id (8.10)', () => {
    const pairs = [
      { left: Int32Array.from([1001, 1001, 0, 0, 0, 0]), right: Int32Array.from([0, 1001, 1001, 0, 0, 0]) },
      { left: Int32Array.from([0, 1005, 1005, 0, 0, 1007]), right: Int32Array.from([0, 0, 1005, 1005, 0, 1007]) },
    ];
    const f = stitchSequence(pairs, 1000).map(arr);
    assert.deepEqual(f, [[1001, 1001, 0, 0, 0, 0], [0, 1001, 1001, 0, 0, 1002], [0, 0, 1001, 1001, 0, 1002]]);
  });

  it('sequence stitching: non-mutual match and class mismatch make new ids (8.11)', () => {
    const a = Int32Array.from([1001, 1001, 1001, 1001, 0, 0]);
    const b = Int32Array.from([1005, 1005, 1005, 1006, 0, 2003]);
    const f = stitchSequence([{ left: a, right: a }, { left: b, right: b }], 1000).map(arr);
    assert.deepEqual(f[0], arr(a));
    assert.deepEqual(f[1], [1001, 1001, 1001, 1002, 0, 2001]);
    assert.deepEqual(f[2], [1001, 1001, 1001, 1002, 0, 2001]);
  });

  it('ids are never reused after an object leaves', () => {
    const L = 1000;
    const p = (v: number[]) => Int32Array.from(v);
    // object 1001 leaves after frame 1; a new object in frame 2 at another place must not get 1001
    const pairs = [
      { left: p([1001, 0, 0, 0]), right: p([1001, 0, 0, 0]) },
      { left: p([1001, 0, 0, 0]), right: p([0, 0, 0, 0]) },
      { left: p([0, 0, 0, 1001]), right: p([0, 0, 0, 1001]) },
    ];
    const f = stitchSequence(pairs, L).map(arr);
    assert.deepEqual(f, [[1001, 0, 0, 0], [1001, 0, 0, 0], [0, 0, 0, 1002], [0, 0, 0, 1002]]);
    const naive = linkFramesByIoU([p([1001, 0]), p([0, 1001]), p([0, 1001])], L).map(arr);
    assert.deepEqual(naive, [[1001, 0], [0, 1002], [0, 1002]]);
  });

  it('rejects empty inputs and size mismatches', () => {
    assert.throws(() => stitchSequence([], 1000), /at least one pair/);
    assert.throws(() => mutualBestMatches(new Int32Array(3), new Int32Array(4), 1000), /differ in size/);
  });
});

describe('vip-deeplab post-processing (spec §8.12-14)', () => {
  const opts = { threshold: 0.1, nmsKernel: 3, topK: 200, stuffAreaLimit: 0, thingIds: [1], labelDivisor: 1000, voidId: 255 };

  it('groups thing pixels to the center their offset points at (8.12)', () => {
    const H = 4, W = 6;
    const sem = new Int32Array(H * W), heat = new Float32Array(H * W).fill(0.05), off = new Float32Array(2 * H * W);
    heat[1 * W + 1] = 0.9; heat[2 * W + 4] = 0.8;
    for (let y = 1; y <= 2; y++) for (let x = 0; x < W; x++) {
      const i = y * W + x;
      sem[i] = 1;
      const [cy, cx] = x <= 2 ? [1, 1] : [2, 4];
      off[2 * i] = cy - y; off[2 * i + 1] = cx - x;
    }
    const { panoptic, centers } = panopticPostProcess(sem, heat, off, H, W, opts);
    assert.equal(centers.length, 2);
    const want = [[0, 0, 0, 0, 0, 0], [1001, 1001, 1001, 1002, 1002, 1002], [1001, 1001, 1001, 1002, 1002, 1002], [0, 0, 0, 0, 0, 0]].flat();
    assert.deepEqual(arr(canonicalize(panoptic, 1000)), want);
  });

  it('center NMS: peaks 2 px apart survive with kernel 3, one with kernel 5 (8.14)', () => {
    const H = 5, W = 7, heat = new Float32Array(H * W);
    heat[2 * W + 2] = 0.9; heat[2 * W + 4] = 0.7;
    assert.equal(centerNms(heat, H, W, { threshold: 0.1, nmsKernel: 3 }).length, 2);
    const one = centerNms(heat, H, W, { threshold: 0.1, nmsKernel: 5 });
    assert.deepEqual(one.map((c) => [c.y, c.x]), [[2, 2]]);
    // threshold and top-K
    assert.equal(centerNms(heat, H, W, { threshold: 0.8, nmsKernel: 3 }).length, 1);
    assert.deepEqual(centerNms(heat, H, W, { threshold: 0.1, nmsKernel: 3, topK: 1 }).map((c) => c.score), [heat[2 * W + 2]]);
    assert.throws(() => centerNms(heat, H, W, { nmsKernel: 4 }), /odd positive integer/);
  });

  it('majority vote and stuff area limit', () => {
    // instance 1 covers 3 pixels of class 3 and 1 of class 4 -> class 3; stuff class 0 has 2 px < limit 3 -> void
    const sem = Int32Array.from([3, 3, 3, 4, 0, 0, 1, 1, 1]);
    const ins = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0]);
    const pan = mergeSemanticInstance(sem, ins, { thingIds: [3, 4], labelDivisor: 1000, voidId: 255, stuffAreaLimit: 3 });
    assert.deepEqual(arr(pan), [3001, 3001, 3001, 3001, 255000, 255000, 1000, 1000, 1000]);
  });

  it('concatenated pair: consistent ids with the -W shift, wrong grouping without it (8.13)', () => {
    const H = 3, W = 8, n = H * W;
    const semT = new Int32Array(n), semN = new Int32Array(n);
    const off = new Float32Array(2 * n), noff = new Float32Array(2 * n), heat = new Float32Array(n);
    heat[1 * W + 1] = 1; heat[1 * W + 6] = 1;
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
      const i = r * W + c;
      if (c <= 2 || c >= 5) { semT[i] = 1; off[2 * i] = 1 - r; off[2 * i + 1] = (c <= 2 ? 1 : 6) - c; }
      if (c >= 2 && c <= 4) { semN[i] = 1; noff[2 * i] = 1 - r; noff[2 * i + 1] = 1 - c; }
      if (c >= 5) { semN[i] = 1; noff[2 * i] = 1 - r; noff[2 * i + 1] = 6 - c; }
    }
    const o = { threshold: 0.1, nmsKernel: 3, topK: 200, stuffAreaLimit: 0, thingIds: [1], labelDivisor: 1000, voidId: 255 };
    const good = pairPostProcess({ semantic: semT, center: heat, offset: off }, semN, noff, H, W, o);
    const row = (m: Int32Array, r: number) => arr(m.subarray(r * 2 * W, (r + 1) * 2 * W));
    for (let r = 0; r < H; r++) {
      assert.deepEqual(row(good.concat, r), [1001, 1001, 1001, 0, 0, 1002, 1002, 1002, 0, 0, 1001, 1001, 1001, 1002, 1002, 1002]);
    }
    assert.deepEqual(arr(good.left.subarray(0, W)), [1001, 1001, 1001, 0, 0, 1002, 1002, 1002]);
    assert.deepEqual(arr(good.right.subarray(0, W)), [0, 0, 1001, 1001, 1001, 1002, 1002, 1002]);
    const bad = pairPostProcess({ semantic: semT, center: heat, offset: off }, semN, noff, H, W, { ...o, shiftX: false });
    for (let r = 0; r < H; r++) assert.deepEqual(row(bad.concat, r).slice(10, 13), [1002, 1002, 1002]);
  });

  it('concatWidth / splitWidth round-trip', () => {
    const a = Int32Array.from([1, 2, 3, 4]), b = Int32Array.from([5, 6, 7, 8]);
    const c = concatWidth(a, b, 2, 2);
    assert.deepEqual(arr(c), [1, 2, 5, 6, 3, 4, 7, 8]);
    const [l, r] = splitWidth(c, 2, 2);
    assert.deepEqual([arr(l), arr(r)], [[1, 2, 3, 4], [5, 6, 7, 8]]);
  });
});
