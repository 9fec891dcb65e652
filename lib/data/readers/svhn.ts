// SVHN "format 2" cropped digits (http://ufldl.stanford.edu/housenumbers/): `train_32x32.mat`,
// `test_32x32.mat`, `extra_32x32.mat`, MATLAB v5 files with X uint8 [32, 32, 3, N] (column-major:
// row fastest, then column, channel, image) and y double [N, 1] holding 1..10, where 10 is digit 0.
import { MatArray, readMat5 } from './mat5';

export interface SvhnSet {
  images: Uint8Array; // [n, 32, 32, 3] NHWC
  n: number;
  shape: [number, number, number, number];
  labels: Int32Array; // 0..9
}

export function svhnFromMat(vars: Record<string, MatArray>, path = '<buffer>'): SvhnSet {
  const X = vars.X;
  const y = vars.y;
  if (!X) throw new Error(`readSvhnMat: ${path} has no variable 'X' (found: ${Object.keys(vars).join(', ') || 'none'})`);
  if (!y) throw new Error(`readSvhnMat: ${path} has no variable 'y' (found: ${Object.keys(vars).join(', ')})`);
  if (X.class !== 'uint8') throw new Error(`readSvhnMat: ${path}: X is ${X.class}, expected uint8`);
  const d = X.dims;
  if (d.length !== 4 || d[2] !== 3) throw new Error(`readSvhnMat: ${path}: X has dims [${d}], expected [H, W, 3, N]`);
  const [h, w, c, n] = d;
  if (y.data.length !== n) throw new Error(`readSvhnMat: ${path}: y has ${y.data.length} entries for ${n} images in X`);
  const src = X.data as Uint8Array;
  const images = new Uint8Array(n * h * w * c);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const base = i * plane * c + ch * plane; // column-major: index = r + h*col + h*w*ch + h*w*c*i
      for (let col = 0; col < w; col++) {
        for (let r = 0; r < h; r++) images[((i * h + r) * w + col) * c + ch] = src[base + col * h + r];
      }
    }
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = y.data[i];
    if (!Number.isInteger(v) || v < 1 || v > 10) throw new Error(`readSvhnMat: ${path}: y[${i}] = ${v}, expected an integer label 1..10`);
    labels[i] = v === 10 ? 0 : v; // SVHN stores digit 0 as label 10
  }
  return { images, n, shape: [n, h, w, c], labels };
}

/** Read an SVHN format-2 `.mat` file; labels are mapped so that 10 becomes 0. */
export function readSvhnMat(path: string): SvhnSet {
  return svhnFromMat(readMat5(path), path);
}
