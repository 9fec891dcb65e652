// Shared file helpers of the DVPS readers: directory listing with clear errors and the 16-bit depth
// PNG format of KITTI / Cityscapes-DVPS / SemKITTI-DVPS (uint16, value = depth * 256, 0 = invalid).
import * as fs from 'fs';
import * as path from 'path';
import { encodePng16, readPngAny } from '../../../data/readers/png16';

export function listDir(dir: string, what: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`${what}: directory ${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${what}: ${dir} is not a directory`);
  return fs.readdirSync(dir).sort();
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

export interface DepthImage { width: number; height: number; depth: Float32Array }

/** Read a uint16 depth PNG into metres (value / 256; 0 stays 0 = invalid). */
export function readDepthPng(file: string): DepthImage {
  const p = readPngAny(file);
  if (p.channels !== 1 || p.bitDepth !== 16) {
    throw new Error(`readDepthPng: ${file} is a ${p.bitDepth}-bit ${p.channels}-channel PNG; depth maps are 16-bit greyscale (depth * 256)`);
  }
  const depth = new Float32Array(p.data.length);
  for (let i = 0; i < depth.length; i++) depth[i] = p.data[i] / 256;
  return { width: p.width, height: p.height, depth };
}

/** Write metres as a uint16 depth PNG (round(depth * 256), clipped to 65535; <= 0 or NaN -> 0). */
export function writeDepthPng(file: string, depth: ArrayLike<number>, width: number, height: number): void {
  if (depth.length !== width * height) throw new Error(`writeDepthPng: ${depth.length} values for ${width}x${height}`);
  const v = new Uint16Array(depth.length);
  for (let i = 0; i < v.length; i++) {
    const d = depth[i];
    v[i] = d > 0 ? Math.min(65535, Math.round(d * 256)) : 0;
  }
  ensureDir(path.dirname(file));
  fs.writeFileSync(file, encodePng16(width, height, 1, v));
}

/** Read an 8- or 16-bit single-channel label PNG as Int32 values. */
export function readLabelPng(file: string, what: string): { width: number; height: number; values: Int32Array } {
  const p = readPngAny(file);
  if (p.channels !== 1) throw new Error(`${what}: ${file} has ${p.channels} channels; expected a single-channel label PNG`);
  return { width: p.width, height: p.height, values: Int32Array.from(p.data) };
}

/** Read an RGB(A) or greyscale image as HWC RGB uint8. */
export function readRgbPng(file: string, what: string): { width: number; height: number; image: Uint8Array } {
  const p = readPngAny(file);
  const n = p.width * p.height;
  const image = new Uint8Array(3 * n);
  const scale = p.bitDepth === 16 ? 1 / 257 : 1;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const src = p.channels >= 3 ? p.data[i * p.channels + c] : p.data[i * p.channels];
      image[3 * i + c] = Math.round(src * scale);
    }
  }
  if (![1, 2, 3, 4].includes(p.channels)) throw new Error(`${what}: ${file} has ${p.channels} channels`);
  return { width: p.width, height: p.height, image };
}
