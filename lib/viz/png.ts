// PNG output for image grids: integer upscaling (so 28x28 digits stay crisp when displayed) on top
// of the project's one PNG codec (lib/data/readers/png.ts), and data URLs for vega-lite image marks.
import { encodePng } from '../data/readers/png';

/**
 * Encode HWC uint8 pixels as PNG. `channels` 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).
 * `scale` > 1 enlarges by pixel replication.
 */
export function encodePNG(pixels: Uint8Array, width: number, height: number, channels = 1, scale = 1): Buffer {
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`encodePNG: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`encodePNG: bad size ${width}x${height}`);
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePNG: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  }
  const s = Math.max(1, Math.floor(scale));
  if (s === 1) return encodePng(width, height, channels as 1 | 2 | 3 | 4, pixels);
  const W = width * s, H = height * s;
  const big = new Uint8Array(W * H * channels);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / s);
    for (let x = 0; x < W; x++) {
      const src = (sy * width + Math.floor(x / s)) * channels;
      const dst = (y * W + x) * channels;
      for (let c = 0; c < channels; c++) big[dst + c] = pixels[src + c];
    }
  }
  return encodePng(W, H, channels as 1 | 2 | 3 | 4, big);
}

export function pngDataURL(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
