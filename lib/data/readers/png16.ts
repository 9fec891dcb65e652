// 16-bit PNG support on top of the project's 8-bit codec (png.ts): depth maps (uint16, depth * 256;
// KITTI, Cityscapes-DVPS, SemKITTI-DVPS) and panoptic/instance label PNGs with values > 255.
// decodePngAny returns sample values (0..255 for 8-bit files, 0..65535 for 16-bit) as a
// Uint16Array, for greyscale, grey+alpha, RGB and RGBA at bit depth 8 or 16 (palette via png.ts).
// Reference: PNG spec (ISO/IEC 15948) sections 7.2 (16-bit samples are big-endian) and 9 (filters).
import * as zlib from 'zlib';
import { readFileChecked } from './bytes';
import { crc32, decodePng } from './png';

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
  let off = 8, width = 0, height = 0, interlace = 0, sawEnd = false, sawHeader = false;
  const idat: Buffer[] = [];
  while (off + 12 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('latin1');
    if (off + 12 + len > buf.length) throw new Error(`${what}: ${path} is truncated inside chunk ${type} at byte ${off}`);
    if (crc32(buf, off + 4, off + 8 + len) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`${what}: ${path}: CRC mismatch in chunk ${type} at byte ${off}; corrupt file`);
    const data = buf.subarray(off + 8, off + 8 + len);
    off += 12 + len;
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); interlace = data[12]; sawHeader = true; }
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') { sawEnd = true; break; }
  }
  if (!sawHeader) throw new Error(`${what}: ${path} has no IHDR chunk`);
  if (!sawEnd) throw new Error(`${what}: ${path} has no IEND chunk; the file is truncated`);
  if (interlace !== 0) throw new Error(`${what}: ${path} is Adam7-interlaced; only non-interlaced PNGs are supported`);
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`${what}: ${path} has colour type ${colorType}, not valid at 16 bits`);
  let raw: Buffer;
  try { raw = zlib.inflateSync(Buffer.concat(idat)); } catch (e) {
    throw new Error(`${what}: ${path}: image data does not inflate (${(e as Error).message})`);
  }
  const bpp = channels * 2, stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error(`${what}: ${path}: image data has ${raw.length} bytes, ${width}x${height} needs ${height * (stride + 1)}`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp] : 0;
      const b = y > 0 ? px[dst - stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[dst - stride + x - bpp] : 0;
      let v = raw[src + x];
      switch (f) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`${what}: ${path}: row ${y} has unknown filter type ${f}; corrupt file`);
      }
      px[dst + x] = v & 0xff;
    }
  }
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
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16; ihdr[9] = colorType;
  const stride = width * channels * 2;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = data[y * width * channels + i];
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`encodePng16: sample ${v} at row ${y} is not an integer in 0..65535`);
      raw.writeUInt16BE(v, y * (stride + 1) + 1 + 2 * i);
    }
  }
  return Buffer.concat([Buffer.from(SIG), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
