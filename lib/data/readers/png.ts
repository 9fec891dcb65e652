// A small PNG decoder (8-bit, non-interlaced; greyscale, grey+alpha, RGB, RGBA, palette) using
// node's zlib: enough for OpenCV's digits.png and image grids, without an npm dependency.
// Reference: PNG spec (ISO/IEC 15948), sections 5 (chunks), 9 (filters), 11 (IHDR/PLTE).
import * as zlib from 'zlib';
import { readFileChecked } from './bytes';

export interface DecodedPng {
  width: number;
  height: number;
  /** 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA); palette images decode to 3 or 4. */
  channels: number;
  /** HWC, row-major. */
  data: Uint8Array;
}

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The chunks a decoder needs, CRC-checked; errors name the file and what is wrong. */
export interface PngChunks {
  width: number; height: number; depth: number; colorType: number; interlace: number;
  palette: Buffer | null; trns: Buffer | null; idat: Buffer[];
}

export function readPngChunks(buf: Buffer, what: string, path: string): PngChunks {
  if (buf.length < 8 || !SIG.every((v, i) => buf[i] === v)) throw new Error(`${what}: ${path} does not start with the PNG signature`);
  const c: PngChunks = { width: 0, height: 0, depth: 0, colorType: -1, interlace: 0, palette: null, trns: null, idat: [] };
  let off = 8, sawEnd = false;
  while (off + 12 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('latin1');
    if (off + 12 + len > buf.length) throw new Error(`${what}: ${path} is truncated inside chunk ${type} at byte ${off}`);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (crc32(buf, off + 4, off + 8 + len) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`${what}: ${path}: CRC mismatch in chunk ${type} at byte ${off}; corrupt file`);
    off += 12 + len;
    if (type === 'IHDR') {
      c.width = data.readUInt32BE(0); c.height = data.readUInt32BE(4);
      c.depth = data[8]; c.colorType = data[9]; c.interlace = data[12];
    } else if (type === 'PLTE') c.palette = data;
    else if (type === 'tRNS') c.trns = data;
    else if (type === 'IDAT') c.idat.push(data);
    else if (type === 'IEND') { sawEnd = true; break; }
  }
  if (c.colorType < 0) throw new Error(`${what}: ${path} has no IHDR chunk`);
  if (!sawEnd) throw new Error(`${what}: ${path} has no IEND chunk; the file is truncated`);
  if (c.interlace !== 0) throw new Error(`${what}: ${path} is Adam7-interlaced; only non-interlaced PNGs are supported`);
  return c;
}

/** Inflate the IDAT stream and undo the per-row filters: `height` rows of `width * bpp` bytes. */
export function unfilterPng(c: PngChunks, bpp: number, what: string, path: string): Uint8Array {
  const { width, height } = c;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(c.idat));
  } catch (e) {
    throw new Error(`${what}: ${path}: image data does not inflate (${(e as Error).message})`);
  }
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error(`${what}: ${path}: image data has ${raw.length} bytes, ${width}x${height} needs ${height * (stride + 1)}`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp] : 0;
      const b = y > 0 ? px[dst - stride + x] : 0;
      const cc = x >= bpp && y > 0 ? px[dst - stride + x - bpp] : 0;
      let v = raw[src + x];
      switch (f) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - cc, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - cc);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : cc;
          break;
        }
        default: throw new Error(`${what}: ${path}: row ${y} has unknown filter type ${f}; corrupt file`);
      }
      px[dst + x] = v & 0xff;
    }
  }
  return px;
}

export function decodePng(buf: Buffer, path = '<buffer>'): DecodedPng {
  const what = 'decodePng';
  const c = readPngChunks(buf, what, path);
  const { width, height, depth, colorType, palette, trns } = c;
  if (depth !== 8) throw new Error(`${what}: ${path} has bit depth ${depth}; only 8-bit PNGs are supported`);
  const srcCh = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!srcCh) throw new Error(`${what}: ${path} has unknown colour type ${colorType}`);
  const px = unfilterPng(c, srcCh, what, path);
  if (colorType !== 3) return { width, height, channels: srcCh, data: px };
  if (!palette) throw new Error(`${what}: ${path} is a palette image without a PLTE chunk`);
  const ch = trns ? 4 : 3;
  const out = new Uint8Array(width * height * ch);
  for (let i = 0; i < width * height; i++) {
    const k = px[i];
    out[i * ch] = palette[k * 3]; out[i * ch + 1] = palette[k * 3 + 1]; out[i * ch + 2] = palette[k * 3 + 2];
    if (ch === 4) out[i * ch + 3] = trns && k < trns.length ? trns[k] : 255;
  }
  return { width, height, channels: ch, data: out };
}

export function readPng(path: string): DecodedPng {
  return decodePng(readFileChecked(path, 'readPng'), path);
}

/** Greyscale copy (ITU-R 601 luma, as OpenCV's cvtColor) of a decoded PNG; alpha is dropped. */
export function pngToGray(p: DecodedPng): Uint8Array {
  if (p.channels === 1) return p.data;
  const n = p.width * p.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (p.channels <= 2) out[i] = p.data[i * p.channels];
    else {
      const o = i * p.channels;
      out[i] = Math.round(0.299 * p.data[o] + 0.587 * p.data[o + 1] + 0.114 * p.data[o + 2]);
    }
  }
  return out;
}

/** A PNG file from filtered scanlines `raw` (each row: filter byte + samples). */
export function assemblePng(width: number, height: number, bitDepth: 8 | 16, channels: 1 | 2 | 3 | 4, raw: Buffer): Buffer {
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
  ihdr[8] = bitDepth; ihdr[9] = colorType;
  return Buffer.concat([Buffer.from(SIG), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Encode 8-bit HWC pixels as a PNG (filter 0); used by tests and figure exports. */
export function encodePng(width: number, height: number, channels: 1 | 2 | 3 | 4, data: Uint8Array): Buffer {
  if (data.length !== width * height * channels) throw new Error(`encodePng: ${data.length} bytes for ${width}x${height}x${channels}`);
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return assemblePng(width, height, 8, channels, raw);
}
