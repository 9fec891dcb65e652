// NumPy .npy arrays (format versions 1.0, 2.0, 3.0): the exchange format for features extracted
// elsewhere (spec ch2 5.4: `[N, n]` float32 activations + int labels). C order only.
// Reference: numpy/lib/format.py docstring.
import * as fs from 'fs';
import { readMaybeGzip } from './bytes';

export type NpyData = Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
export interface NpyArray { dtype: string; shape: number[]; data: NpyData }

const MAGIC = '\x93NUMPY';
const ctors: Record<string, [new (n: number) => NpyData, number]> = {
  f4: [Float32Array, 4], f8: [Float64Array, 8], u1: [Uint8Array, 1], i1: [Int8Array, 1], b1: [Uint8Array, 1],
  i2: [Int16Array, 2], u2: [Uint16Array, 2], i4: [Int32Array, 4], u4: [Uint32Array, 4], i8: [BigInt64Array, 8], u8: [BigUint64Array, 8],
};

export function parseNpy(buf: Buffer, path = '<buffer>'): NpyArray {
  if (buf.length < 10 || buf.subarray(0, 6).toString('latin1') !== MAGIC) throw new Error(`readNpy: ${path} does not start with the \\x93NUMPY magic; not a .npy file`);
  const major = buf[6];
  if (major < 1 || major > 3) throw new Error(`readNpy: ${path} has format version ${major}.${buf[7]}; supported: 1.0, 2.0, 3.0`);
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  if (hstart + hlen > buf.length) throw new Error(`readNpy: ${path} is truncated inside its header`);
  const header = buf.subarray(hstart, hstart + hlen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeTxt = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeTxt === undefined) throw new Error(`readNpy: ${path} has an unparseable header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new Error(`readNpy: ${path} is in Fortran order; save it with np.ascontiguousarray first`);
  const shape = shapeTxt.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const endian = descr[0], code = descr.slice(1);
  const ct = ctors[code];
  if (!ct) throw new Error(`readNpy: ${path} has dtype '${descr}'; supported: f4 f8 u1 i1 b1 i2 u2 i4 u4 i8 u8`);
  if (endian === '>' && ct[1] > 1) throw new Error(`readNpy: ${path} is big-endian ('${descr}'); only little-endian is supported`);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (buf.length - start !== n * ct[1]) {
    throw new Error(`readNpy: ${path} has shape (${shape.join(', ')}) of ${descr} = ${n * ct[1]} bytes but ${buf.length - start} bytes of data`);
  }
  const data = new ct[0](n);
  new Uint8Array(data.buffer).set(buf.subarray(start, start + n * ct[1]));
  return { dtype: descr, shape, data };
}

/** Read a .npy file; a gzip-compressed one (`.npy.gz`, detected by its magic bytes) is inflated first. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readMaybeGzip(path, 'readNpy'), path);
}

/**
 * The values as plain JS numbers in the two array types the tensor code consumes: float dtypes
 * become Float32Array, integer and bool dtypes Int32Array (64-bit integers via Number()).
 */
export function npyToNumeric(a: NpyArray): Float32Array | Int32Array {
  if (a.data instanceof Float32Array || a.data instanceof Int32Array) return a.data;
  const isFloat = a.dtype[1] === 'f';
  const out = isFloat ? new Float32Array(a.data.length) : new Int32Array(a.data.length);
  for (let i = 0; i < a.data.length; i++) out[i] = Number(a.data[i]);
  return out;
}

/** Write a C-order little-endian .npy (version 1.0). */
export function encodeNpy(data: Float32Array | Float64Array | Int32Array | Uint8Array, shape: number[]): Buffer {
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : data instanceof Int32Array ? '<i4' : '|u1';
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`encodeNpy: shape (${shape}) needs ${n} values, got ${data.length}`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write(MAGIC, 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function writeNpy(path: string, data: Float32Array | Float64Array | Int32Array | Uint8Array, shape: number[]): void {
  fs.writeFileSync(path, encodeNpy(data, shape));
}
