// SemKITTI-DVPS file layout (R: joe-siyuan-qiao/ViP-DeepLab semkitti-dvps/, spec §5.1), in
// video_sequence/{train,val}/:
//   {seq:06d}_{frame:06d}_leftImg8bit.png         RGB image (KITTI odometry image_2)
//   {seq:06d}_{frame:06d}_gtFine_class.png        class ids 0-18, 255 = void (sparse)
//   {seq:06d}_{frame:06d}_gtFine_instance.png     instance ids (may exceed 255: read 8 or 16 bit)
//   {seq:06d}_{frame:06d}_depth_{focal}.png       16-bit depth * 256, 0 = invalid; focal length in px
// The official eval uses id = class * 2^20 + instance (deeplab2 uses 65536); the divisor is an option.
// Predictions: `*cat.png` (class) and `*ins.png` (instance), matched to GT by sorted name, plus
// 16-bit depth * 256 PNGs.
import * as fs from 'fs';
import * as path from 'path';
import { encodePng } from '../../../data/readers/png';
import { encodePng16 } from '../../../data/readers/png16';
import { ensureDir, listDir, readDepthPng, readLabelPng, readRgbPng, writeDepthPng } from './files';
import { DvpsFrame, DvpsSequenceBase } from './types';

export const SEMKITTI_DVPS_LABEL_DIVISOR = 2 ** 20;
export const SEMKITTI_DVPS_VOID = 255;
export const SEMKITTI_DVPS_CLASS_NAMES = [
  'car', 'bicycle', 'motorcycle', 'truck', 'other-vehicle', 'person', 'bicyclist', 'motorcyclist',
  'road', 'parking', 'sidewalk', 'other-ground', 'building', 'fence', 'vegetation', 'trunk', 'terrain', 'pole', 'traffic-sign',
] as const;

const NAME = /^(\d{6})_(\d{6})_(leftImg8bit|gtFine_class|gtFine_instance|depth_(.+))\.png$/;

export interface SemkittiDvpsFileFrame {
  /** `{seq}_{frame}`. */
  prefix: string;
  sequenceId: string;
  frameId: string;
  image?: string;
  cls?: string;
  instance?: string;
  depth?: string;
  /** Focal length parsed from the depth file name (px). */
  focal?: number;
}

export interface SemkittiDvpsFileSequence { sequenceId: string; frames: SemkittiDvpsFileFrame[] }

export type SemkittiPart = 'image' | 'cls' | 'instance' | 'depth';

export function listSemkittiDvps(dir: string, require: SemkittiPart[] = ['image', 'cls', 'instance', 'depth']): SemkittiDvpsFileSequence[] {
  const what = 'listSemkittiDvps';
  const byPrefix = new Map<string, SemkittiDvpsFileFrame>();
  for (const name of listDir(dir, what)) {
    const m = NAME.exec(name);
    if (!m) continue;
    const prefix = `${m[1]}_${m[2]}`;
    let f = byPrefix.get(prefix);
    if (!f) { f = { prefix, sequenceId: m[1], frameId: m[2] }; byPrefix.set(prefix, f); }
    const file = path.join(dir, name);
    if (m[3] === 'leftImg8bit') f.image = file;
    else if (m[3] === 'gtFine_class') f.cls = file;
    else if (m[3] === 'gtFine_instance') f.instance = file;
    else {
      const focal = Number(m[4]);
      if (!(focal > 0)) throw new Error(`${what}: ${name}: focal length '${m[4]}' in the depth file name is not a positive number`);
      f.depth = file; f.focal = focal;
    }
  }
  if (byPrefix.size === 0) throw new Error(`${what}: no SemKITTI-DVPS files ({seq}_{frame}_{leftImg8bit|gtFine_class|gtFine_instance|depth_<focal>}.png) in ${dir}`);
  const suffix: Record<SemkittiPart, string> = { image: 'leftImg8bit.png', cls: 'gtFine_class.png', instance: 'gtFine_instance.png', depth: 'depth_<focal>.png' };
  const seqs = new Map<string, SemkittiDvpsFileFrame[]>();
  for (const f of [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1))) {
    for (const part of require) {
      if (!f[part]) throw new Error(`${what}: frame ${f.prefix} has no ${part} file (${path.join(dir, `${f.prefix}_${suffix[part]}`)} is missing)`);
    }
    if (!seqs.has(f.sequenceId)) seqs.set(f.sequenceId, []);
    seqs.get(f.sequenceId)!.push(f);
  }
  return [...seqs.entries()].map(([sequenceId, frames]) => ({ sequenceId, frames }));
}

export function readSemkittiDvpsFrame(
  f: SemkittiDvpsFileFrame, index = 0, labelDivisor = SEMKITTI_DVPS_LABEL_DIVISOR,
): DvpsFrame & { width: number; height: number; focal?: number } {
  const what = 'readSemkittiDvpsFrame';
  let W = -1, H = -1;
  const size = (file: string, w: number, h: number) => {
    if (W < 0) { W = w; H = h; } else if (w !== W || h !== H) throw new Error(`${what}: ${file} is ${w}x${h}, the frame's other files are ${W}x${H}`);
  };
  let image: Uint8Array | undefined, cls: Int32Array | undefined, ins: Int32Array | undefined, depth: Float32Array | undefined;
  if (f.image) { const r = readRgbPng(f.image, what); size(f.image, r.width, r.height); image = r.image; }
  if (f.cls) { const r = readLabelPng(f.cls, what); size(f.cls, r.width, r.height); cls = r.values; }
  if (f.instance) { const r = readLabelPng(f.instance, what); size(f.instance, r.width, r.height); ins = r.values; }
  if (f.depth) { const d = readDepthPng(f.depth); size(f.depth, d.width, d.height); depth = d.depth; }
  if (W < 0) throw new Error(`${what}: frame ${f.prefix} has no files`);
  const n = W * H;
  const semantic = cls ?? new Int32Array(n).fill(SEMKITTI_DVPS_VOID);
  const instance = ins ?? new Int32Array(n);
  const panoptic = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (instance[i] >= labelDivisor) throw new Error(`${what}: ${f.instance}: instance id ${instance[i]} >= labelDivisor ${labelDivisor}`);
    const v = semantic[i] * labelDivisor + instance[i];
    if (v > 2147483647) throw new Error(`${what}: id class ${semantic[i]} * ${labelDivisor} + ${instance[i]} overflows int32; use a smaller labelDivisor`);
    panoptic[i] = v;
  }
  return { index, width: W, height: H, focal: f.focal, image: image ?? new Uint8Array(3 * n), semantic, instance, panoptic, depth: depth ?? new Float32Array(n) };
}

export function readSemkittiDvpsSequence(seq: SemkittiDvpsFileSequence, labelDivisor = SEMKITTI_DVPS_LABEL_DIVISOR): DvpsSequenceBase & { focal?: number } {
  const frames = seq.frames.map((f, i) => readSemkittiDvpsFrame(f, i, labelDivisor));
  const { width, height } = frames[0];
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new Error(`readSemkittiDvpsSequence: frame ${seq.frames[i].prefix} is ${f.width}x${f.height}, frame 0 is ${width}x${height}`);
  });
  return {
    name: `semkitti-dvps-${seq.sequenceId}`, width, height, labelDivisor, voidId: SEMKITTI_DVPS_VOID, focal: frames[0].focal,
    frames: frames.map(({ width: _w, height: _h, focal: _f, ...fr }) => fr),
  };
}

/** Write GT-format files of one frame (image, class 8-bit, instance 16-bit, depth with focal in the name). */
export function writeSemkittiDvpsFrame(dir: string, prefix: string, frame: DvpsFrame, width: number, height: number, focal: number): void {
  const what = 'writeSemkittiDvpsFrame';
  if (!/^\d{6}_\d{6}$/.test(prefix)) throw new Error(`${what}: prefix '${prefix}' must be {seq:06d}_{frame:06d}`);
  if (!(focal > 0)) throw new Error(`${what}: focal must be > 0, got ${focal}`);
  const n = width * height;
  if (frame.semantic.length !== n || frame.image.length !== 3 * n || frame.depth.length !== n) throw new Error(`${what}: frame arrays do not match ${width}x${height}`);
  ensureDir(dir);
  const cls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (frame.semantic[i] < 0 || frame.semantic[i] > 255) throw new Error(`${what}: class ${frame.semantic[i]} does not fit 8 bits`);
    cls[i] = frame.semantic[i];
  }
  fs.writeFileSync(path.join(dir, `${prefix}_leftImg8bit.png`), encodePng(width, height, 3, frame.image));
  fs.writeFileSync(path.join(dir, `${prefix}_gtFine_class.png`), encodePng(width, height, 1, cls));
  fs.writeFileSync(path.join(dir, `${prefix}_gtFine_instance.png`), encodePng16(width, height, 1, frame.instance));
  writeDepthPng(path.join(dir, `${prefix}_depth_${focal}.png`), frame.depth, width, height);
}

/** Prediction files of the official script: `{prefix}_cat.png` (8-bit), `{prefix}_ins.png` (16-bit), optional depth. */
export function writeSemkittiDvpsPrediction(
  panDir: string, prefix: string, panoptic: Int32Array, width: number, height: number,
  opts: { labelDivisor?: number; depth?: ArrayLike<number>; depthDir?: string } = {},
): void {
  const what = 'writeSemkittiDvpsPrediction';
  const L = opts.labelDivisor ?? SEMKITTI_DVPS_LABEL_DIVISOR;
  const n = width * height;
  if (panoptic.length !== n) throw new Error(`${what}: ${panoptic.length} ids for ${width}x${height}`);
  const cat = new Uint8Array(n), ins = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(panoptic[i] / L), k = panoptic[i] % L;
    if (c < 0 || c > 255 || k > 65535) throw new Error(`${what}: id ${panoptic[i]} (class ${c}, instance ${k}) does not fit 8-bit class / 16-bit instance PNGs`);
    cat[i] = c; ins[i] = k;
  }
  ensureDir(panDir);
  fs.writeFileSync(path.join(panDir, `${prefix}_cat.png`), encodePng(width, height, 1, cat));
  fs.writeFileSync(path.join(panDir, `${prefix}_ins.png`), encodePng16(width, height, 1, ins));
  if (opts.depth) {
    if (!opts.depthDir) throw new Error(`${what}: depth given without depthDir`);
    writeDepthPng(path.join(opts.depthDir, `${prefix}.png`), opts.depth, width, height);
  }
}

/** Read `*cat.png` / `*ins.png` prediction pairs of a directory, matched by sorted name as the official script. */
export function readSemkittiDvpsPredictions(panDir: string, labelDivisor = SEMKITTI_DVPS_LABEL_DIVISOR): { name: string; width: number; height: number; panoptic: Int32Array }[] {
  const what = 'readSemkittiDvpsPredictions';
  const names = listDir(panDir, what);
  const cats = names.filter((n) => n.endsWith('cat.png')), inss = names.filter((n) => n.endsWith('ins.png'));
  if (cats.length !== inss.length) throw new Error(`${what}: ${panDir} has ${cats.length} *cat.png but ${inss.length} *ins.png files`);
  return cats.map((c, i) => {
    const a = readLabelPng(path.join(panDir, c), what), b = readLabelPng(path.join(panDir, inss[i]), what);
    if (a.width !== b.width || a.height !== b.height) throw new Error(`${what}: ${c} is ${a.width}x${a.height} but ${inss[i]} is ${b.width}x${b.height}`);
    const pan = new Int32Array(a.values.length);
    for (let j = 0; j < pan.length; j++) pan[j] = a.values[j] * labelDivisor + b.values[j];
    return { name: c.slice(0, -'cat.png'.length), width: a.width, height: a.height, panoptic: pan };
  });
}
