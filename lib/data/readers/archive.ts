// Minimal archive readers so the official downloads can be read as they come:
//  - tar (POSIX ustar / GNU, optionally gzipped): cifar-10-binary.tar.gz, cifar-100-binary.tar.gz,
//    stl10_binary.tar.gz. 512-byte headers; name at 0 (100 B) + ustar prefix at 345 (155 B),
//    octal size at 124, type flag at 156; GNU 'L' long names and pax 'x' path records handled.
//  - zip (stored or deflated, no zip64) and .npz (a zip of .npy files): ImageNet32's *.npz.
// Both read the whole archive into memory: fine for these files (each < 2 GB; ImageNet32's
// train zip holds 10 batch .npz files: extract it first, then read each batch).
import * as zlib from 'zlib';
import { readFileChecked, isGzip } from './bytes';
import { NpyArray, parseNpy } from './npy';
import { crc32 } from './png';

export function parseTar(buf: Buffer, path = '<buffer>'): Map<string, Buffer> {
  const data = isGzip(buf) ? zlib.gunzipSync(buf) : buf;
  const out = new Map<string, Buffer>();
  let off = 0;
  let longName: string | null = null;
  let ended = false;
  while (off + 512 <= data.length) {
    const h = data.subarray(off, off + 512);
    if (h.every((b) => b === 0)) { ended = true; break; } // end-of-archive marker
    const str = (a: number, n: number) => { const s = h.subarray(a, a + n); const z = s.indexOf(0); return s.subarray(0, z < 0 ? n : z).toString('utf8'); };
    let chk = 0;
    for (let i = 0; i < 512; i++) chk += i >= 148 && i < 156 ? 32 : h[i];
    const stored = parseInt(str(148, 8).trim() || 'x', 8);
    if (stored !== chk) throw new Error(`readTar: ${path}: bad header checksum at byte ${off} (stored ${stored}, computed ${chk}); corrupt or not a tar file`);
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    const start = off + 512;
    if (start + size > data.length) throw new Error(`readTar: ${path} is truncated: entry '${str(0, 100)}' needs ${size} bytes at byte ${start}, ${data.length - start} remain`);
    const body = data.subarray(start, start + size);
    const prefix = str(257, 6).startsWith('ustar') ? str(345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = null;
    if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
    else if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
    } else if (type === '0' || type === '7') out.set(name.replace(/^\.\//, ''), body);
    off = start + Math.ceil(size / 512) * 512;
    name = '';
  }
  if (!ended && off !== data.length) throw new Error(`readTar: ${path} is truncated: it ends at byte ${data.length} inside a 512-byte block, with no end-of-archive marker`);
  return out;
}

/** Read a .tar or .tar.gz into a map from member path to bytes (regular files only). */
export function readTar(path: string): Map<string, Buffer> {
  return parseTar(readFileChecked(path, 'readTar'), path);
}

export function parseZip(buf: Buffer, path = '<buffer>'): Map<string, Buffer> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`readZip: ${path} has no end-of-central-directory record; truncated or not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (p === 0xffffffff || count === 0xffff) throw new Error(`readZip: ${path} has a zip64 end record (> 65535 members or > 4 GB); not supported: extract it and read the members`);
  const out = new Map<string, Buffer>();
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`readZip: ${path}: central directory entry ${k} is corrupt`);
    const method = buf.readUInt16LE(p + 10);
    let csize = buf.readUInt32LE(p + 20), usize = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28), elen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    // Zip64 extended information (numpy.savez writes it): 0xffffffff fields are in extra id 0x0001.
    for (let e = p + 46 + nlen; e + 4 <= p + 46 + nlen + elen;) {
      const id = buf.readUInt16LE(e), sz = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => { const v = Number(buf.readBigUInt64LE(q)); q += 8; return v; };
        if (usize === 0xffffffff) usize = next();
        if (csize === 0xffffffff) csize = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + sz;
    }
    p += 46 + nlen + elen + clen;
    if (csize === 0xffffffff || usize === 0xffffffff || local === 0xffffffff) throw new Error(`readZip: ${path}: member '${name}' has zip64 sizes without a zip64 extra field; corrupt file`);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`readZip: ${path}: local header of '${name}' is corrupt`);
    const dstart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dstart + csize > buf.length) throw new Error(`readZip: ${path} is truncated inside member '${name}'`);
    const raw = buf.subarray(dstart, dstart + csize);
    if (name.endsWith('/')) continue;
    let body: Buffer;
    if (method === 0) body = raw;
    else if (method === 8) {
      try { body = zlib.inflateRawSync(raw); } catch (e) { throw new Error(`readZip: ${path}: member '${name}' does not inflate (${(e as Error).message})`); }
    } else throw new Error(`readZip: ${path}: member '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (body.length !== usize) throw new Error(`readZip: ${path}: member '${name}' inflated to ${body.length} bytes, expected ${usize}`);
    out.set(name, body);
  }
  return out;
}

export function readZip(path: string): Map<string, Buffer> {
  return parseZip(readFileChecked(path, 'readZip'), path);
}

/** Read a NumPy .npz: each member `name.npy` becomes `name`. */
export function readNpz(path: string): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  for (const [name, body] of readZip(path)) out[name.replace(/\.npy$/, '')] = parseNpy(body, `${path}:${name}`);
  return out;
}

/** Encode files as an uncompressed-or-deflated zip (for tests and small exports). */
export function encodeZip(files: Record<string, Buffer>, deflate = true): Buffer {
  const locals: Buffer[] = [], central: Buffer[] = [];
  let off = 0;
  for (const [name, data] of Object.entries(files)) {
    const body = deflate ? zlib.deflateRawSync(data) : data;
    const nm = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(body.length, 18); lh.writeUInt32LE(data.length, 22); lh.writeUInt16LE(nm.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16); ch.writeUInt32LE(body.length, 20); ch.writeUInt32LE(data.length, 24); ch.writeUInt16LE(nm.length, 28);
    ch.writeUInt32LE(off, 42);
    locals.push(lh, nm, body);
    central.push(ch, nm);
    off += 30 + nm.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}
