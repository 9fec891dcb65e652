// ViP-DeepLab data (thesis ch. 7, spec §5.3 and §8.23): the seeded synthetic street-video generator,
// tensors, and the Cityscapes-DVPS / SemKITTI-DVPS file layouts written and read back.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { crc32 } from '../lib/data/readers/png';
import { decodePngAny, encodePng16 } from '../lib/data/readers/png16';
import {
  generateSynthSequence, generateSynthSplit, synthSplitSeed, synthConfig, lidarRows, framesToTensors, consecutivePairs, flipFrame,
  initSynthScene, stepSynthScene, renderSynthFrame, SynthScene, SYNTH_CAR, SYNTH_PERSON, SYNTH_ROAD, SYNTH_SKY, SYNTH_BUILDING, SYNTH_VOID, SYNTH_DVPS_EVAL,
  listCityscapesDvps, readCityscapesDvpsSequence, writeCityscapesDvpsFrame, writeCityscapesDvpsPrediction, readCityscapesDvpsPrediction,
  listSemkittiDvps, readSemkittiDvpsSequence, writeSemkittiDvpsFrame, writeSemkittiDvpsPrediction, readSemkittiDvpsPredictions,
  readDepthPng, writeDepthPng, imagesToFloat, nonForegroundSuppression, suppressBackgroundPoints,
} from '../lib/papers/vip-deeplab/data';
import { videoPanopticQuality } from '../lib/papers/vip-deeplab/metrics';

const sameArrays = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

describe('vip data: synthetic street videos', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = generateSynthSequence(7), b = generateSynthSequence(7), c = generateSynthSequence(8);
    assert.equal(a.frames.length, 6);
    for (let t = 0; t < 6; t++) {
      assert.ok(sameArrays(a.frames[t].image, b.frames[t].image));
      assert.ok(sameArrays(a.frames[t].panoptic, b.frames[t].panoptic));
      assert.ok(sameArrays(a.frames[t].depth, b.frames[t].depth));
    }
    assert.ok(!sameArrays(a.frames[0].image, c.frames[0].image));
    assert.deepEqual(a.tracks, b.tracks);
    assert.equal(synthSplitSeed('val', 3), 1_000_003);
    assert.equal(generateSynthSplit('val', 2)[1].seed, 1_000_001);
  });

  it('frames are 5 raw frames apart (cityscapes-like) with consistent panoptic encoding and all classes', () => {
    const seqs = generateSynthSplit('train', 6, { width: 128 });
    const seen = new Set<number>();
    for (const s of seqs) {
      assert.equal(s.width, 128); assert.equal(s.height, 64);
      assert.deepEqual(s.frames.map((f) => f.index), [0, 5, 10, 15, 20, 25]);
      for (const f of s.frames) {
        assert.equal(f.image.length, 64 * 128 * 3);
        for (let i = 0; i < f.panoptic.length; i++) {
          assert.equal(f.panoptic[i], f.semantic[i] * 1000 + f.instance[i]);
          const thing = f.semantic[i] === SYNTH_CAR || f.semantic[i] === SYNTH_PERSON;
          assert.equal(f.instance[i] > 0, thing, `instance ids exactly on thing pixels (pixel ${i})`);
          seen.add(f.semantic[i]);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
  });

  it('an instance keeps its id and class over time; object pixels carry one depth; road depth follows the ground plane', () => {
    const s = generateSynthSequence(11, { speed: 1 });
    const cls = new Map<number, number>();
    const { focal, horizon, cameraHeight, maxRange } = s.config;
    for (const f of s.frames) {
      const depthOf = new Map<number, number>();
      for (let i = 0; i < f.instance.length; i++) {
        const id = f.instance[i];
        if (id > 0) {
          if (cls.has(id)) assert.equal(cls.get(id), f.semantic[i], `id ${id} changed class`);
          cls.set(id, f.semantic[i]);
          if (depthOf.has(id)) assert.equal(depthOf.get(id), f.depth[i]); else depthOf.set(id, f.depth[i]);
          assert.ok(f.depth[i] >= 3 && f.depth[i] <= maxRange);
        }
        if (f.semantic[i] === SYNTH_ROAD) {
          const y = Math.floor(i / s.width);
          const Z = (focal * cameraHeight) / (y + 0.5 - horizon);
          assert.ok(Math.abs(f.depth[i] - (Z > maxRange ? 0 : Z)) < 1e-4);
        }
        if (f.semantic[i] === SYNTH_SKY) assert.equal(f.depth[i], 0);
      }
    }
    assert.ok(s.tracks.length > 0);
    for (const t of s.tracks) assert.equal(cls.get(t.id), t.classId);
  });

  it('a nearer object occludes a farther one (painter order), also at the depth map', () => {
    const cfg = synthConfig({ initialObjects: [0, 0], buildings: [0, 0], noise: 0 });
    const scene: SynthScene = initSynthScene(cfg, makeRng(1));
    const car = (id: number, X: number, Z: number) => ({ id, classId: SYNTH_CAR, X, Z, vX: 0, vZ: 0, w: 1.8, h: 1.5, color: [200, 0, 0] as [number, number, number] });
    scene.objects.push(car(1, 0, 6), car(2, 0.4, 12)); // far car listed last: order must not matter
    const f = renderSynthFrame(scene, 0, makeRng(2));
    let near = 0, far = 0;
    for (let i = 0; i < f.instance.length; i++) {
      if (f.instance[i] === 1) { near++; assert.equal(f.depth[i], 6); }
      if (f.instance[i] === 2) { far++; assert.equal(f.depth[i], 12); }
    }
    assert.ok(near > 100, `near car visible (${near} px)`);
    // The far car (w 9.6 px at 12 m) lies inside the near car's silhouette columns except its right part.
    const alone = renderSynthFrame({ ...scene, objects: [scene.objects[1]] }, 0, makeRng(2));
    const farAlone = [...alone.instance].filter((v) => v === 2).length;
    assert.ok(far < farAlone, `far car is partly hidden: ${far} < ${farAlone}`);
    // wherever both would be, the near one wins
    const nearAlone = renderSynthFrame({ ...scene, objects: [scene.objects[0]] }, 0, makeRng(2));
    for (let i = 0; i < f.instance.length; i++) if (nearAlone.instance[i] === 1) assert.equal(f.instance[i], 1);
  });

  it('never reuses an id after an object leaves; objects enter and leave', () => {
    const cfg = synthConfig({ spawnRate: 0.5, speed: 3, maxObjects: 6 });
    const rng = makeRng(5);
    const scene = initSynthScene(cfg, rng);
    const removed = new Set<number>();
    let prev = new Set(scene.objects.map((o) => o.id));
    let maxSeen = Math.max(0, ...prev);
    for (let step = 0; step < 300; step++) {
      stepSynthScene(scene, rng);
      const now = new Set(scene.objects.map((o) => o.id));
      for (const id of prev) if (!now.has(id)) removed.add(id);
      for (const id of now) {
        assert.ok(!removed.has(id), `id ${id} reused after leaving`);
        if (!prev.has(id)) { assert.ok(id > maxSeen, 'new ids are fresh'); maxSeen = id; }
      }
      prev = now;
    }
    assert.ok(removed.size > 5, `objects left the scene (${removed.size})`);
  });

  it('speed scales apparent motion; speed 0 gives static objects', () => {
    const mean = (speed: number) => {
      const v = generateSynthSplit('train', 8, { speed }).flatMap((s) => s.tracks.filter((t) => t.lastFrame > t.firstFrame).map((t) => t.meanSpeedPx));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const m0 = mean(0), m1 = mean(1), m2 = mean(2);
    assert.ok(m0 < 1e-9, `static: ${m0}`);
    assert.ok(m2 > m1 * 1.3 && m1 > 1, `speed 1: ${m1.toFixed(2)} px/frame, speed 2: ${m2.toFixed(2)}`);
  });

  it('semkitti-like mode: consecutive frames, labels and depth only on LiDAR rows, void/0 elsewhere', () => {
    const s = generateSynthSequence(3, { mode: 'semkitti-like', numFrames: 10 });
    assert.deepEqual(s.frames.map((f) => f.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rows = new Set(lidarRows(s.config));
    assert.equal(rows.size, 16);
    let kept = 0, candidates = 0;
    for (const f of s.frames) {
      for (let i = 0; i < f.semantic.length; i++) {
        const y = Math.floor(i / s.width);
        if (f.semantic[i] === SYNTH_VOID) {
          assert.equal(f.depth[i], 0); assert.equal(f.instance[i], 0); assert.equal(f.panoptic[i], SYNTH_VOID * 1000);
        } else {
          assert.ok(rows.has(y), `label off a LiDAR row at ${i}`);
          assert.ok(f.depth[i] > 0);
          assert.equal(f.depth[i], f.denseDepth![i]);
        }
        if (rows.has(y) && f.denseDepth![i] > 0) { candidates++; if (f.semantic[i] !== SYNTH_VOID) kept++; }
      }
    }
    const drop = 1 - kept / candidates;
    assert.ok(Math.abs(drop - 0.15) < 0.03, `dropout ${drop.toFixed(3)} ~ 0.15`);
  });

  it('oracle predictions score VPQ = 1 on generated sequences (labels are consistent with the metric)', () => {
    const seqs = generateSynthSplit('val', 3).map((s) => ({ pred: s.frames.map((f) => f.panoptic), gt: s.frames.map((f) => f.panoptic) }));
    for (const k of [1, 4]) assert.equal(videoPanopticQuality(seqs, k, SYNTH_DVPS_EVAL).pq, 1);
  });

  it('bad options give errors that name them', () => {
    assert.throws(() => generateSynthSequence(1, { mode: 'kitti' as never }), /unknown mode 'kitti'/);
    assert.throws(() => generateSynthSequence(1, { spede: 2 } as never), /unknown option 'spede'/);
    assert.throws(() => generateSynthSequence(1, { height: 4 }), /height must be an integer >= 8/);
    assert.throws(() => generateSynthSequence(-1), /seed/);
    assert.throws(() => generateSynthSequence(1, { pointDropout: 2 }), /pointDropout must be in \[0, 1\]/);
  });
});

describe('vip data: tensors, pairs, flips', () => {
  it('framesToTensors stacks frames with deeplab normalisation; consecutivePairs lists (t, t+1)', () => {
    const s = generateSynthSequence(2, { width: 32, height: 16, numFrames: 3 });
    const before = tf.memory().numTensors;
    const t = framesToTensors(s.frames, 16, 32);
    assert.deepEqual(t.image.shape, [3, 16, 32, 3]); assert.deepEqual(t.panoptic.shape, [3, 16, 32]); assert.deepEqual(t.depth.shape, [3, 16, 32, 1]);
    assert.equal(t.semantic.dtype, 'int32');
    const img = t.image.dataSync();
    assert.ok(Math.abs(img[0] - (s.frames[0].image[0] / 127.5 - 1)) < 1e-6);
    assert.equal(t.panoptic.dataSync()[2 * 16 * 32 + 5], s.frames[2].panoptic[5]);
    tf.dispose([t.image, t.semantic, t.panoptic, t.depth]);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(consecutivePairs([s, s]), [{ seq: 0, t: 0 }, { seq: 0, t: 1 }, { seq: 1, t: 0 }, { seq: 1, t: 1 }]);
    assert.throws(() => framesToTensors(s.frames, 16, 16), /does not have 16x16 pixels/);
    assert.throws(() => imagesToFloat(s.frames, 'zscore' as never), /unknown normalization 'zscore'/);
  });
  it('flipFrame mirrors every map and keeps ids', () => {
    const s = generateSynthSequence(4, { width: 16, height: 8, numFrames: 1 });
    const f = s.frames[0], g = flipFrame(f, 8, 16);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) {
      assert.equal(g.panoptic[y * 16 + x], f.panoptic[y * 16 + 15 - x]);
      assert.equal(g.depth[y * 16 + x], f.depth[y * 16 + 15 - x]);
      assert.equal(g.image[(y * 16 + x) * 3 + 1], f.image[(y * 16 + 15 - x) * 3 + 1]);
    }
    assert.ok(sameArrays(flipFrame(g, 8, 16).panoptic, f.panoptic));
  });
});

/** A 16-bit greyscale PNG whose rows use filter types 0..4 in turn (as PIL/libpng files do). */
function filteredPng16(width: number, height: number, v: Uint16Array): Buffer {
  const bpp = 2, stride = width * 2;
  const rawRows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const r = new Uint8Array(stride);
    for (let x = 0; x < width; x++) { r[2 * x] = v[y * width + x] >> 8; r[2 * x + 1] = v[y * width + x] & 255; }
    rawRows.push(r);
  }
  const out = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5, cur = rawRows[y], up = y > 0 ? rawRows[y - 1] : new Uint8Array(stride);
    out[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      out[y * (stride + 1) + 1 + i] = (cur[i] - pred) & 255;
    }
  }
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8); head.writeUInt32BE(body.length, 0); head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 16; ihdr[9] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(out)), chunk('IEND', Buffer.alloc(0))]);
}

describe('vip data: 16-bit PNGs and the DVPS file layouts', () => {
  let tmp = '';
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vip-data-')); });
  after(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  it('16-bit PNG: round trip, all five row filters, big-endian samples', () => {
    const v = new Uint16Array(7 * 5);
    const rng = makeRng(3);
    for (let i = 0; i < v.length; i++) v[i] = rng.int(65536);
    v[0] = 65535; v[1] = 256; v[2] = 1;
    const a = decodePngAny(encodePng16(7, 5, 1, v));
    assert.equal(a.bitDepth, 16); assert.ok(sameArrays(a.data, v));
    const b = decodePngAny(filteredPng16(7, 5, v));
    assert.ok(sameArrays(b.data, v));
    const rgb = Uint16Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 5000);
    assert.ok(sameArrays(decodePngAny(encodePng16(2, 2, 3, rgb)).data, rgb));
    assert.throws(() => encodePng16(2, 1, 1, [1, 70000]), /sample 70000/);
    assert.throws(() => decodePngAny(Buffer.from('not a png at all, definitely not')), /PNG signature/);
  });

  it('depth PNG: metres <-> uint16 * 256, 0 = invalid; wrong formats are named', () => {
    const f = path.join(tmp, 'd.png');
    writeDepthPng(f, [0, 1.5, 80, -2, 300], 5, 1);
    const d = readDepthPng(f);
    assert.deepEqual([...d.depth], [0, 1.5, 80, 0, 65535 / 256]);
    const g = path.join(tmp, 'rgb.png');
    fs.writeFileSync(g, require('../lib/data/readers/png').encodePng(1, 1, 3, new Uint8Array([1, 2, 3])));
    assert.throws(() => readDepthPng(g), /8-bit 3-channel PNG; depth maps are 16-bit greyscale/);
    assert.throws(() => readDepthPng(path.join(tmp, 'nope.png')), /nope\.png/);
  });

  it('Cityscapes-DVPS: write GT files of two sequences, list, read back; predictions round trip', () => {
    const dir = path.join(tmp, 'cs', 'val');
    const seqs = generateSynthSplit('val', 2, { width: 24, height: 12, numFrames: 3 });
    seqs.forEach((s, k) => s.frames.forEach((fr, t) => writeCityscapesDvpsFrame(dir, `${String(k).padStart(6, '0')}_${String(t).padStart(6, '0')}_frankfurt_000000_${String(t * 5).padStart(6, '0')}`, fr, 24, 12)));
    const listed = listCityscapesDvps(dir);
    assert.deepEqual(listed.map((s) => s.sequenceId), ['000000', '000001']);
    assert.equal(listed[1].frames.length, 3);
    const back = readCityscapesDvpsSequence(listed[1]);
    assert.equal(back.width, 24); assert.equal(back.height, 12); assert.equal(back.labelDivisor, 1000);
    back.frames.forEach((fr, t) => {
      const src = seqs[1].frames[t];
      assert.ok(sameArrays(fr.panoptic, src.panoptic)); assert.ok(sameArrays(fr.semantic, src.semantic)); assert.ok(sameArrays(fr.instance, src.instance));
      assert.ok(sameArrays(fr.image, src.image));
      for (let i = 0; i < fr.depth.length; i++) assert.ok(Math.abs(fr.depth[i] - src.depth[i]) <= 1 / 512 + 1e-6);
    });
    const pd = path.join(tmp, 'cs-pred'), dd = path.join(tmp, 'cs-depth');
    writeCityscapesDvpsPrediction(pd, '000001_000000_frankfurt_000000_000000', seqs[1].frames[0].panoptic, 24, 12, { depth: seqs[1].frames[0].depth, depthDir: dd });
    const p = readCityscapesDvpsPrediction(path.join(pd, '000001_000000_frankfurt_000000_000000.png'));
    assert.ok(sameArrays(p.panoptic, seqs[1].frames[0].panoptic));
    assert.equal(readDepthPng(path.join(dd, '000001_000000_frankfurt_000000_000000.png')).width, 24);
    assert.throws(() => writeCityscapesDvpsPrediction(pd, 'x', Int32Array.from([3300]), 1, 1), /instance 300\) does not fit/);
  });

  it('Cityscapes-DVPS: missing files and bad formats are named', () => {
    assert.throws(() => listCityscapesDvps(path.join(tmp, 'absent')), /does not exist/);
    const dir = path.join(tmp, 'cs-bad');
    const s = generateSynthSequence(1, { width: 8, height: 8, numFrames: 1 });
    writeCityscapesDvpsFrame(dir, '000000_000000_x_000000_000000', s.frames[0], 8, 8);
    fs.unlinkSync(path.join(dir, '000000_000000_x_000000_000000_depth.png'));
    assert.throws(() => listCityscapesDvps(dir), /000000_000000_x_000000_000000 has no depth file .*_depth\.png is missing/);
    assert.equal(listCityscapesDvps(dir, ['image', 'panoptic']).length, 1);
    fs.writeFileSync(path.join(dir, '000000_000000_x_000000_000000_depth.png'), 'garbage');
    assert.throws(() => readCityscapesDvpsSequence(listCityscapesDvps(dir)[0]), /does not start with the PNG signature/);
    fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
    assert.throws(() => listCityscapesDvps(path.join(tmp, 'empty')), /no Cityscapes-DVPS files/);
  });

  it('SemKITTI-DVPS: class 8-bit + instance 16-bit + depth with focal in the name; predictions *cat/*ins', () => {
    const dir = path.join(tmp, 'sk', 'val');
    const s = generateSynthSequence(5, { mode: 'semkitti-like', numFrames: 3, width: 20, height: 16 });
    s.frames[1].instance[3] = 1234; // ids above 255 need the 16-bit instance PNG
    s.frames.forEach((fr, t) => writeSemkittiDvpsFrame(dir, `000008_${String(t).padStart(6, '0')}`, fr, 20, 16, 718.8560180664062));
    assert.ok(fs.existsSync(path.join(dir, '000008_000000_depth_718.8560180664062.png')));
    const listed = listSemkittiDvps(dir);
    assert.equal(listed.length, 1); assert.equal(listed[0].frames[0].focal, 718.8560180664062);
    const back = readSemkittiDvpsSequence(listed[0], 65536);
    assert.equal(back.focal, 718.8560180664062); assert.equal(back.voidId, 255);
    assert.equal(back.frames[1].instance[3], 1234);
    assert.equal(back.frames[1].panoptic[3], s.frames[1].semantic[3] * 65536 + 1234);
    assert.ok(sameArrays(back.frames[2].semantic, s.frames[2].semantic));
    const pd = path.join(tmp, 'sk-pred');
    const L = 2 ** 20;
    const pan = Int32Array.from(s.frames[0].semantic, (c, i) => c * L + s.frames[0].instance[i]);
    writeSemkittiDvpsPrediction(pd, '000008_000000', pan, 20, 16);
    writeSemkittiDvpsPrediction(pd, '000008_000001', pan, 20, 16);
    const preds = readSemkittiDvpsPredictions(pd);
    assert.deepEqual(preds.map((p) => p.name), ['000008_000000_', '000008_000001_']);
    assert.ok(sameArrays(preds[0].panoptic, pan));
    fs.unlinkSync(path.join(dir, '000008_000002_gtFine_instance.png'));
    assert.throws(() => listSemkittiDvps(dir), /000008_000002 has no instance file/);
    fs.writeFileSync(path.join(dir, '000008_000009_depth_abc.png'), '');
    assert.throws(() => listSemkittiDvps(dir, []), /focal length 'abc'/);
  });
});

describe('vip data: non-foreground suppression (spec §8.24)', () => {
  it('a background point inside a near thin object is removed, the object stays; a lone far point stays', () => {
    const keep = nonForegroundSuppression([5, 5, 5, 30, 5, 5, 5], 1, 7, { patch: 7 });
    assert.deepEqual([...keep], [1, 1, 1, 0, 1, 1, 1]);
    assert.deepEqual([...nonForegroundSuppression([31, 31, 31, 30, 31, 31, 31], 1, 7)], [1, 1, 1, 1, 1, 1, 1]);
    // outside the window or within the margin nothing happens; invalid points are ignored
    assert.deepEqual([...nonForegroundSuppression([5, 0, 0, 0, 30], 1, 5, { patch: 3 })], [1, 0, 0, 0, 1]);
    assert.deepEqual([...nonForegroundSuppression([9.5, 10], 1, 2)], [1, 1]);
    assert.throws(() => nonForegroundSuppression([1, 2], 1, 2, { patch: 4 }), /odd/);
  });
  it('suppressBackgroundPoints voids removed points in a frame', () => {
    const s = generateSynthSequence(1, { width: 8, height: 8, numFrames: 1, noise: 0 });
    const f = s.frames[0];
    const depth = new Float32Array(64); depth[3] = 30; depth[2] = 5; // row 0: a near point next to a far one
    const { frame, removed } = suppressBackgroundPoints({ ...f, depth }, 8, 8, SYNTH_VOID, 1000);
    assert.equal(removed, 1); assert.equal(frame.depth[3], 0); assert.equal(frame.semantic[3], SYNTH_VOID); assert.equal(frame.panoptic[3], SYNTH_VOID * 1000);
    assert.equal(frame.depth[2], 5); assert.equal(frame.semantic[2], f.semantic[2]);
  });
});
