// Cityscapes-DVPS file layout (R: joe-siyuan-qiao/ViP-DeepLab cityscapes-dvps/, spec §5.1), in
// video_sequence/{train,val}/:
//   {seq:06d}_{frame:06d}_{city}_{cityscapesSeq}_{cityscapesFrame}_leftImg8bit.png   RGB image
//   ..._gtFine_instanceTrainIds.png   16-bit panoptic: trainId * 1000 + instance (void category 32)
//   ..._depth.png                     16-bit depth * 256, 0 = invalid
// Frames are grouped by the sequence-id prefix and sorted by name (as eval_dvpq.py does).
// Predictions for the official script: one PNG per frame with channel 0 = class, channel 1 =
// instance (uint8 each), depth predictions as 16-bit depth * 256 PNGs; both grouped by the same prefix.
import * as fs from 'fs';
import * as path from 'path';
import { encodePng } from '../../../data/readers/png';
import { encodePng16, readPngAny } from '../../../data/readers/png16';
import { listDir, readDepthPng, readRgbPng, writeDepthPng, ensureDir } from './files';
import { DvpsFrame, DvpsSequenceBase } from './types';

export const CITYSCAPES_DVPS_LABEL_DIVISOR = 1000;
export const CITYSCAPES_DVPS_VOID = 32;
export const CITYSCAPES_DVPS_CLASS_NAMES = [
  'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation', 'terrain', 'sky',
  'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
] as const;

const NAME = /^(\d{6})_(\d{6})_(.+)_(leftImg8bit|gtFine_instanceTrainIds|depth)\.png$/;

export type DvpsPart = 'image' | 'panoptic' | 'depth';

export interface CityscapesDvpsFileFrame {
  /** `{seq}_{frame}_{city}_{cseq}_{cframe}`, shared by the frame's files. */
  prefix: string;
  sequenceId: string;
  frameId: string;
  image?: string;
  panoptic?: string;
  depth?: string;
}

export interface CityscapesDvpsFileSequence { sequenceId: string; frames: CityscapesDvpsFileFrame[] }

/**
 * Group the files of one split directory into sequences. `require` lists the parts every frame
 * must have (default all three); a frame missing one is an error that names the missing file.
 */
export function listCityscapesDvps(dir: string, require: DvpsPart[] = ['image', 'panoptic', 'depth']): CityscapesDvpsFileSequence[] {
  const what = 'listCityscapesDvps';
  const byPrefix = new Map<string, CityscapesDvpsFileFrame>();
  for (const name of listDir(dir, what)) {
    const m = NAME.exec(name);
    if (!m) continue;
    const prefix = `${m[1]}_${m[2]}_${m[3]}`;
    let f = byPrefix.get(prefix);
    if (!f) { f = { prefix, sequenceId: m[1], frameId: m[2] }; byPrefix.set(prefix, f); }
    const part: DvpsPart = m[4] === 'leftImg8bit' ? 'image' : m[4] === 'depth' ? 'depth' : 'panoptic';
    f[part] = path.join(dir, name);
  }
  if (byPrefix.size === 0) throw new Error(`${what}: no Cityscapes-DVPS files ({seq}_{frame}_{city}_..._{leftImg8bit|gtFine_instanceTrainIds|depth}.png) in ${dir}`);
  const suffix: Record<DvpsPart, string> = { image: 'leftImg8bit', panoptic: 'gtFine_instanceTrainIds', depth: 'depth' };
  const seqs = new Map<string, CityscapesDvpsFileFrame[]>();
  for (const f of [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1))) {
    for (const part of require) {
      if (!f[part]) throw new Error(`${what}: frame ${f.prefix} has no ${part} file (${path.join(dir, `${f.prefix}_${suffix[part]}.png`)} is missing)`);
    }
    if (!seqs.has(f.sequenceId)) seqs.set(f.sequenceId, []);
    seqs.get(f.sequenceId)!.push(f);
  }
  return [...seqs.entries()].map(([sequenceId, frames]) => ({ sequenceId, frames }));
}

function checkSize(what: string, file: string, w: number, h: number, W: number, H: number): void {
  if (w !== W || h !== H) throw new Error(`${what}: ${file} is ${w}x${h}, the frame's other files are ${W}x${H}`);
}

/** Decode one frame's files. Semantic = panoptic / 1000 (void stays category 32), instance = panoptic % 1000. */
export function readCityscapesDvpsFrame(f: CityscapesDvpsFileFrame, index = 0): DvpsFrame & { width: number; height: number } {
  const what = 'readCityscapesDvpsFrame';
  let W = -1, H = -1;
  const size = (file: string, w: number, h: number) => { if (W < 0) { W = w; H = h; } else checkSize(what, file, w, h, W, H); };
  let image: Uint8Array | undefined, panoptic: Int32Array | undefined, depth: Float32Array | undefined;
  if (f.image) { const r = readRgbPng(f.image, what); size(f.image, r.width, r.height); image = r.image; }
  if (f.panoptic) {
    const p = readPngAny(f.panoptic);
    if (p.channels !== 1) throw new Error(`${what}: ${f.panoptic} has ${p.channels} channels; the GT panoptic PNG is single-channel trainId*1000+instance`);
    size(f.panoptic, p.width, p.height); panoptic = Int32Array.from(p.data);
  }
  if (f.depth) { const d = readDepthPng(f.depth); size(f.depth, d.width, d.height); depth = d.depth; }
  if (W < 0) throw new Error(`${what}: frame ${f.prefix} has no files`);
  const n = W * H, L = CITYSCAPES_DVPS_LABEL_DIVISOR;
  panoptic = panoptic ?? new Int32Array(n).fill(CITYSCAPES_DVPS_VOID * L);
  const semantic = new Int32Array(n), instance = new Int32Array(n);
  for (let i = 0; i < n; i++) { semantic[i] = Math.floor(panoptic[i] / L); instance[i] = panoptic[i] % L; }
  return { index, width: W, height: H, image: image ?? new Uint8Array(3 * n), semantic, instance, panoptic, depth: depth ?? new Float32Array(n) };
}

/** All frames of one listed sequence, checked to share one size. */
export function readCityscapesDvpsSequence(seq: CityscapesDvpsFileSequence): DvpsSequenceBase {
  const frames = seq.frames.map((f, i) => readCityscapesDvpsFrame(f, i));
  const { width, height } = frames[0];
  frames.forEach((f, i) => checkSize('readCityscapesDvpsSequence', seq.frames[i].prefix, f.width, f.height, width, height));
  return {
    name: `cityscapes-dvps-${seq.sequenceId}`, width, height, labelDivisor: CITYSCAPES_DVPS_LABEL_DIVISOR, voidId: CITYSCAPES_DVPS_VOID,
    frames: frames.map(({ width: _w, height: _h, ...fr }) => fr),
  };
}

/** Write GT-format files of one frame (used by tests and to export synthetic data in this layout). */
export function writeCityscapesDvpsFrame(dir: string, prefix: string, frame: DvpsFrame, width: number, height: number): void {
  const what = 'writeCityscapesDvpsFrame';
  if (!/^\d{6}_\d{6}_.+/.test(prefix)) throw new Error(`${what}: prefix '${prefix}' must look like {seq:06d}_{frame:06d}_{city}_{cseq}_{cframe}`);
  const n = width * height;
  if (frame.panoptic.length !== n || frame.image.length !== 3 * n || frame.depth.length !== n) throw new Error(`${what}: frame arrays do not match ${width}x${height}`);
  ensureDir(dir);
  fs.writeFileSync(path.join(dir, `${prefix}_leftImg8bit.png`), encodePng(width, height, 3, frame.image));
  const pan = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = frame.panoptic[i];
    if (v < 0 || v > 65535) throw new Error(`${what}: panoptic id ${v} does not fit a 16-bit PNG`);
    pan[i] = v;
  }
  fs.writeFileSync(path.join(dir, `${prefix}_gtFine_instanceTrainIds.png`), encodePng16(width, height, 1, pan));
  writeDepthPng(path.join(dir, `${prefix}_depth.png`), frame.depth, width, height);
}

/**
 * Write a prediction in the official script's format: `{panDir}/{prefix}.png` with channels
 * [class, instance, 0] (uint8) and, if given, `{depthDir}/{prefix}.png` as 16-bit depth * 256.
 */
export function writeCityscapesDvpsPrediction(
  panDir: string, prefix: string, panoptic: Int32Array, width: number, height: number,
  opts: { labelDivisor?: number; depth?: ArrayLike<number>; depthDir?: string } = {},
): void {
  const what = 'writeCityscapesDvpsPrediction';
  const L = opts.labelDivisor ?? CITYSCAPES_DVPS_LABEL_DIVISOR;
  const n = width * height;
  if (panoptic.length !== n) throw new Error(`${what}: ${panoptic.length} ids for ${width}x${height}`);
  const rgb = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(panoptic[i] / L), ins = panoptic[i] % L;
    if (c < 0 || c > 255 || ins > 255) throw new Error(`${what}: id ${panoptic[i]} (class ${c}, instance ${ins}) does not fit the uint8 [class, instance] PNG`);
    rgb[3 * i] = c; rgb[3 * i + 1] = ins;
  }
  ensureDir(panDir);
  fs.writeFileSync(path.join(panDir, `${prefix}.png`), encodePng(width, height, 3, rgb));
  if (opts.depth) {
    if (!opts.depthDir) throw new Error(`${what}: depth given without depthDir`);
    writeDepthPng(path.join(opts.depthDir, `${prefix}.png`), opts.depth, width, height);
  }
}

/** Read a prediction PNG written in the official format back to class * L + instance ids. */
export function readCityscapesDvpsPrediction(file: string, labelDivisor = CITYSCAPES_DVPS_LABEL_DIVISOR): { width: number; height: number; panoptic: Int32Array } {
  const p = readPngAny(file);
  if (p.channels < 2) throw new Error(`readCityscapesDvpsPrediction: ${file} has ${p.channels} channel(s); predictions need [class, instance] channels`);
  const n = p.width * p.height, pan = new Int32Array(n);
  for (let i = 0; i < n; i++) pan[i] = p.data[i * p.channels] * labelDivisor + p.data[i * p.channels + 1];
  return { width: p.width, height: p.height, panoptic: pan };
}
