// Seeded synthetic detection scenes ("ShapesDet", spec 5.2): shapes of several classes and a wide
// range of sizes on textured backgrounds, with occlusion, occluder bars and distractor fragments,
// annotated in COCO format from the *visible* masks (bbox, area = visible pixels, RLE, iscrowd 0).
// Image i of makeScenes({seed}) is generated from seed + i alone, so any image can be regenerated
// by itself and two splits with disjoint seed ranges never share an image.
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../util/random';
import type { AreaRanges, CocoAnnotation, CocoDataset, CocoImage } from './coco/types';
import { encodeMask } from './coco/rle';
import { areaRangesFromSides } from './coco/params';
import { makeBackground } from './scene-background';
import { SHAPE_CLASSES, maskSum, rasterBar, rasterShape, shapeRadius, type ShapeClass, type ShapeSpec } from './scene-shapes';

export { SHAPE_CLASSES, type ShapeClass } from './scene-shapes';

/** Default classes (spec 5.2): disc, square, triangle and frame (hollow square). */
export const DEFAULT_SCENE_CLASSES: ShapeClass[] = ['square', 'disc', 'triangle', 'frame'];

export interface SceneOptions {
  /** Number of images. */
  n: number;
  /** Seed of image 0; image i uses seed + i. */
  seed: number;
  /** Canvas side in pixels (square images). Default 64. */
  size?: number;
  /** Classes; category id = index + 1, label = index. Default DEFAULT_SCENE_CLASSES. */
  classes?: ShapeClass[];
  /** Objects per image [min, max], uniform. Default [1, 6]. */
  objects?: [number, number];
  /** Object side/diameter range [min, max] in px, log-uniform. Default [6, 48] * size / 64. */
  sizeRange?: [number, number];
  /** Largest hidden fraction of an annotated object (0..1). Default 0.6 (spec: up to 60% hidden). */
  maxOcclusion?: number;
  /** Smallest visible pixel count of an annotated object. Default 12. */
  minVisiblePx?: number;
  /** Occluder bars of background texture painted over objects [min, max]. Default [0, 2]. */
  occluderBars?: [number, number];
  /** Unlabelled distractor fragments (half discs, short bars) painted behind objects [min, max]. Default [0, 3]. */
  distractors?: [number, number];
  /** Gaussian pixel noise sigma. Default 0.03. */
  noise?: number;
  /** Background texture amplitude (0 = smooth gradient only). Default 1. */
  texture?: number;
  /** Largest rotation of squares, frames and crosses, degrees. Default 30 (triangles rotate freely). */
  maxRotationDeg?: number;
  /** Id of image 0 (ids are consecutive). Default 1. */
  firstImageId?: number;
}

/** Per-image training targets (same objects as the COCO annotations, in the same order). */
export interface SceneTargets {
  imageId: number;
  /** [nObj * 4] boxes [x1, y1, x2, y2] in pixel-edge coordinates (tight box of the visible mask). */
  boxes: Float32Array;
  /** [nObj] contiguous labels 0..K-1 (category id = label + 1). */
  labels: Int32Array;
  /** [nObj] visible pixel counts (= COCO area). */
  areas: Float32Array;
  /** [nObj] hidden fraction of the full shape, 0..1. */
  occlusion: Float32Array;
  /** Visible masks, row-major size*size. */
  masks: Uint8Array[];
}

export interface SceneSet {
  /** [n, size, size, 3] float32 in [0, 1] (NHWC). Caller disposes. */
  images: tf.Tensor4D;
  /** COCO instances: images, annotations (bbox, area, iscrowd 0, RLE segmentation, occlusion), categories. */
  coco: CocoDataset;
  targets: SceneTargets[];
  classes: ShapeClass[];
  /** COCO-like area ranges at this canvas scale: small < (12*size/64)^2, large > (24*size/64)^2 (spec 5.2). */
  areaRng: AreaRanges;
  /** The options with defaults filled in. */
  config: Required<SceneOptions>;
}

/** One rendered scene before batching. */
export interface Scene {
  /** HWC float32 in [0, 1]. */
  pixels: Float32Array;
  size: number;
  objects: { cls: ShapeClass; label: number; shape: ShapeSpec; visible: Uint8Array; area: number; fullArea: number; occlusion: number; box: [number, number, number, number] }[];
}

/** COCO-like small/medium/large limits scaled to a canvas (12 and 24 px sides at 64 px). */
export function sceneAreaRanges(size: number): AreaRanges {
  return areaRangesFromSides((12 * size) / 64, (24 * size) / 64);
}

function resolve(o: SceneOptions): Required<SceneOptions> {
  const known = new Set(['n', 'seed', 'size', 'classes', 'objects', 'sizeRange', 'maxOcclusion', 'minVisiblePx', 'occluderBars', 'distractors', 'noise', 'texture', 'maxRotationDeg', 'firstImageId']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`makeScenes: unknown option '${k}' (known: ${[...known].join(', ')})`);
  if (!(Number.isInteger(o.n) && o.n >= 0)) throw new Error(`makeScenes: n must be a non-negative integer, got ${o.n}`);
  if (!Number.isFinite(o.seed)) throw new Error(`makeScenes: seed must be a finite number, got ${o.seed}`);
  const size = o.size ?? 64;
  if (!(Number.isInteger(size) && size >= 16)) throw new Error(`makeScenes: size must be an integer >= 16, got ${size}`);
  const classes = o.classes ?? DEFAULT_SCENE_CLASSES;
  if (classes.length === 0) throw new Error('makeScenes: classes must not be empty');
  for (const c of classes) if (!SHAPE_CLASSES.includes(c)) throw new Error(`makeScenes: unknown shape class '${c}' (known: ${SHAPE_CLASSES.join(', ')})`);
  if (new Set(classes).size !== classes.length) throw new Error('makeScenes: classes must be distinct');
  const range = (name: string, r: [number, number] | undefined, def: [number, number], int: boolean): [number, number] => {
    const v = r ?? def;
    if (v.length !== 2 || !(v[0] <= v[1]) || v[0] < 0 || (int && !(Number.isInteger(v[0]) && Number.isInteger(v[1])))) {
      throw new Error(`makeScenes: ${name} must be [min, max] with 0 <= min <= max${int ? ' (integers)' : ''}, got ${JSON.stringify(v)}`);
    }
    return [v[0], v[1]];
  };
  const cfg: Required<SceneOptions> = {
    n: o.n, seed: o.seed, size, classes: [...classes],
    objects: range('objects', o.objects, [1, 6], true),
    sizeRange: range('sizeRange', o.sizeRange, [(6 * size) / 64, (48 * size) / 64], false),
    maxOcclusion: o.maxOcclusion ?? 0.6,
    minVisiblePx: o.minVisiblePx ?? 12,
    occluderBars: range('occluderBars', o.occluderBars, [0, 2], true),
    distractors: range('distractors', o.distractors, [0, 3], true),
    noise: o.noise ?? 0.03, texture: o.texture ?? 1, maxRotationDeg: o.maxRotationDeg ?? 30,
    firstImageId: o.firstImageId ?? 1,
  };
  if (cfg.sizeRange[0] <= 0 || cfg.sizeRange[1] > size) throw new Error(`makeScenes: sizeRange must lie in (0, size=${size}], got ${JSON.stringify(cfg.sizeRange)}`);
  if (!(cfg.maxOcclusion >= 0 && cfg.maxOcclusion < 1)) throw new Error(`makeScenes: maxOcclusion must be in [0, 1), got ${cfg.maxOcclusion}`);
  if (!(cfg.noise >= 0)) throw new Error(`makeScenes: noise must be >= 0, got ${cfg.noise}`);
  return cfg;
}

function randomColor(rng: Rng): [number, number, number] {
  return [rng.next(), rng.next(), rng.next()];
}

/** A colour far enough (L1 >= 0.6) from the background under the shape, so objects are visible. */
function contrastingColor(rng: Rng, bg: Float32Array, mask: Uint8Array): [number, number, number] {
  const mean = [0, 0, 0];
  let cnt = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) { for (let c = 0; c < 3; c++) mean[c] += bg[i * 3 + c]; cnt++; }
  if (cnt) for (let c = 0; c < 3; c++) mean[c] /= cnt;
  let best = randomColor(rng), bestD = -1;
  for (let k = 0; k < 8; k++) {
    const col = k === 0 ? best : randomColor(rng);
    const d = Math.abs(col[0] - mean[0]) + Math.abs(col[1] - mean[1]) + Math.abs(col[2] - mean[2]);
    if (d > bestD) { best = col; bestD = d; }
    if (d >= 0.6) break;
  }
  return best;
}

function paint(px: Float32Array, mask: Uint8Array, col: [number, number, number]): void {
  for (let i = 0; i < mask.length; i++) if (mask[i]) { px[i * 3] = col[0]; px[i * 3 + 1] = col[1]; px[i * 3 + 2] = col[2]; }
}

function paintFrom(px: Float32Array, mask: Uint8Array, src: Float32Array): void {
  for (let i = 0; i < mask.length; i++) if (mask[i]) { px[i * 3] = src[i * 3]; px[i * 3 + 1] = src[i * 3 + 1]; px[i * 3 + 2] = src[i * 3 + 2]; }
}

function tightBox(mask: Uint8Array, size: number): [number, number, number, number] {
  let x1 = size, y1 = size, x2 = -1, y2 = -1;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (mask[y * size + x]) {
    if (x < x1) x1 = x; if (x > x2) x2 = x; if (y < y1) y1 = y; if (y > y2) y2 = y;
  }
  return [x1, y1, x2 + 1, y2 + 1];
}

/**
 * Renders one scene from its own seed. Objects are placed one at a time on top of the earlier ones;
 * a placement (or an occluder bar) is rejected and re-drawn if it would hide more than maxOcclusion
 * of an earlier object or leave it fewer than minVisiblePx pixels, so every annotated object stays
 * recognisable and no painted object goes unlabelled.
 */
export function makeScene(seed: number, opts: Omit<SceneOptions, 'n' | 'seed'> = {}): Scene {
  const cfg = resolve({ ...opts, n: 1, seed });
  const { size } = cfg;
  const rng = makeRng(seed);
  const rBg = rng.fork('background'), rObj = rng.fork('objects'), rDis = rng.fork('distractors'), rBar = rng.fork('bars'), rNoise = rng.fork('noise');
  const bg = makeBackground(rBg, size, size, cfg.texture);
  const px = bg.slice();
  const HW = size * size;

  // Distractors: fragments (half discs, short thick bars) behind every object, unlabelled.
  const nDis = cfg.distractors[0] + rDis.int(cfg.distractors[1] - cfg.distractors[0] + 1);
  for (let k = 0; k < nDis; k++) {
    const s = cfg.sizeRange[0] + rDis.next() * (cfg.sizeRange[1] - cfg.sizeRange[0]) * 0.6;
    const cx = rDis.next() * size, cy = rDis.next() * size, ang = rDis.next() * Math.PI * 2;
    let m: Uint8Array;
    if (rDis.next() < 0.5) {
      const disc = rasterShape({ cls: 'disc', cx, cy, size: s, angle: 0 }, size, size);
      const c = Math.cos(ang), sn = Math.sin(ang);
      m = disc.map((v, i) => (v && ((i % size) + 0.5 - cx) * c + (Math.floor(i / size) + 0.5 - cy) * sn > 0 ? 1 : 0));
    } else m = rasterBar(cx, cy, s, Math.max(1, s / 5), ang, size, size);
    paint(px, m, contrastingColor(rDis, bg, m));
  }

  type Obj = Scene['objects'][number] & { full: Uint8Array };
  const objs: Obj[] = [];
  const occlusionOk = (cover: Uint8Array): boolean => objs.every((o) => {
    let vis = 0;
    for (let i = 0; i < HW; i++) if (o.visible[i] && !cover[i]) vis++;
    return vis >= cfg.minVisiblePx && vis >= (1 - cfg.maxOcclusion) * o.fullArea;
  });
  const applyCover = (cover: Uint8Array) => {
    for (const o of objs) for (let i = 0; i < HW; i++) if (cover[i]) o.visible[i] = 0;
  };

  const nObj = cfg.objects[0] + rObj.int(cfg.objects[1] - cfg.objects[0] + 1);
  const [smin, smax] = cfg.sizeRange;
  const rot = (cfg.maxRotationDeg * Math.PI) / 180;
  for (let k = 0; k < nObj; k++) {
    const label = rObj.int(cfg.classes.length);
    const cls = cfg.classes[label];
    for (let attempt = 0; attempt < 20; attempt++) {
      const s = Math.exp(Math.log(smin) + rObj.next() * (Math.log(smax) - Math.log(smin)));
      const angle = cls === 'triangle' ? rObj.next() * 2 * Math.PI : cls === 'disc' || cls === 'ring' ? 0 : (rObj.next() * 2 - 1) * rot;
      const shape: ShapeSpec = { cls, cx: 0, cy: 0, size: s, angle };
      const r = Math.min(shapeRadius(shape), size / 2);
      shape.cx = r + rObj.next() * (size - 2 * r);
      shape.cy = r + rObj.next() * (size - 2 * r);
      const full = rasterShape(shape, size, size);
      const fullArea = maskSum(full);
      if (fullArea < cfg.minVisiblePx) continue;
      if (!occlusionOk(full)) continue;
      applyCover(full);
      paint(px, full, contrastingColor(rObj, px, full));
      objs.push({ cls, label, shape, full, visible: full.slice(), area: fullArea, fullArea, occlusion: 0, box: [0, 0, 0, 0] });
      break;
    }
  }

  // Occluder bars of background texture over the objects (hide parts without adding a new object).
  const nBars = cfg.occluderBars[0] + rBar.int(cfg.occluderBars[1] - cfg.occluderBars[0] + 1);
  for (let k = 0; k < nBars; k++) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const bar = rasterBar(rBar.next() * size, rBar.next() * size, size * (0.3 + 0.5 * rBar.next()), Math.max(1.5, size * (0.03 + 0.04 * rBar.next())), rBar.next() * Math.PI, size, size);
      if (!occlusionOk(bar)) continue;
      applyCover(bar);
      paintFrom(px, bar, bg);
      break;
    }
  }

  if (cfg.noise > 0) for (let i = 0; i < px.length; i++) px[i] += cfg.noise * rNoise.normal();
  for (let i = 0; i < px.length; i++) px[i] = px[i] < 0 ? 0 : px[i] > 1 ? 1 : px[i];

  return {
    pixels: px, size,
    objects: objs.map((o) => {
      const area = maskSum(o.visible);
      return { cls: o.cls, label: o.label, shape: o.shape, visible: o.visible, area, fullArea: o.fullArea, occlusion: 1 - area / o.fullArea, box: tightBox(o.visible, size) };
    }),
  };
}

/**
 * `n` scenes (image i from seed + i) as an NHWC tensor plus COCO annotations and per-image targets.
 * Annotation ids are 1..N in image order; category ids are 1..K in `classes` order.
 */
export function makeScenes(opts: SceneOptions): SceneSet {
  const cfg = resolve(opts);
  const { n, size } = cfg;
  const data = new Float32Array(n * size * size * 3);
  const images: CocoImage[] = [], annotations: CocoAnnotation[] = [], targets: SceneTargets[] = [];
  let annId = 1;
  const sceneOpts: Omit<SceneOptions, 'n' | 'seed'> = { ...cfg };
  delete (sceneOpts as Partial<SceneOptions>).n;
  delete (sceneOpts as Partial<SceneOptions>).seed;
  for (let i = 0; i < n; i++) {
    const sc = makeScene(cfg.seed + i, sceneOpts);
    data.set(sc.pixels, i * size * size * 3);
    const imageId = cfg.firstImageId + i;
    images.push({ id: imageId, width: size, height: size, file_name: `scene_${cfg.seed + i}.png`, seed: cfg.seed + i });
    const m = sc.objects.length;
    const t: SceneTargets = { imageId, boxes: new Float32Array(m * 4), labels: new Int32Array(m), areas: new Float32Array(m), occlusion: new Float32Array(m), masks: [] };
    sc.objects.forEach((o, j) => {
      const [x1, y1, x2, y2] = o.box;
      t.boxes.set(o.box, j * 4); t.labels[j] = o.label; t.areas[j] = o.area; t.occlusion[j] = o.occlusion; t.masks.push(o.visible);
      annotations.push({
        id: annId++, image_id: imageId, category_id: o.label + 1, bbox: [x1, y1, x2 - x1, y2 - y1], area: o.area, iscrowd: 0,
        segmentation: encodeMask(o.visible, size, size), occlusion: o.occlusion,
      });
    });
    targets.push(t);
  }
  const coco: CocoDataset = {
    info: { description: 'collab-vision synthetic detection scenes (ShapesDet)', seed: cfg.seed, n, size },
    images, annotations,
    categories: cfg.classes.map((c, k) => ({ id: k + 1, name: c, supercategory: 'shape' })),
  };
  return { images: tf.tensor4d(data, [n, size, size, 3]), coco, targets, classes: cfg.classes, areaRng: sceneAreaRanges(size), config: cfg };
}
