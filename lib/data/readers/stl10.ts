// STL-10 binary (https://cs.stanford.edu/~acoates/stl10/): `*_X.bin` holds uint8 [N, 3, 96, 96]
// with each channel plane stored column-major (numpy: reshape(-1,3,96,96).transpose(0,3,2,1));
// `*_y.bin` holds one byte per image, labels 1..10 (we subtract 1).
import * as fs from 'fs';
import { readFileChecked } from './bytes';

export const STL10_SIZE = 96;
const IMG = 3 * STL10_SIZE * STL10_SIZE;

export const STL10_CLASSES = ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];

/** Read `train_X.bin` / `test_X.bin` / `unlabeled_X.bin` into NHWC uint8. */
export function readStl10Images(path: string): { images: Uint8Array; n: number; shape: [number, number, number, number] } {
  const buf = readFileChecked(path, 'readStl10Images');
  if (buf.length === 0 || buf.length % IMG !== 0) {
    throw new Error(`readStl10Images: ${path} is ${buf.length} bytes, not a whole number of ${IMG}-byte 3x96x96 images; truncated or not an STL-10 _X.bin file`);
  }
  const n = buf.length / IMG;
  const s = STL10_SIZE;
  const images = new Uint8Array(n * IMG);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const plane = i * IMG + ch * s * s;
      for (let col = 0; col < s; col++) {
        for (let r = 0; r < s; r++) images[i * IMG + (r * s + col) * 3 + ch] = buf[plane + col * s + r];
      }
    }
  }
  return { images, n, shape: [n, s, s, 3] };
}

/** Read `train_y.bin` / `test_y.bin`: labels 1..10 mapped to 0..9. */
export function readStl10Labels(path: string): Int32Array {
  const buf = readFileChecked(path, 'readStl10Labels');
  const labels = new Int32Array(buf.length);
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] < 1 || buf[i] > 10) throw new Error(`readStl10Labels: ${path} byte ${i} is ${buf[i]}; STL-10 labels run 1..10`);
    labels[i] = buf[i] - 1;
  }
  return labels;
}

/** Read an images file and its labels file, checking the counts agree. */
export function readStl10(xPath: string, yPath: string): { images: Uint8Array; n: number; shape: [number, number, number, number]; labels: Int32Array } {
  const { images, n, shape } = readStl10Images(xPath);
  const labels = readStl10Labels(yPath);
  if (labels.length !== n) throw new Error(`readStl10: ${xPath} has ${n} images but ${yPath} has ${labels.length} labels`);
  return { images, n, shape, labels };
}

/** Encode NHWC images (and 0-based labels) in the STL-10 binary layout. */
export function writeStl10(xPath: string, images: Uint8Array, yPath?: string, labels?: ArrayLike<number>): void {
  if (images.length % IMG !== 0) throw new Error(`writeStl10: ${images.length} bytes is not a whole number of 96x96x3 images`);
  const n = images.length / IMG;
  const s = STL10_SIZE;
  const out = Buffer.alloc(images.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) for (let col = 0; col < s; col++) for (let r = 0; r < s; r++) {
    out[i * IMG + ch * s * s + col * s + r] = images[i * IMG + (r * s + col) * 3 + ch];
  }
  fs.writeFileSync(xPath, out);
  if (yPath && labels) fs.writeFileSync(yPath, Buffer.from(Array.from(labels, (l) => l + 1)));
}
