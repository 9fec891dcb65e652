// MNIST / Fashion-MNIST IDX files (http://yann.lecun.com/exdb/mnist/ "FILE FORMATS").
// Header: 2 zero bytes, a type byte (0x08 = unsigned byte), a byte with the number of dims,
// then one big-endian int32 per dim; images are magic 2051 = 0x00000803 [n, rows, cols] and
// labels 2049 = 0x00000801 [n]. Files may be gzip-compressed.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { readMaybeGzip, view } from './bytes';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parse an IDX byte buffer (uint8 payload only: the type every MNIST-family file uses). */
export function parseIdx(buf: Buffer, path = '<buffer>'): IdxArray {
  const what = 'readIdx';
  if (buf.length < 4) throw new Error(`${what}: ${path} is ${buf.length} bytes, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(`${what}: ${path} has bad magic number 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')} (IDX files start with two zero bytes; expected 0x00000803 for images or 0x00000801 for labels)`);
  }
  if (buf[2] !== 0x08) {
    throw new Error(`${what}: ${path} has data type 0x${buf[2].toString(16)}; only unsigned byte (0x08) IDX files are supported`);
  }
  const ndims = buf[3];
  if (ndims < 1 || ndims > 4) throw new Error(`${what}: ${path} declares ${ndims} dimensions; expected 1 (labels) to 4`);
  const headerLen = 4 + 4 * ndims;
  if (buf.length < headerLen) throw new Error(`${what}: ${path} is truncated inside its header (${buf.length} bytes, header needs ${headerLen})`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = buf.length - headerLen;
  if (actual !== expected) {
    throw new Error(`${what}: ${path} has dims [${dims.join(', ')}] = ${expected} bytes of data but ${actual} bytes follow the header (${actual < expected ? 'truncated' : 'trailing garbage'})`);
  }
  return { dims, data: view(buf, headerLen, expected) };
}

/** Read a (possibly gzipped) IDX file. */
export function readIdx(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path, 'readIdx'), path);
}

/** Read an IDX image file (magic 2051): uint8 [n, rows, cols]. */
export function readIdxImages(path: string): { images: Uint8Array; n: number; rows: number; cols: number; shape: [number, number, number, number] } {
  const a = readIdx(path);
  if (a.dims.length !== 3) {
    throw new Error(`readIdxImages: ${path} has ${a.dims.length} dims (magic 0x${(0x800 + a.dims.length).toString(16).padStart(8, '0')}); an image file has 3 (magic 0x00000803 = 2051)`);
  }
  const [n, rows, cols] = a.dims;
  return { images: a.data, n, rows, cols, shape: [n, rows, cols, 1] };
}

/** Read an IDX label file (magic 2049) into Int32 labels. */
export function readIdxLabels(path: string): Int32Array {
  const a = readIdx(path);
  if (a.dims.length !== 1) {
    throw new Error(`readIdxLabels: ${path} has ${a.dims.length} dims (magic 0x${(0x800 + a.dims.length).toString(16).padStart(8, '0')}); a label file has 1 (magic 0x00000801 = 2049)`);
  }
  return Int32Array.from(a.data);
}

/** Encode uint8 data with the given dims as IDX bytes. */
export function encodeIdx(dims: number[], data: Uint8Array): Buffer {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`encodeIdx: dims [${dims}] need ${n} bytes, got ${data.length}`);
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.length)]);
}

/** Write an IDX file; gzip it when the path ends in .gz. */
export function writeIdx(path: string, dims: number[], data: Uint8Array): void {
  const b = encodeIdx(dims, data);
  fs.writeFileSync(path, path.endsWith('.gz') ? zlib.gzipSync(b, { level: 9 }) : b);
}
