// The storage claim made concrete: a data set stored in the compressed code (per-channel indices
// floor(v/c), ceil(log2 K) bits each, MSB-first packed) and read back. With c = 16 a 32x32x3 image
// takes 1536 bytes instead of 3072 (paper: "the image storage space can be saved one half").
import * as fs from 'fs';
import type { ImageSet } from '../../data/types';
import { binRange, bitsPerChannel, numEntries, packIndices, unpackIndices } from './codes';

export interface CompressedSet {
  cmpRate: number;
  bits: number;
  shape: [number, number, number, number];
  labels: Int32Array;
  classNames: string[];
  /** Packed indices of every pixel channel, NHWC order. */
  packed: Uint8Array;
}

/** Encode raw 0..255 pixels into packed CMP-rate-c indices. */
export function encodeImageSet(set: ImageSet, cmpRate: number): CompressedSet {
  if (set.maxValue !== 255) throw new Error(`encodeImageSet: expects 0..255 pixels (maxValue 255), got maxValue ${set.maxValue}; rescale first`);
  const K = numEntries(cmpRate);
  const q = new Uint8Array(set.images.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.floor(set.images[i] / cmpRate);
  if (K > 256) throw new Error('encodeImageSet: internal: K > 256');
  const bits = bitsPerChannel(cmpRate);
  return { cmpRate, bits, shape: [...set.shape] as CompressedSet['shape'], labels: Int32Array.from(set.labels), classNames: set.classNames.slice(), packed: packIndices(q, bits) };
}

/** The stored indices q (uint8, NHWC): what a Lookup-VNet with the same CMP-rate reads its tables with. */
export function decodeIndices(cs: CompressedSet): Uint8Array {
  const [n, h, w, c] = cs.shape;
  return unpackIndices(cs.packed, cs.bits, n * h * w * c);
}

/**
 * Back to an ImageSet of intensities: each index becomes the lowest intensity of its bin (k*c), so
 * floor(v'/c) = k and the Lookup-VNet sees exactly the same input as from the original image.
 */
export function decodeImageSet(cs: CompressedSet): ImageSet {
  const q = decodeIndices(cs);
  const lo = new Uint8Array(numEntries(cs.cmpRate));
  for (let k = 0; k < lo.length; k++) lo[k] = binRange(k, cs.cmpRate)[0];
  const images = new Uint8Array(q.length);
  for (let i = 0; i < q.length; i++) images[i] = lo[q[i]];
  return { images, shape: [...cs.shape] as ImageSet['shape'], labels: Int32Array.from(cs.labels), classNames: cs.classNames.slice(), maxValue: 255, source: `compressed(c=${cs.cmpRate})` };
}

const MAGIC = 0x4c564e43; // "LVNC"

/** Serialise: header (magic, version, c, bits, N, H, W, C, #classes), class names, labels, packed bytes. */
export function serializeCompressed(cs: CompressedSet): Buffer {
  const names = Buffer.from(JSON.stringify(cs.classNames), 'utf8');
  const head = Buffer.alloc(4 * 10);
  [MAGIC, 1, cs.cmpRate, cs.bits, ...cs.shape, names.length].forEach((v, i) => head.writeUInt32BE(v, 4 * i));
  head.writeUInt32BE(cs.labels.length, 36);
  const labels = Buffer.alloc(4 * cs.labels.length);
  cs.labels.forEach((v, i) => labels.writeInt32BE(v, 4 * i));
  return Buffer.concat([head, names, labels, Buffer.from(cs.packed)]);
}

export function deserializeCompressed(buf: Uint8Array, what = 'compressed set'): CompressedSet {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 40 || b.readUInt32BE(0) !== MAGIC) throw new Error(`${what}: not a Lookup-VNet compressed set (bad magic)`);
  const cmpRate = b.readUInt32BE(8), bits = b.readUInt32BE(12);
  const shape = [b.readUInt32BE(16), b.readUInt32BE(20), b.readUInt32BE(24), b.readUInt32BE(28)] as CompressedSet['shape'];
  const nameLen = b.readUInt32BE(32), nLabels = b.readUInt32BE(36);
  if (bits !== bitsPerChannel(cmpRate)) throw new Error(`${what}: header says ${bits} bits for c = ${cmpRate}, expected ${bitsPerChannel(cmpRate)}`);
  const classNames = JSON.parse(b.subarray(40, 40 + nameLen).toString('utf8')) as string[];
  const labels = new Int32Array(nLabels);
  let off = 40 + nameLen;
  for (let i = 0; i < nLabels; i++, off += 4) labels[i] = b.readInt32BE(off);
  const need = Math.ceil((shape.reduce((a, x) => a * x, 1) * bits) / 8);
  const packed = new Uint8Array(b.subarray(off, off + need));
  if (packed.length !== need) throw new Error(`${what}: truncated, ${packed.length} of ${need} packed bytes`);
  return { cmpRate, bits, shape, labels, classNames, packed };
}

export function saveCompressed(path: string, cs: CompressedSet): number {
  const buf = serializeCompressed(cs);
  fs.writeFileSync(path, buf);
  return buf.length;
}

export function loadCompressed(path: string): CompressedSet {
  if (!fs.existsSync(path)) throw new Error(`loadCompressed: file not found: ${path}`);
  return deserializeCompressed(fs.readFileSync(path), path);
}
