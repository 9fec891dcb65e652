// Minimal PNG encoder (8-bit grey, grey+alpha, RGB or RGBA; no interlace) on node's zlib, so image
// grids can embed real images as data URLs without a canvas dependency.
import * as zlib from 'zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array, crc = 0xffffffff): number {
  for (let i = 0; i < buf.length; i++) crc = CRC_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data.buffer, data.byteOffset, data.length).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const COLOR_TYPE: { [channels: number]: number } = { 1: 0, 2: 4, 3: 2, 4: 6 };

/**
 * Encode HWC uint8 pixels as PNG. `channels` 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).
 * `scale` > 1 enlarges by pixel replication so small images (28x28) stay crisp when displayed.
 */
export function encodePNG(pixels: Uint8Array, width: number, height: number, channels = 1, scale = 1): Buffer {
  if (!(channels in COLOR_TYPE)) throw new Error(`encodePNG: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`encodePNG: bad size ${width}x${height}`);
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePNG: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  }
  const s = Math.max(1, Math.floor(scale));
  const W = width * s, H = height * s;
  const stride = W * channels + 1;
  const raw = Buffer.alloc(stride * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / s);
    const row = y * stride; // filter byte 0 (None) at raw[row]
    for (let x = 0; x < W; x++) {
      const src = (sy * width + Math.floor(x / s)) * channels;
      const dst = row + 1 + x * channels;
      for (let c = 0; c < channels; c++) raw[dst + c] = pixels[src + c];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function pngDataURL(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
