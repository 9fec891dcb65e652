// A MATLAB level-5 MAT-file reader (and a small writer used by tests), enough for SVHN's
// `*_32x32.mat`: numeric arrays in miMATRIX elements, usually wrapped in zlib-compressed
// miCOMPRESSED elements. Reference: MathWorks "MAT-File Format" (matfile_format.pdf), chapter 1.
// Layout: a 128-byte header (116 text + 8 subsys offset + uint16 version 0x0100 + 'IM'/'MI'
// endian indicator), then data elements, each an 8-byte tag [type, nbytes] (or a 4-byte
// "small element" tag when the upper 16 bits of the first word are non-zero) and the data,
// padded to 8 bytes (compressed elements are not padded). Structs, cells, sparse and char
// arrays are skipped: SVHN needs none of them. v7.3 files are HDF5 and are rejected clearly.
import * as zlib from 'zlib';
import { readFileChecked } from './bytes';

const mi = {
  INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9,
  INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18,
} as const;

/** mxClass ids (array-flags low byte) for the numeric classes we read. */
const mxClasses: Record<number, MatClass> = {
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32',
};
export type MatClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32';
type MatData = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface MatArray {
  name: string;
  class: MatClass;
  /** MATLAB dims, e.g. [32, 32, 3, N]; data is column-major (first index fastest). */
  dims: number[];
  /** Real part, converted to the array's class. */
  data: MatData;
}

function allocFor(cls: MatClass, n: number): MatData {
  switch (cls) {
    case 'double': return new Float64Array(n);
    case 'single': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
  }
}

/** The typed array whose element layout equals each mi storage type. */
const storedAs: Record<number, unknown> = {
  1: Int8Array, 2: Uint8Array, 3: Int16Array, 4: Uint16Array, 5: Int32Array, 6: Uint32Array, 7: Float32Array, 9: Float64Array,
};

const miSize: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

interface Element { type: number; data: Buffer; next: number }

function readTag(buf: Buffer, off: number, le: boolean, path: string): Element {
  if (off + 8 > buf.length) throw new Error(`readMat5: ${path} is truncated: a data element tag at byte ${off} runs past the end (${buf.length} bytes)`);
  const w0 = le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
  const small = w0 >>> 16;
  if (small !== 0) {
    // Small data element: [uint16 nbytes | uint16 type] packed in the first word, data in the next 4 bytes.
    const type = w0 & 0xffff;
    if (small > 4) throw new Error(`readMat5: ${path} has a small data element at byte ${off} claiming ${small} bytes (max 4); corrupt file`);
    return { type, data: buf.subarray(off + 4, off + 4 + small), next: off + 8 };
  }
  const n = le ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
  const start = off + 8;
  if (start + n > buf.length) {
    throw new Error(`readMat5: ${path} is truncated: element of type ${w0} at byte ${off} declares ${n} bytes but only ${buf.length - start} remain`);
  }
  const padded = w0 === mi.COMPRESSED ? n : Math.ceil(n / 8) * 8;
  return { type: w0, data: buf.subarray(start, start + n), next: Math.min(start + padded, buf.length) };
}

function readNumbers(el: Element, le: boolean, out: MatData, path: string, what: string): void {
  const size = miSize[el.type];
  if (!size) throw new Error(`readMat5: ${path}: ${what} stored with unsupported element type ${el.type}`);
  const count = el.data.length / size;
  if (count !== out.length) throw new Error(`readMat5: ${path}: ${what} holds ${count} values but its dims need ${out.length}; corrupt file`);
  const d = el.data;
  // Fast path (SVHN's X is 225M uint8 values): stored type == class type and no byte swap needed.
  if (storedAs[el.type] === out.constructor && (le || size === 1)) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(d);
    return;
  }
  for (let i = 0; i < count; i++) {
    const o = i * size;
    let v: number;
    switch (el.type) {
      case mi.INT8: v = d.readInt8(o); break;
      case mi.UINT8: v = d[o]; break;
      case mi.INT16: v = le ? d.readInt16LE(o) : d.readInt16BE(o); break;
      case mi.UINT16: v = le ? d.readUInt16LE(o) : d.readUInt16BE(o); break;
      case mi.INT32: v = le ? d.readInt32LE(o) : d.readInt32BE(o); break;
      case mi.UINT32: v = le ? d.readUInt32LE(o) : d.readUInt32BE(o); break;
      case mi.SINGLE: v = le ? d.readFloatLE(o) : d.readFloatBE(o); break;
      case mi.DOUBLE: v = le ? d.readDoubleLE(o) : d.readDoubleBE(o); break;
      case mi.INT64: v = Number(le ? d.readBigInt64LE(o) : d.readBigInt64BE(o)); break;
      default: v = Number(le ? d.readBigUInt64LE(o) : d.readBigUInt64BE(o)); break;
    }
    out[i] = v;
  }
}

function parseMatrix(body: Buffer, le: boolean, path: string): MatArray | null {
  let off = 0;
  const flags = readTag(body, off, le, path); off = flags.next;
  if (flags.type !== mi.UINT32 || flags.data.length < 8) throw new Error(`readMat5: ${path}: miMATRIX without a valid array-flags subelement; corrupt file`);
  const f0 = le ? flags.data.readUInt32LE(0) : flags.data.readUInt32BE(0);
  const classId = f0 & 0xff;
  const complex = (f0 & 0x0800) !== 0;
  const dimsEl = readTag(body, off, le, path); off = dimsEl.next;
  if (dimsEl.type !== mi.INT32) throw new Error(`readMat5: ${path}: miMATRIX dimensions have element type ${dimsEl.type}, expected miINT32; corrupt file`);
  const dims: number[] = [];
  for (let i = 0; i < dimsEl.data.length / 4; i++) dims.push(le ? dimsEl.data.readInt32LE(4 * i) : dimsEl.data.readInt32BE(4 * i));
  const nameEl = readTag(body, off, le, path); off = nameEl.next;
  const name = nameEl.data.toString('latin1');
  const cls = mxClasses[classId];
  if (!cls) return null; // struct / cell / char / sparse / object: not needed here
  const n = dims.reduce((a, b) => a * b, 1);
  const data = allocFor(cls, n);
  const real = readTag(body, off, le, path);
  readNumbers(real, le, data, path, `variable '${name}'${complex ? ' (real part)' : ''}`);
  return { name, class: cls, dims, data };
}

/** Parse a MAT v5 buffer into its numeric variables. */
export function parseMat5(buf: Buffer, path = '<buffer>'): Record<string, MatArray> {
  if (buf.length >= 8 && buf.subarray(0, 8).toString('latin1') === '\x89HDF\r\n\x1a\n') {
    throw new Error(`readMat5: ${path} is a MATLAB v7.3 (HDF5) file; only level-5 MAT files are supported (re-save with -v7)`);
  }
  if (buf.length < 128) throw new Error(`readMat5: ${path} is ${buf.length} bytes, shorter than the 128-byte MAT-file header`);
  const text = buf.subarray(0, 116).toString('latin1');
  const endian = buf.subarray(126, 128).toString('latin1');
  if (endian !== 'IM' && endian !== 'MI') {
    const hdf = buf.subarray(512, 520).toString('latin1') === '\x89HDF\r\n\x1a\n' ? ' (the HDF5 signature at byte 512 says v7.3: re-save with -v7)' : '';
    throw new Error(`readMat5: ${path} has no MAT v5 endian indicator at bytes 126-127 (got ${JSON.stringify(endian)})${hdf}; not a level-5 MAT file`);
  }
  if (!text.startsWith('MATLAB')) throw new Error(`readMat5: ${path} header text does not start with 'MATLAB'; not a MAT file`);
  const le = endian === 'IM';
  const version = le ? buf.readUInt16LE(124) : buf.readUInt16BE(124);
  if (version !== 0x0100) throw new Error(`readMat5: ${path} has MAT version 0x${version.toString(16)}, expected 0x0100`);
  const out: Record<string, MatArray> = {};
  let off = 128;
  while (off < buf.length) {
    let el = readTag(buf, off, le, path);
    off = el.next;
    if (el.type === mi.COMPRESSED) {
      let inflated: Buffer;
      try {
        inflated = zlib.inflateSync(el.data);
      } catch (e) {
        throw new Error(`readMat5: ${path}: a compressed element at byte ${off - el.data.length - 8} does not inflate (${(e as Error).message}); truncated or corrupt file`);
      }
      el = readTag(inflated, 0, le, path);
    }
    if (el.type !== mi.MATRIX) continue;
    const arr = parseMatrix(el.data, le, path);
    if (arr) out[arr.name] = arr;
  }
  return out;
}

export function readMat5(path: string): Record<string, MatArray> {
  return parseMat5(readFileChecked(path, 'readMat5'), path);
}

// ---- writer (little-endian; numeric arrays only) ----

const miForClass: Record<MatClass, [number, number]> = {
  double: [mi.DOUBLE, 6], single: [mi.SINGLE, 7], int8: [mi.INT8, 8], uint8: [mi.UINT8, 9],
  int16: [mi.INT16, 10], uint16: [mi.UINT16, 11], int32: [mi.INT32, 12], uint32: [mi.UINT32, 13],
};

function element(type: number, data: Buffer): Buffer {
  if (type !== mi.MATRIX && type !== mi.COMPRESSED && data.length <= 4) {
    // MATLAB writes short payloads (e.g. the names 'X', 'y') as small data elements.
    const small = Buffer.alloc(8);
    small.writeUInt32LE(((data.length << 16) | type) >>> 0, 0);
    data.copy(small, 4);
    return small;
  }
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  const pad = type === mi.COMPRESSED ? 0 : (8 - (data.length % 8)) % 8;
  return Buffer.concat([tag, data, Buffer.alloc(pad)]);
}

export interface MatWriteVar {
  class: MatClass;
  dims: number[];
  /** Column-major values. */
  data: ArrayLike<number>;
  /** Store the values with this narrower element type (MATLAB does this, e.g. doubles saved as miUINT8). */
  storeAs?: MatClass;
}

/** Encode variables as a little-endian MAT v5 file; `compress` wraps each in miCOMPRESSED like MATLAB's default. */
export function encodeMat5(vars: Record<string, MatWriteVar>, compress = true): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, Platform: collab-vision, Created by: encodeMat5', 0, 'latin1');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const parts: Buffer[] = [header];
  for (const [name, v] of Object.entries(vars)) {
    const n = v.dims.reduce((a, b) => a * b, 1);
    if (n !== v.data.length) throw new Error(`encodeMat5: '${name}' dims [${v.dims}] need ${n} values, got ${v.data.length}`);
    const flags = Buffer.alloc(8);
    flags.writeUInt32LE(miForClass[v.class][1], 0);
    const dims = Buffer.alloc(4 * v.dims.length);
    v.dims.forEach((d, i) => dims.writeInt32LE(d, 4 * i));
    const [storeType] = miForClass[v.storeAs ?? v.class];
    const sz = miSize[storeType];
    const data = Buffer.alloc(n * sz);
    for (let i = 0; i < n; i++) {
      const x = v.data[i];
      switch (storeType) {
        case mi.DOUBLE: data.writeDoubleLE(x, i * 8); break;
        case mi.SINGLE: data.writeFloatLE(x, i * 4); break;
        case mi.INT8: data.writeInt8(x, i); break;
        case mi.UINT8: data[i] = x; break;
        case mi.INT16: data.writeInt16LE(x, i * 2); break;
        case mi.UINT16: data.writeUInt16LE(x, i * 2); break;
        case mi.INT32: data.writeInt32LE(x, i * 4); break;
        default: data.writeUInt32LE(x, i * 4); break;
      }
    }
    const body = Buffer.concat([
      element(mi.UINT32, flags), element(mi.INT32, dims), element(mi.INT8, Buffer.from(name, 'latin1')), element(storeType, data),
    ]);
    const matrix = element(mi.MATRIX, body);
    parts.push(compress ? element(mi.COMPRESSED, zlib.deflateSync(matrix)) : matrix);
  }
  return Buffer.concat(parts);
}
