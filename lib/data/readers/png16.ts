// 16-bit PNG support on top of the project's 8-bit codec (png.ts): depth maps (uint16, depth * 256;
// KITTI, Cityscapes-DVPS, SemKITTI-DVPS) and panoptic/instance label PNGs with values > 255.
// decodePngAny returns sample values (0..255 for 8-bit files, 0..65535 for 16-bit) as a
// Uint16Array, for greyscale, grey+alpha, RGB and RGBA at bit depth 8 or 16 (palette via png.ts).
// Reference: PNG spec (ISO/IEC 15948) sections 7.2 (16-bit samples are big-endian) and 9 (filters).
import { readFileChecked } from './bytes';
import { assemblePng, decodePng, readPngChunks, unfilterPng } from './png';

export interface DecodedPngAny {
  width: number;
  height: number;
  channels: number;
  /** 8 or 16 (the file's bit depth). */
  bitDepth: number;
  /** HWC sample values. */
  data: Uint16Array;
}

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePngAny(buf: Buffer, path = '<buffer>'): DecodedPngAny {
  const what = 'decodePngAny';
  if (buf.length < 8 || !SIG.every((v, i) => buf[i] === v)) throw new Error(`${what}: ${path} does not start with the PNG signature`);
  if (buf.length < 33) throw new Error(`${what}: ${path} is truncated before the IHDR chunk`);
  const depth = buf[24], colorType = buf[25];
  if (depth === 8) {
    const p = decodePng(buf, path);
    return { width: p.width, height: p.height, channels: p.channels, bitDepth: 8, data: Uint16Array.from(p.data) };
  }
  if (depth !== 16) throw new Error(`${what}: ${path} has bit depth ${depth}; only 8- and 16-bit PNGs are supported`);
  const c = readPngChunks(buf, what, path);
  const { width, height } = c;
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`${what}: ${path} has colour type ${colorType}, not valid at 16 bits`);
  const px = unfilterPng(c, channels * 2, what, path);
  const out = new Uint16Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (px[2 * i] << 8) | px[2 * i + 1];
  return { width, height, channels, bitDepth: 16, data: out };
}

export function readPngAny(path: string): DecodedPngAny {
  return decodePngAny(readFileChecked(path, 'readPngAny'), path);
}

/** Encode HWC 16-bit samples (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as a 16-bit PNG (filter 0). */
export function encodePng16(width: number, height: number, channels: 1 | 2 | 3 | 4, data: ArrayLike<number>): Buffer {
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`encodePng16: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`encodePng16: bad size ${width}x${height}`);
  if (data.length !== width * height * channels) throw new Error(`encodePng16: ${data.length} samples for ${width}x${height}x${channels}`);
  const stride = width * channels * 2;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = data[y * width * channels + i];
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`encodePng16: sample ${v} at row ${y} is not an integer in 0..65535`);
      raw.writeUInt16BE(v, y * (stride + 1) + 1 + 2 * i);
    }
  }
  return assemblePng(width, height, 16, channels, raw);
}
