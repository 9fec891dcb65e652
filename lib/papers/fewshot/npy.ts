// NumPy .npy reader for pre-extracted features (spec 5.4: the recommended full-scale path on CPU:
// extract ResNet-50 / WRN activations on a GPU elsewhere, train phi and evaluate here on features).
// Supports format versions 1.0/2.0/3.0, C order, little-endian or byte-sized dtypes.
import * as fs from 'fs';
import * as zlib from 'zlib';

export interface NpyArray {
  data: Float32Array | Int32Array;
  shape: number[];
  dtype: string;
}

const MAGIC = '\x93NUMPY';

/** Parse .npy bytes. Float dtypes become Float32Array, integer/bool dtypes Int32Array. */
export function parseNpy(buf: Uint8Array, what = 'npy'): NpyArray {
  if (buf.length < 10 || String.fromCharCode(...buf.subarray(0, 6)) !== MAGIC) throw new Error(`${what}: not a .npy file (bad magic)`);
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let hlen: number; let off: number;
  if (major === 1) { hlen = dv.getUint16(8, true); off = 10; } else if (major === 2 || major === 3) { hlen = dv.getUint32(8, true); off = 12; } else throw new Error(`${what}: unsupported .npy version ${major}`);
  const header = Buffer.from(buf.subarray(off, off + hlen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new Error(`${what}: malformed header ${header.trim()}`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-order arrays are not supported (save with np.ascontiguousarray)`);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  const endian = descr[0]; const kind = descr[1]; const size = Number(descr.slice(2));
  if (endian === '>' && size > 1) throw new Error(`${what}: big-endian dtype '${descr}' is not supported`);
  if (buf.length - start < count * size) throw new Error(`${what}: truncated data (${buf.length - start} bytes for ${count} x ${size})`);
  const body = new DataView(buf.buffer, buf.byteOffset + start, count * size);
  const isFloat = kind === 'f';
  const out = isFloat ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    let v: number;
    if (kind === 'f' && size === 4) v = body.getFloat32(o, true);
    else if (kind === 'f' && size === 8) v = body.getFloat64(o, true);
    else if ((kind === 'i') && size === 8) v = Number(body.getBigInt64(o, true));
    else if ((kind === 'u') && size === 8) v = Number(body.getBigUint64(o, true));
    else if (kind === 'i' && size === 4) v = body.getInt32(o, true);
    else if (kind === 'u' && size === 4) v = body.getUint32(o, true);
    else if (kind === 'i' && size === 2) v = body.getInt16(o, true);
    else if (kind === 'u' && size === 2) v = body.getUint16(o, true);
    else if ((kind === 'u' || kind === 'b') && size === 1) v = body.getUint8(o);
    else if (kind === 'i' && size === 1) v = body.getInt8(o);
    else throw new Error(`${what}: unsupported dtype '${descr}'`);
    out[i] = v;
  }
  return { data: out, shape, dtype: descr };
}

/** Read a .npy (or .npy.gz) file. */
export function loadNpy(path: string): NpyArray {
  if (!fs.existsSync(path)) throw new Error(`loadNpy: file not found: ${path}`);
  let buf: Uint8Array = fs.readFileSync(path);
  if (path.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  return parseNpy(buf, `loadNpy(${path})`);
}

/** Serialise a float32 or int32 array as .npy v1.0 (for tests and for saving extracted features). */
export function encodeNpy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
