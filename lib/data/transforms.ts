// Deterministic whole-set transforms for the stand-ins the specs describe: pad 20->28 (OpenCV
// digits), 2x2 average pooling 28->14 (fmnist14, NR), grey -> 3 channels (shape32x3), resize.
import { ImageSet } from './types';

/** Zero-pad every image by `pad` pixels on each side (e.g. 28 -> 32, 20 -> 28 with pad 4). */
export function padImages(set: ImageSet, pad: number): ImageSet {
  const [n, h, w, c] = set.shape;
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`padImages: pad must be a non-negative integer, got ${pad}`);
  const H = h + 2 * pad, W = w + 2 * pad;
  const out = new Uint8Array(n * H * W * c);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) {
    const src = ((i * h + y) * w) * c;
    out.set(set.images.subarray(src, src + w * c), ((i * H + y + pad) * W + pad) * c);
  }
  return { ...set, images: out, shape: [n, H, W, c] };
}

/** 2x2 average pooling, rounded to the nearest integer (spec lookup-vnets `fmnist14`). */
export function avgPool2x2(set: ImageSet): ImageSet {
  const [n, h, w, c] = set.shape;
  if (h % 2 || w % 2) throw new Error(`avgPool2x2: image size ${h}x${w} is not even`);
  const H = h / 2, W = w / 2;
  const out = new Uint8Array(n * H * W * c);
  const px = (i: number, y: number, x: number, k: number) => set.images[((i * h + y) * w + x) * c + k];
  for (let i = 0; i < n; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < c; k++) {
    const s = px(i, 2 * y, 2 * x, k) + px(i, 2 * y, 2 * x + 1, k) + px(i, 2 * y + 1, 2 * x, k) + px(i, 2 * y + 1, 2 * x + 1, k);
    out[((i * H + y) * W + x) * c + k] = Math.round(s / 4);
  }
  return { ...set, images: out, shape: [n, H, W, c] };
}

/** Repeat a single channel `channels` times (grey -> RGB with identical planes). */
export function repeatChannels(set: ImageSet, channels: number): ImageSet {
  const [n, h, w, c] = set.shape;
  if (c !== 1) throw new Error(`repeatChannels: input has ${c} channels, expected 1`);
  const m = n * h * w;
  const out = new Uint8Array(m * channels);
  for (let i = 0; i < m; i++) out.fill(set.images[i], i * channels, (i + 1) * channels);
  return { ...set, images: out, shape: [n, h, w, channels] };
}

/**
 * Bilinear resize to [H, W] with half-pixel centres (align_corners = false, as
 * tf.image.resizeBilinear with halfPixelCenters), rounded back to integers ('nearest' also offered).
 */
export function resizeImages(set: ImageSet, size: [number, number], method: 'bilinear' | 'nearest' = 'bilinear'): ImageSet {
  const [n, h, w, c] = set.shape;
  const [H, W] = size;
  if (!(H > 0 && W > 0 && Number.isInteger(H) && Number.isInteger(W))) throw new Error(`resizeImages: size must be two positive integers, got [${size}]`);
  const out = new Uint8Array(n * H * W * c);
  const sy = h / H, sx = w / W;
  for (let i = 0; i < n; i++) for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), dy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), dx = fx - x0;
      for (let k = 0; k < c; k++) {
        const o = ((i * H + y) * W + x) * c + k;
        if (method === 'nearest') {
          const ny = Math.min(Math.floor((y + 0.5) * sy), h - 1), nx = Math.min(Math.floor((x + 0.5) * sx), w - 1);
          out[o] = set.images[((i * h + ny) * w + nx) * c + k];
          continue;
        }
        const p = (yy: number, xx: number) => set.images[((i * h + yy) * w + xx) * c + k];
        const v = (1 - dy) * ((1 - dx) * p(y0, x0) + dx * p(y0, x1)) + dy * ((1 - dx) * p(y1, x0) + dx * p(y1, x1));
        out[o] = Math.round(v);
      }
    }
  }
  return { ...set, images: out, shape: [n, H, W, c] };
}
