// Tiny ImageNet folder reader (tiny-imagenet-200/): wnids.txt gives the class order, train/<wnid>/images/*.JPEG
// (500 per class), val/images + val/val_annotations.txt (tab-separated: file, wnid, bbox). The paper's
// "10,000 test images" are the labelled validation set [ours]. The folder-of-JPEG decoding is lib/data's
// (readJpegImages, pure-JS jpeg-js), or any decoder the caller passes. Grayscale JPEGs come out as 3
// equal channels.
import * as fs from 'fs';
import * as path from 'path';
import type { ImageSet } from '../../data/types';
import { listJpegs, readJpegImages, type ImageDecoder } from '../../data/readers/jpeg';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA bytes (jpeg-js layout). */
  data: Uint8Array;
}
export type JpegDecoder = ImageDecoder;

export function parseWnids(text: string): { wnids: string[]; index: Map<string, number> } {
  const wnids = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  const index = new Map<string, number>();
  wnids.forEach((w, i) => {
    if (index.has(w)) throw new Error(`wnids.txt: duplicate wnid '${w}' at line ${i + 1}`);
    index.set(w, i);
  });
  return { wnids, index };
}

export interface ValAnnotation { file: string; wnid: string; label: number; bbox: [number, number, number, number] }

export function parseValAnnotations(text: string, index: Map<string, number>): ValAnnotation[] {
  const out: ValAnnotation[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    if (f.length < 2) throw new Error(`val_annotations.txt line ${i + 1}: expected tab-separated 'file wnid x0 y0 x1 y1', got '${line}'`);
    const label = index.get(f[1]);
    if (label === undefined) throw new Error(`val_annotations.txt line ${i + 1}: wnid '${f[1]}' is not in wnids.txt`);
    const bb = f.slice(2, 6).map(Number);
    out.push({ file: f[0], wnid: f[1], label, bbox: [bb[0] ?? 0, bb[1] ?? 0, bb[2] ?? 0, bb[3] ?? 0] });
  });
  return out;
}

export interface TinyImageNetOptions {
  split: 'train' | 'val';
  /** Keep at most this many images per class (train) or in total (val). */
  limit?: number;
  /** Use only the first `classes` wnids. */
  classes?: number;
  decode?: JpegDecoder;
  size?: number;
}

/** Read tiny-imagenet-200 into an ImageSet of 64x64x3 raw 0..255 pixels. */
export function readTinyImageNet(root: string, opts: TinyImageNetOptions): ImageSet {
  const need = (p: string) => {
    if (!fs.existsSync(p)) throw new Error(`readTinyImageNet: missing ${p} (expected the tiny-imagenet-200 folder layout)`);
    return p;
  };
  const { wnids, index } = parseWnids(fs.readFileSync(need(path.join(root, 'wnids.txt')), 'utf8'));
  const nClasses = Math.min(opts.classes ?? wnids.length, wnids.length);
  const S = opts.size ?? 64;
  const files: { file: string; label: number }[] = [];
  if (opts.split === 'train') {
    for (let c = 0; c < nClasses; c++) {
      const dir = need(path.join(root, 'train', wnids[c], 'images'));
      const list = listJpegs(dir);
      for (const f of list.slice(0, opts.limit ?? list.length)) files.push({ file: f, label: c });
    }
  } else if (opts.split === 'val') {
    const ann = parseValAnnotations(fs.readFileSync(need(path.join(root, 'val', 'val_annotations.txt')), 'utf8'), index)
      .filter((a) => a.label < nClasses);
    for (const a of ann.slice(0, opts.limit ?? ann.length)) files.push({ file: path.join(root, 'val', 'images', a.file), label: a.label });
  } else {
    throw new Error(`readTinyImageNet: split must be 'train' or 'val', got '${opts.split as string}'`);
  }
  files.forEach(({ file }) => need(file));
  const { images } = readJpegImages(files.map((f) => f.file), { size: S, channels: 3, decode: opts.decode });
  const labels = Int32Array.from(files, (f) => f.label);
  return { images, labels, shape: [files.length, S, S, 3], classNames: wnids.slice(0, nClasses), maxValue: 255, source: `${root} (${opts.split})` };
}
