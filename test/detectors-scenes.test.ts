// Synthetic detection scenes (thesis ch. 6 spec §5.2): determinism, per-image seeds, annotations
// consistent with the visible masks, occlusion limits, sizes spanning small/medium/large.
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeScene, makeScenes, sceneAreaRanges, DEFAULT_SCENE_CLASSES } from '../lib/papers/detectors/scenes';
import { decodeMask, evaluateBoxes, rleArea, rleFromObj, rleToBbox, validateCocoDataset, type RleObj } from '../lib/papers/detectors/coco';

describe('synthetic detection scenes', () => {
  it('is deterministic per seed, image i comes from seed + i, and different seeds differ', () => {
    const a = makeScenes({ n: 3, seed: 10 }), b = makeScenes({ n: 3, seed: 10 }), c = makeScenes({ n: 1, seed: 11 }), d = makeScenes({ n: 3, seed: 20 });
    try {
      assert.deepEqual(a.images.dataSync(), b.images.dataSync());
      assert.equal(JSON.stringify(a.coco), JSON.stringify(b.coco));
      const one = tf.tidy(() => tf.slice(a.images, [1, 0, 0, 0], [1, 64, 64, 3]));
      assert.deepEqual(one.dataSync(), c.images.dataSync());
      one.dispose();
      const strip = (x: typeof a.coco.annotations) => x.map(({ id: _i, image_id: _m, ...r }) => r);
      assert.deepEqual(strip(a.coco.annotations.filter((x) => x.image_id === 2)), strip(c.coco.annotations));
      assert.notDeepEqual(a.images.dataSync(), d.images.dataSync());
    } finally { for (const s of [a, b, c, d]) s.images.dispose(); }
  });

  it('images are NHWC float32 in [0, 1]; the COCO file validates; categories follow classes', () => {
    const s = makeScenes({ n: 4, seed: 1, size: 48 });
    try {
      assert.deepEqual(s.images.shape, [4, 48, 48, 3]);
      assert.equal(s.images.dtype, 'float32');
      const v = s.images.dataSync();
      let lo = Infinity, hi = -Infinity;
      for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
      assert.ok(lo >= 0 && hi <= 1 && hi - lo > 0.3, `range ${lo}..${hi}`);
      validateCocoDataset(s.coco);
      assert.deepEqual(s.coco.categories.map((c) => [c.id, c.name]), DEFAULT_SCENE_CLASSES.map((n, i) => [i + 1, n]));
      assert.deepEqual(s.coco.images.map((im) => [im.id, im.width, im.height]), [[1, 48, 48], [2, 48, 48], [3, 48, 48], [4, 48, 48]]);
    } finally { s.images.dispose(); }
  });

  it('annotations agree with the visible masks: bbox = toBbox(RLE), area = mask pixels, iscrowd 0; masks disjoint', () => {
    const s = makeScenes({ n: 30, seed: 100 });
    s.images.dispose();
    for (const a of s.coco.annotations) {
      const r = rleFromObj(a.segmentation as RleObj);
      assert.deepEqual(rleToBbox(r), a.bbox);
      assert.equal(rleArea(r), a.area);
      assert.equal(a.iscrowd, 0);
      assert.ok(a.area >= 12);
    }
    for (const t of s.targets) {
      const cover = new Uint8Array(64 * 64);
      t.masks.forEach((m, j) => {
        for (let i = 0; i < m.length; i++) { assert.ok(!(m[i] && cover[i]), 'visible masks overlap'); cover[i] |= m[i]; }
        const anns = s.coco.annotations.filter((a) => a.image_id === t.imageId);
        assert.deepEqual(decodeMask(anns[j].segmentation as RleObj), m);
        const [x, y, w, h] = anns[j].bbox;
        assert.deepEqual(Array.from(t.boxes.slice(j * 4, j * 4 + 4)), [x, y, x + w, y + h]);
        assert.equal(t.labels[j] + 1, anns[j].category_id);
      });
    }
  });

  it('occlusion stays within maxOcclusion, occurs often, and sizes span small/medium/large', () => {
    const s = makeScenes({ n: 150, seed: 7 });
    s.images.dispose();
    const ar = sceneAreaRanges(64);
    assert.deepEqual(ar.small, [0, 144]); assert.deepEqual(ar.large, [576, 1e10]);
    const anns = s.coco.annotations;
    const occ = anns.map((a) => a.occlusion as number);
    assert.ok(Math.max(...occ) <= 0.6 + 1e-9);
    assert.ok(occ.filter((o) => o > 0.3).length >= 0.05 * anns.length, 'some objects are more than 30% hidden');
    const small = anns.filter((a) => a.area < ar.small[1]).length, large = anns.filter((a) => a.area > ar.large[0]).length;
    const medium = anns.length - small - large;
    for (const [name, k] of [['small', small], ['medium', medium], ['large', large]] as const) assert.ok(k >= 0.05 * anns.length, `${name}: ${k} of ${anns.length}`);
    const perCat = [1, 2, 3, 4].map((c) => anns.filter((a) => a.category_id === c).length);
    assert.ok(Math.min(...perCat) >= 0.15 * anns.length, `classes ${perCat}`);
  });

  it('the GT boxes as detections score AP = 1 with the scene area ranges', () => {
    const s = makeScenes({ n: 20, seed: 5 });
    s.images.dispose();
    const dets = s.coco.annotations.map((a) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 1 }));
    const r = evaluateBoxes(s.coco, dets, { areaRng: s.areaRng });
    assert.ok(Math.abs(r.AP - 1) < 1e-12 && Math.abs(r.AP50 - 1) < 1e-12, `AP ${r.AP}`);
  });

  it('objects are painted: the pixels under a visible mask differ from the background estimate', () => {
    const sc = makeScene(3, { noise: 0, occluderBars: [0, 0], distractors: [0, 0] });
    assert.ok(sc.objects.length >= 1);
    const px = sc.pixels;
    for (const o of sc.objects) {
      // all visible pixels of an object share one colour (no noise): the object is a flat painted region
      let first = -1;
      for (let i = 0; i < o.visible.length; i++) if (o.visible[i]) {
        if (first < 0) first = i;
        for (let c = 0; c < 3; c++) assert.equal(px[i * 3 + c], px[first * 3 + c]);
      }
    }
  });

  it('bad options give errors that name them', () => {
    assert.throws(() => makeScenes({ n: 1, seed: 0, classes: ['hexagon' as never] }), /unknown shape class 'hexagon'/);
    assert.throws(() => makeScenes({ n: -1, seed: 0 }), /n must be a non-negative integer/);
    assert.throws(() => makeScenes({ n: 1, seed: 0, size: 8 }), /size must be an integer >= 16/);
    assert.throws(() => makeScenes({ n: 1, seed: 0, objects: [3, 1] }), /objects must be \[min, max\]/);
    assert.throws(() => makeScenes({ n: 1, seed: 0, maxOcclusion: 1 }), /maxOcclusion must be in \[0, 1\)/);
    assert.throws(() => makeScenes({ n: 1, seed: 0, colour: 1 } as never), /unknown option 'colour'/);
  });
});
