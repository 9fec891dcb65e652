// JPEG decoding (pure JS, the `jpeg-js` package) and folder-of-JPEG reading into one uint8 NHWC
// array: enough for ImageNet-style class folders (Tiny ImageNet, MiniImageNet, ILSVRC subsets) on
// any backend, without libjpeg. Baseline and progressive JPEG; grayscale files come out as 3 equal
// channels from the decoder and are reduced exactly when 1 channel is asked for.
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { readFileChecked } from './bytes';

export interface DecodedJpeg {
  width: number;
  height: number;
  /** 3 (RGB) or 1 (gray). */
  channels: 1 | 3;
  /** HWC, row-major. */
  data: Uint8Array;
}

/** Any decoder of image bytes to RGBA (jpeg-js layout), RGB or gray pixels (channels = data.length / (w*h)). */
export type ImageDecoder = (bytes: Uint8Array, file: string) => { width: number; height: number; data: Uint8Array };

/** Decode JPEG bytes to RGB (or gray with channels = 1: luma 0.299R + 0.587G + 0.114B, exact for gray files). */
export function decodeJpeg(bytes: Uint8Array, file = '<buffer>', o: { channels?: 1 | 3; maxMegapixels?: number } = {}): DecodedJpeg {
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    // tolerantDecoding off: a truncated or damaged file is an error, not a silently grey image.
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: o.maxMegapixels ?? 100 });
  } catch (e) {
    throw new Error(`decodeJpeg: ${file} is not a readable JPEG (${(e as Error).message})`);
  }
  if (!(raw.width > 0 && raw.height > 0) || raw.data.length !== raw.width * raw.height * 3) {
    throw new Error(`decodeJpeg: ${file} decoded to ${raw.data.length} bytes for ${raw.width}x${raw.height} (corrupt JPEG?)`);
  }
  const rgb = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  if ((o.channels ?? 3) === 3) return { width: raw.width, height: raw.height, channels: 3, data: rgb };
  const gray = new Uint8Array(raw.width * raw.height);
  for (let p = 0; p < gray.length; p++) {
    const r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2];
    gray[p] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width: raw.width, height: raw.height, channels: 1, data: gray };
}

/** Read and decode one JPEG file (clear errors for a missing or corrupt file). */
export function readJpeg(file: string, o: { channels?: 1 | 3 } = {}): DecodedJpeg {
  return decodeJpeg(new Uint8Array(readFileChecked(file, 'JPEG image')), file, o);
}

/** The JPEG files of a folder (*.jpg / *.jpeg, any case), sorted by name, as full paths. */
export function listJpegs(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`listJpegs: missing folder ${dir}`);
  return fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(dir, f));
}

/**
 * Decode `files` into one uint8 NHWC array [N, size, size, channels]. Every image must already be
 * size x size (no resizing here: a wrong size is an error naming the file). `decode` replaces the
 * JPEG decoder (e.g. for PNG folders); its output may be RGBA, RGB or gray.
 */
export function readJpegImages(files: string[], o: { size: number; channels?: 1 | 3; decode?: ImageDecoder }): { images: Uint8Array; shape: [number, number, number, number] } {
  const S = o.size, C = o.channels ?? 3;
  if (!Number.isInteger(S) || S <= 0) throw new Error(`readJpegImages: size must be a positive integer, got ${S}`);
  const images = new Uint8Array(files.length * S * S * C);
  files.forEach((file, i) => {
    if (!fs.existsSync(file)) throw new Error(`readJpegImages: missing ${file}`);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const img = o.decode ? o.decode(bytes, file) : decodeJpeg(bytes, file);
    if (img.width !== S || img.height !== S) throw new Error(`readJpegImages: ${file} is ${img.width}x${img.height}, expected ${S}x${S}`);
    const ch = img.data.length / (S * S); // 4 (RGBA), 3 (RGB) or 1 (gray)
    if (![1, 3, 4].includes(ch)) throw new Error(`readJpegImages: ${file}: decoder returned ${img.data.length} bytes for ${S}x${S}`);
    const base = i * S * S * C;
    for (let p = 0; p < S * S; p++) {
      if (C === 3) for (let c = 0; c < 3; c++) images[base + p * 3 + c] = img.data[p * ch + (ch === 1 ? 0 : c)];
      else {
        const r = img.data[p * ch], g = img.data[p * ch + (ch === 1 ? 0 : 1)], b = img.data[p * ch + (ch === 1 ? 0 : 2)];
        images[base + p] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      }
    }
  });
  return { images, shape: [files.length, S, S, C] };
}
