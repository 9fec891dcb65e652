// Readers for the real file formats: each test WRITES a small file in the real layout (bytes
// built here independently of the reader's code), reads it back, compares, then corrupts it and
// checks the error names the file and the problem.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  readIdx, readIdxImages, readIdxLabels, writeIdx, encodeIdx,
  readCifar10, readCifar100, writeCifar,
  readMat5, parseMat5, encodeMat5, readSvhnMat,
  readStl10, readStl10Images, readStl10Labels, writeStl10,
  decodePng, encodePng, readPng, pngToGray, crc32,
  readDigitsCsv, parseDigitsCsv,
} from '../lib/data';
import { makeRng } from '../lib/util/random';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-data-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = (name: string) => path.join(tmp, name);

function randomBytes(n: number, seed: number): Uint8Array {
  const r = makeRng(seed);
  return Uint8Array.from({ length: n }, () => r.int(256));
}

describe('data readers: IDX (MNIST / Fashion-MNIST)', () => {
  const images = randomBytes(3 * 4 * 5, 1);
  const labels = Uint8Array.from([7, 0, 9]);
  // Header built by hand: magic 0x00000803, then n, rows, cols as big-endian int32.
  const imgBytes = Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]), Buffer.from(images)]);
  const labBytes = Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 3]), Buffer.from(labels)]);

  it('reads raw and gzipped image/label files written in the IDX layout', () => {
    fs.writeFileSync(file('img-idx3-ubyte'), imgBytes);
    fs.writeFileSync(file('img-idx3-ubyte.gz'), zlib.gzipSync(imgBytes));
    fs.writeFileSync(file('lab-idx1-ubyte.gz'), zlib.gzipSync(labBytes));
    for (const p of ['img-idx3-ubyte', 'img-idx3-ubyte.gz']) {
      const r = readIdxImages(file(p));
      assert.deepStrictEqual([r.n, r.rows, r.cols], [3, 4, 5]);
      assert.deepStrictEqual(r.shape, [3, 4, 5, 1]);
      assert.deepStrictEqual(Array.from(r.images), Array.from(images));
    }
    assert.deepStrictEqual(Array.from(readIdxLabels(file('lab-idx1-ubyte.gz'))), [7, 0, 9]);
    assert.ok(readIdxLabels(file('lab-idx1-ubyte.gz')) instanceof Int32Array);
  });

  it('writeIdx produces the same bytes as the hand-built header', () => {
    assert.ok(encodeIdx([3, 4, 5], images).equals(imgBytes));
    writeIdx(file('w.gz'), [3], labels);
    assert.ok(zlib.gunzipSync(fs.readFileSync(file('w.gz'))).equals(labBytes));
  });

  it('rejects a bad magic number, naming the file', () => {
    const bad = Buffer.from(imgBytes); bad[0] = 0x12;
    fs.writeFileSync(file('badmagic'), bad);
    assert.throws(() => readIdx(file('badmagic')), (e: Error) => e.message.includes(file('badmagic')) && /bad magic number 0x12000803/.test(e.message));
    const badType = Buffer.from(imgBytes); badType[2] = 0x0d;
    fs.writeFileSync(file('badtype'), badType);
    assert.throws(() => readIdx(file('badtype')), /data type 0xd; only unsigned byte/);
  });

  it('rejects a size that does not match the dims (truncated and trailing bytes)', () => {
    fs.writeFileSync(file('trunc.gz'), zlib.gzipSync(imgBytes.subarray(0, imgBytes.length - 1)));
    assert.throws(() => readIdxImages(file('trunc.gz')), (e: Error) => e.message.includes('trunc.gz') && /dims \[3, 4, 5\] = 60 bytes of data but 59 bytes follow the header \(truncated\)/.test(e.message));
    fs.writeFileSync(file('long'), Buffer.concat([imgBytes, Buffer.from([1, 2])]));
    assert.throws(() => readIdxImages(file('long')), /62 bytes follow the header \(trailing garbage\)/);
    fs.writeFileSync(file('hdr'), imgBytes.subarray(0, 10));
    assert.throws(() => readIdx(file('hdr')), /truncated inside its header/);
  });

  it('rejects a label file where images are expected, a corrupt gzip and a missing file', () => {
    fs.writeFileSync(file('lab'), labBytes);
    assert.throws(() => readIdxImages(file('lab')), /has 1 dims .*an image file has 3 \(magic 0x00000803 = 2051\)/);
    assert.throws(() => readIdxLabels(file('img-idx3-ubyte')), /has 3 dims .*a label file has 1/);
    const gz = zlib.gzipSync(imgBytes);
    fs.writeFileSync(file('cut.gz'), gz.subarray(0, gz.length - 12));
    assert.throws(() => readIdx(file('cut.gz')), /cut\.gz looks gzip-compressed but does not decompress/);
    assert.throws(() => readIdx(file('nope.gz')), (e: Error) => e.message === `readIdx: file not found: ${file('nope.gz')}`);
  });
});

/** CIFAR record bytes built by hand: label byte(s), then R plane, G plane, B plane (row-major 32x32). */
function cifarRecord(labelBytes: number[], pix: (r: number, c: number, ch: number) => number): Buffer {
  const b = Buffer.alloc(labelBytes.length + 3072);
  labelBytes.forEach((v, i) => (b[i] = v));
  for (let ch = 0; ch < 3; ch++) for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) b[labelBytes.length + ch * 1024 + r * 32 + c] = pix(r, c, ch);
  return b;
}
const pixA = (r: number, c: number, ch: number) => (r * 7 + c * 3 + ch * 50) % 256;
const pixB = (r: number, c: number, ch: number) => (r * c + ch) % 256;

describe('data readers: CIFAR-10 / CIFAR-100 binary', () => {
  it('reads CIFAR-10 records into NHWC with the label byte', () => {
    fs.writeFileSync(file('data_batch_1.bin'), Buffer.concat([cifarRecord([3], pixA), cifarRecord([9], pixB)]));
    const b = readCifar10(file('data_batch_1.bin'));
    assert.deepStrictEqual(b.shape, [2, 32, 32, 3]);
    assert.deepStrictEqual(Array.from(b.labels), [3, 9]);
    assert.ok(b.labels instanceof Int32Array);
    for (const [i, f] of [[0, pixA], [1, pixB]] as const) {
      for (const [r, c, ch] of [[0, 0, 0], [0, 1, 0], [1, 0, 2], [31, 31, 1], [5, 17, 2]]) {
        assert.strictEqual(b.images[((i * 32 + r) * 32 + c) * 3 + ch], f(r, c, ch), `image ${i} pixel (${r},${c},${ch})`);
      }
    }
    writeCifar(file('rt.bin'), b.images, b.labels);
    assert.ok(fs.readFileSync(file('rt.bin')).equals(fs.readFileSync(file('data_batch_1.bin'))));
  });

  it('reads CIFAR-100 coarse + fine labels', () => {
    fs.writeFileSync(file('train.bin'), Buffer.concat([cifarRecord([19, 99], pixA), cifarRecord([4, 30], pixB)]));
    const b = readCifar100(file('train.bin'));
    assert.deepStrictEqual(Array.from(b.labels), [99, 30]);
    assert.deepStrictEqual(Array.from(b.coarseLabels!), [19, 4]);
    assert.strictEqual(b.images[((1 * 32 + 3) * 32 + 5) * 3 + 1], pixB(3, 5, 1));
  });

  it('gives clear errors on truncated files, wrong variant and bad labels', () => {
    const rec = cifarRecord([3], pixA);
    fs.writeFileSync(file('short.bin'), Buffer.concat([rec, rec.subarray(0, 100)]));
    assert.throws(() => readCifar10(file('short.bin')), (e: Error) => e.message.includes(file('short.bin')) && /3173 bytes, not a whole number of 3073-byte records/.test(e.message));
    fs.writeFileSync(file('c100.bin'), Buffer.concat([cifarRecord([1, 2], pixA), cifarRecord([1, 2], pixA), cifarRecord([1, 2], pixA)]));
    assert.throws(() => readCifar10(file('c100.bin')), /is this a CIFAR-100 file\?/);
    fs.writeFileSync(file('badlab.bin'), cifarRecord([12], pixA));
    assert.throws(() => readCifar10(file('badlab.bin')), /record 0 has label 12 \(must be < 10\)/);
    assert.throws(() => readCifar100(file('missing.bin')), /readCifar100: file not found: .*missing\.bin/);
  });
});

// A MAT v5 file written by scipy.io.savemat (do_compression=True / False) holding
// X = uint8 [2,3,3,2] with X[r,c,ch,n] = r + 4c + 16ch + 64n, and y = double [[10],[3]].
const SCIPY_MAT_COMPRESSED = 'TUFUTEFCIDUuMCBNQVQtZmlsZSBQbGF0Zm9ybTogcG9zaXgsIENyZWF0ZWQgb246IFN1biBOb3YgMjIgMDI6NDQ6MjEgMjAyNgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABSU0PAAAAUAAAAHic42NgYEgAYjYg5gBiTgYIYAViASBmAmJmKAaxGYEwAspWASlkZGHl4BQQFBGVkFRQVFHV0HRwdHH18AwIDAmNiExITEnNyAQpAwDJZgiHDwAAAC0AAAB4nONjYGBwAGI2IOaA0iDACuUzATEjGDMyVAJpTiAWYIABFQcIzeEAADA2AbM=';
const SCIPY_MAT_PLAIN = 'TUFUTEFCIDUuMCBNQVQtZmlsZSBQbGF0Zm9ybTogcG9zaXgsIENyZWF0ZWQgb246IFN1biBOb3YgMjIgMDI6NDQ6MjEgMjAyNgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABSU0OAAAAYAAAAAYAAAAIAAAACQAAAAAAAAAFAAAAEAAAAAIAAAADAAAAAwAAAAIAAAABAAEAWAAAAAIAAAAkAAAAAAEEBQgJEBEUFRgZICEkJSgpQEFERUhJUFFUVVhZYGFkZWhpAAAAAA4AAABAAAAABgAAAAgAAAAGAAAAAAAAAAUAAAAIAAAAAgAAAAEAAAABAAEAeQAAAAkAAAAQAAAAAAAAAAAAJEAAAAAAAAAIQA==';

/** SVHN-style X (column-major [H, W, 3, N]) and y from a pixel function. */
function svhnArrays(h: number, w: number, n: number, pix: (r: number, c: number, ch: number, i: number) => number) {
  const X = new Uint8Array(h * w * 3 * n);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) for (let c = 0; c < w; c++) for (let r = 0; r < h; r++) {
    X[r + h * c + h * w * ch + h * w * 3 * i] = pix(r, c, ch, i); // MATLAB column-major: first index fastest
  }
  return X;
}

describe('data readers: MATLAB v5 and SVHN .mat', () => {
  const fx = (r: number, c: number, ch: number, i: number) => r + 4 * c + 16 * ch + 64 * i;

  it('reads files written by scipy.io.savemat (compressed and not)', () => {
    for (const [name, b64] of [['scipy-z.mat', SCIPY_MAT_COMPRESSED], ['scipy.mat', SCIPY_MAT_PLAIN]]) {
      fs.writeFileSync(file(name), Buffer.from(b64, 'base64'));
      const vars = readMat5(file(name));
      assert.deepStrictEqual(vars.X.dims, [2, 3, 3, 2]);
      assert.strictEqual(vars.X.class, 'uint8');
      assert.deepStrictEqual(Array.from(vars.X.data), Array.from(svhnArrays(2, 3, 2, fx)));
      assert.strictEqual(vars.y.class, 'double');
      assert.deepStrictEqual(Array.from(vars.y.data), [10, 3]);
      const s = readSvhnMat(file(name));
      assert.deepStrictEqual(Array.from(s.labels), [0, 3], 'label 10 means digit 0');
      // NHWC: image 1, row 1, col 2, channel 2 = 1 + 8 + 32 + 64
      assert.strictEqual(s.images[((1 * 2 + 1) * 3 + 2) * 3 + 2], 105);
    }
  });

  it('reads a 32x32x3xN SVHN file with miCOMPRESSED elements and doubles stored as miUINT8 (as MATLAB saves)', () => {
    const n = 3;
    const pix = (r: number, c: number, ch: number, i: number) => (r * 5 + c * 11 + ch * 70 + i * 3) % 256;
    const X = svhnArrays(32, 32, n, pix);
    fs.writeFileSync(file('train_32x32.mat'), encodeMat5({
      X: { class: 'uint8', dims: [32, 32, 3, n], data: X },
      y: { class: 'double', dims: [n, 1], data: [10, 1, 7], storeAs: 'uint8' },
    }, true));
    const s = readSvhnMat(file('train_32x32.mat'));
    assert.deepStrictEqual(s.shape, [n, 32, 32, 3]);
    assert.deepStrictEqual(Array.from(s.labels), [0, 1, 7]);
    for (const [r, c, ch, i] of [[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [31, 0, 2, 1], [4, 29, 1, 2]]) {
      assert.strictEqual(s.images[((i * 32 + r) * 32 + c) * 3 + ch], pix(r, c, ch, i), `pixel (${r},${c},${ch}) of image ${i}`);
    }
    const vars = parseMat5(encodeMat5({ y: { class: 'double', dims: [1, 2], data: [1.5, -2] } }, false));
    assert.deepStrictEqual(Array.from(vars.y.data), [1.5, -2]);
  });

  it('gives clear errors on corrupt, truncated, HDF5 and incomplete files', () => {
    const good = encodeMat5({ X: { class: 'uint8', dims: [32, 32, 3, 1], data: new Uint8Array(3072) }, y: { class: 'double', dims: [1, 1], data: [4] } }, true);
    fs.writeFileSync(file('trunc.mat'), good.subarray(0, good.length - 20));
    assert.throws(() => readSvhnMat(file('trunc.mat')), (e: Error) => e.message.includes(file('trunc.mat')) && /truncated/.test(e.message));
    const flipped = Buffer.from(good); flipped[128 + 8 + 5] ^= 0xff; // inside the first zlib stream
    fs.writeFileSync(file('corrupt.mat'), flipped);
    assert.throws(() => readMat5(file('corrupt.mat')), /does not inflate|corrupt/);
    const hdr = Buffer.from(good); hdr.write('XX', 126, 'latin1');
    fs.writeFileSync(file('noendian.mat'), hdr);
    assert.throws(() => readMat5(file('noendian.mat')), /no MAT v5 endian indicator.*not a level-5 MAT file/);
    fs.writeFileSync(file('v73.mat'), Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(200)]));
    assert.throws(() => readMat5(file('v73.mat')), /v7\.3 \(HDF5\)/);
    fs.writeFileSync(file('noy.mat'), encodeMat5({ X: { class: 'uint8', dims: [32, 32, 3, 1], data: new Uint8Array(3072) } }));
    assert.throws(() => readSvhnMat(file('noy.mat')), /has no variable 'y' \(found: X\)/);
    fs.writeFileSync(file('badlabel.mat'), encodeMat5({ X: { class: 'uint8', dims: [32, 32, 3, 1], data: new Uint8Array(3072) }, y: { class: 'double', dims: [1, 1], data: [11] } }));
    assert.throws(() => readSvhnMat(file('badlabel.mat')), /y\[0\] = 11, expected an integer label 1\.\.10/);
    assert.throws(() => readSvhnMat(file('test_32x32.mat')), /readMat5: file not found/);
  });
});

describe('data readers: STL-10 binary', () => {
  it('reads column-major [N,3,96,96] planes into NHWC and labels 1..10 into 0..9', () => {
    const n = 2;
    const pix = (r: number, c: number, ch: number, i: number) => (r * 3 + c * 7 + ch * 101 + i * 13) % 256;
    // numpy: X.reshape(-1,3,96,96).transpose(0,3,2,1) -> out[i, r, c, ch] = raw[i, ch, c, r]
    const raw = Buffer.alloc(n * 3 * 96 * 96);
    for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) for (let c = 0; c < 96; c++) for (let r = 0; r < 96; r++) {
      raw[((i * 3 + ch) * 96 + c) * 96 + r] = pix(r, c, ch, i);
    }
    fs.writeFileSync(file('train_X.bin'), raw);
    fs.writeFileSync(file('train_y.bin'), Buffer.from([10, 1]));
    const s = readStl10(file('train_X.bin'), file('train_y.bin'));
    assert.deepStrictEqual(s.shape, [2, 96, 96, 3]);
    assert.deepStrictEqual(Array.from(s.labels), [9, 0]);
    for (const [r, c, ch, i] of [[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [95, 3, 2, 1], [50, 60, 1, 1]]) {
      assert.strictEqual(s.images[((i * 96 + r) * 96 + c) * 3 + ch], pix(r, c, ch, i));
    }
    writeStl10(file('rt_X.bin'), s.images, file('rt_y.bin'), s.labels);
    assert.ok(fs.readFileSync(file('rt_X.bin')).equals(raw));
    assert.deepStrictEqual(Array.from(fs.readFileSync(file('rt_y.bin'))), [10, 1]);
  });

  it('gives clear errors on truncation, bad labels and count mismatch', () => {
    fs.writeFileSync(file('short_X.bin'), Buffer.alloc(27648 + 5));
    assert.throws(() => readStl10Images(file('short_X.bin')), (e: Error) => e.message.includes('short_X.bin') && /27653 bytes, not a whole number of 27648-byte 3x96x96 images/.test(e.message));
    fs.writeFileSync(file('bad_y.bin'), Buffer.from([1, 0]));
    assert.throws(() => readStl10Labels(file('bad_y.bin')), /byte 1 is 0; STL-10 labels run 1\.\.10/);
    fs.writeFileSync(file('one_y.bin'), Buffer.from([3]));
    assert.throws(() => readStl10(file('train_X.bin'), file('one_y.bin')), /has 2 images but .*one_y\.bin has 1 labels/);
  });
});

/** PNG filter encoders written out here, so decoding of every filter type is checked. */
function filterRow(type: number, cur: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  const out = new Uint8Array(cur.length + 1);
  out[0] = type;
  for (let x = 0; x < cur.length; x++) {
    const a = x >= bpp ? cur[x - bpp] : 0, b = prev ? prev[x] : 0, c = prev && x >= bpp ? prev[x - bpp] : 0;
    const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
    const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][type];
    out[x + 1] = (cur[x] - pred) & 0xff;
  }
  return out;
}
function pngWithFilters(w: number, h: number, ch: number, data: Uint8Array): Buffer {
  const rows: Uint8Array[] = [];
  for (let y = 0; y < h; y++) rows.push(filterRow(y % 5, data.subarray(y * w * ch, (y + 1) * w * ch), y ? data.subarray((y - 1) * w * ch, y * w * ch) : null, ch));
  const base = encodePng(w, h, ch as 1, data); // reuse its IHDR; replace IDAT
  const ihdr = base.subarray(8, 8 + 25);
  const idatBody = zlib.deflateSync(Buffer.concat(rows));
  const chunk = (type: string, body: Buffer) => {
    const hd = Buffer.alloc(8); hd.writeUInt32BE(body.length, 0); hd.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([hd.subarray(4), body])), 0);
    return Buffer.concat([hd, body, crc]);
  };
  return Buffer.concat([base.subarray(0, 8), ihdr, chunk('IDAT', idatBody), chunk('IEND', Buffer.alloc(0))]);
}

describe('data readers: PNG decoder', () => {
  it('decodes greyscale and RGB with all five filter types', () => {
    for (const ch of [1, 3]) {
      const w = 7, h = 10;
      const data = randomBytes(w * h * ch, 10 + ch);
      const p = decodePng(pngWithFilters(w, h, ch, data));
      assert.deepStrictEqual([p.width, p.height, p.channels], [w, h, ch]);
      assert.deepStrictEqual(Array.from(p.data), Array.from(data));
    }
    const rgb = decodePng(encodePng(1, 1, 3, Uint8Array.from([255, 0, 0])));
    assert.deepStrictEqual(Array.from(pngToGray(rgb)), [76]); // 0.299*255
  });

  it('rejects a bad signature, a bad CRC and a truncated file', () => {
    const good = encodePng(4, 4, 1, randomBytes(16, 3));
    fs.writeFileSync(file('digits.png'), good);
    assert.strictEqual(readPng(file('digits.png')).width, 4);
    const badCrc = Buffer.from(good); badCrc[20] ^= 1;
    assert.throws(() => decodePng(badCrc, 'x.png'), /x\.png: CRC mismatch in chunk IHDR/);
    assert.throws(() => decodePng(good.subarray(0, good.length - 12), 'y.png'), /y\.png has no IEND chunk/);
    assert.throws(() => decodePng(Buffer.from('GIF89a....'), 'z.png'), /z\.png does not start with the PNG signature/);
  });
});

describe('data readers: scikit-learn digits CSV', () => {
  it('parses integer and float-formatted rows, gzipped or not', () => {
    const row = (v: number, label: number, float: boolean) => [...Array(64).fill(v), label].map((x) => (float ? x.toFixed(1) : String(x))).join(',');
    fs.writeFileSync(file('digits.csv.gz'), zlib.gzipSync(`${row(16, 3, true)}\n${row(0, 9, false)}\n`));
    const d = readDigitsCsv(file('digits.csv.gz'));
    assert.strictEqual(d.n, 2);
    assert.deepStrictEqual(Array.from(d.labels), [3, 9]);
    assert.strictEqual(d.images[63], 16);
    assert.strictEqual(d.images[64], 0);
    assert.throws(() => parseDigitsCsv('1,2,3\n', 'd.csv'), /d\.csv line 1 has 3 fields, expected 65/);
    assert.throws(() => parseDigitsCsv(row(17, 1, false), 'd.csv'), /field 1 is "17", expected an integer 0\.\.16/);
  });
});
