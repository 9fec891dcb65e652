// Backgrounds for the synthetic scenes: a smooth colour gradient plus two octaves of value noise
// (bilinearly upsampled random grids), so the detector cannot find objects by "anything that is not
// flat". Values are RGB in [0, 1], stored HWC.
import type { Rng } from '../../util/random';

function valueNoise(rng: Rng, height: number, width: number, cells: number): Float32Array {
  const g = cells + 1;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const fy = ((y + 0.5) / height) * cells, iy = Math.min(cells - 1, Math.floor(fy)), ty = fy - iy;
    for (let x = 0; x < width; x++) {
      const fx = ((x + 0.5) / width) * cells, ix = Math.min(cells - 1, Math.floor(fx)), tx = fx - ix;
      const a = grid[iy * g + ix], b = grid[iy * g + ix + 1], c = grid[(iy + 1) * g + ix], d = grid[(iy + 1) * g + ix + 1];
      out[y * width + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

/** Random background [height*width*3]: base colour, linear gradient, coarse + fine value noise. */
export function makeBackground(rng: Rng, height: number, width: number, texture = 1): Float32Array {
  const base = [0.25 + 0.5 * rng.next(), 0.25 + 0.5 * rng.next(), 0.25 + 0.5 * rng.next()];
  const ang = rng.next() * 2 * Math.PI, gAmp = 0.25 * rng.next();
  const tint = [rng.next() - 0.5, rng.next() - 0.5, rng.next() - 0.5];
  const coarse = valueNoise(rng, height, width, 3);
  const fine = valueNoise(rng, height, width, Math.max(4, Math.round(width / 5)));
  const out = new Float32Array(height * width * 3);
  const gx = Math.cos(ang), gy = Math.sin(ang);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = y * width + x;
    const t = ((x / width - 0.5) * gx + (y / height - 0.5) * gy) * gAmp;
    const n = texture * (0.12 * coarse[i] + 0.06 * fine[i]);
    for (let ch = 0; ch < 3; ch++) out[i * 3 + ch] = base[ch] + t + n * (1 + tint[ch]);
  }
  return out;
}
