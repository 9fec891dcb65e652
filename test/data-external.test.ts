// Folder loaders for the downloadable datasets and the .npy reader, on tiny files in the official layout.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  loadCifar10, loadCifar100, loadSvhn, loadStl10, loadMnistDir, svhnValidationSplit, writeCifar, writeStl10, encodeMat5,
  writeIdx, parseNpy, readNpy, writeNpy, encodeNpy, npyToNumeric, classCounts, CIFAR10_CLASSES,
  readTar, parseTar, extractTar, readNpz, parseZip, encodeZip, loadImagenet32Npz,
} from '../lib/data';
import { makeRng } from '../lib/util/random';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-data-ext-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('data: folder loaders for downloadable datasets', () => {
  it('CIFAR-10 concatenates the five training batches and reads the test batch', () => {
    for (let b = 1; b <= 5; b++) writeCifar(path.join(dir, `data_batch_${b}.bin`), new Uint8Array(2 * 3072).fill(b), [b, b + 1]);
    writeCifar(path.join(dir, 'test_batch.bin'), new Uint8Array(3072).fill(9), [4]);
    const tr = loadCifar10(dir);
    assert.deepStrictEqual(tr.shape, [10, 32, 32, 3]);
    assert.deepStrictEqual(Array.from(tr.labels), [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    assert.strictEqual(tr.images[3072 * 9], 5, 'the last image comes from batch 5');
    assert.deepStrictEqual(tr.classNames, CIFAR10_CLASSES);
    assert.deepStrictEqual(loadCifar10(dir, { split: 'test' }).shape, [1, 32, 32, 3]);
    fs.rmSync(path.join(dir, 'data_batch_3.bin'));
    assert.throws(() => loadCifar10(dir), /loadCifar10: .*data_batch_3\.bin is missing/);
  });

  it('CIFAR-100 fine or coarse labels, with label-name files', () => {
    writeCifar(path.join(dir, 'train.bin'), new Uint8Array(2 * 3072), [55, 3], [12, 0]);
    fs.writeFileSync(path.join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n') + '\n');
    assert.deepStrictEqual(Array.from(loadCifar100(dir).labels), [55, 3]);
    const c = loadCifar100(dir, { labels: 'coarse' });
    assert.deepStrictEqual(Array.from(c.labels), [12, 0]);
    assert.strictEqual(c.classNames[12], 'c12');
    assert.throws(() => loadCifar100(dir, { split: 'valid' as never }), /unknown split "valid"; use 'train' or 'test'/);
  });

  it('SVHN .mat, STL-10 and MNIST folders', () => {
    fs.writeFileSync(path.join(dir, 'test_32x32.mat'), encodeMat5({
      X: { class: 'uint8', dims: [32, 32, 3, 2], data: new Uint8Array(6144).fill(3) },
      y: { class: 'double', dims: [2, 1], data: [10, 5], storeAs: 'uint8' },
    }));
    const sv = loadSvhn(dir, { split: 'test' });
    assert.deepStrictEqual(sv.shape, [2, 32, 32, 3]);
    assert.deepStrictEqual(Array.from(sv.labels), [0, 5]);
    assert.throws(() => loadSvhn(dir, { split: 'extra' }), /extra_32x32\.mat is missing/);
    writeStl10(path.join(dir, 'test_X.bin'), new Uint8Array(27648 * 2).fill(7), path.join(dir, 'test_y.bin'), [0, 9]);
    const st = loadStl10(dir, { split: 'test' });
    assert.deepStrictEqual(st.shape, [2, 96, 96, 3]);
    assert.deepStrictEqual(Array.from(st.labels), [0, 9]);
    assert.strictEqual(st.classNames[9], 'truck');
    writeIdx(path.join(dir, 't10k-images-idx3-ubyte.gz'), [3, 28, 28], new Uint8Array(3 * 784).fill(1));
    writeIdx(path.join(dir, 't10k-labels-idx1-ubyte'), [3], Uint8Array.from([1, 2, 3]));
    const mn = loadMnistDir(dir, { split: 'test' });
    assert.deepStrictEqual(mn.shape, [3, 28, 28, 1]);
    assert.deepStrictEqual(Array.from(mn.labels), [1, 2, 3]);
    writeIdx(path.join(dir, 'train-images-idx3-ubyte'), [3, 28, 28], new Uint8Array(3 * 784));
    writeIdx(path.join(dir, 'train-labels-idx1-ubyte'), [2], Uint8Array.from([1, 2]));
    assert.throws(() => loadMnistDir(dir), /has 3 images but .*train-labels-idx1-ubyte has 2 labels/);
  });

  it('SVHN validation split: 400 per class from train + 200 per class from extra', () => {
    const train = Int32Array.from({ length: 7000 }, (_, i) => i % 10);
    const extra = Int32Array.from({ length: 3000 }, (_, i) => (i * 7) % 10);
    const s = svhnValidationSplit(train, extra, makeRng(0));
    assert.deepStrictEqual(Array.from(classCounts(Array.from(s.trainVal, (i) => train[i]), 10)), Array(10).fill(400));
    assert.deepStrictEqual(Array.from(classCounts(Array.from(s.extraVal, (i) => extra[i]), 10)), Array(10).fill(200));
    assert.strictEqual(s.trainVal.length + s.extraVal.length, 6000);
    assert.strictEqual(s.trainRest.length + s.extraRest.length, 10000 - 6000);
  });
});

// Written by numpy.save: float32 arange(6).reshape(2,3)*0.5, and int64 [3, -1].
const NPY_F4 = 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAPwAAgD8AAMA/AAAAQAAAIEA=';
const NPY_I8 = 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAP//////////';

describe('data readers: NumPy .npy', () => {
  it('reads files written by numpy.save and round-trips its own', () => {
    const a = parseNpy(Buffer.from(NPY_F4, 'base64'));
    assert.deepStrictEqual([a.dtype, a.shape], ['<f4', [2, 3]]);
    assert.deepStrictEqual(Array.from(a.data as Float32Array), [0, 0.5, 1, 1.5, 2, 2.5]);
    const b = parseNpy(Buffer.from(NPY_I8, 'base64'));
    assert.deepStrictEqual(Array.from(b.data as BigInt64Array, Number), [3, -1]);
    const f = path.join(dir, 'feat.npy');
    writeNpy(f, Float32Array.from([1, 2, 3, 4]), [4, 1]);
    assert.strictEqual(fs.readFileSync(f).subarray(0, 8).toString('latin1'), '\x93NUMPY\x01\x00');
    const back = readNpy(f);
    assert.deepStrictEqual(back.shape, [4, 1]);
    assert.deepStrictEqual(Array.from(back.data as Float32Array), [1, 2, 3, 4]);
    assert.strictEqual((fs.readFileSync(f).readUInt16LE(8) + 10) % 64, 0, 'header padded to 64 bytes like numpy');
  });

  it('rejects truncated, Fortran-order and non-npy files', () => {
    const good = Buffer.from(NPY_F4, 'base64');
    assert.throws(() => parseNpy(good.subarray(0, good.length - 4), 'f.npy'), /f\.npy has shape \(2, 3\) of <f4 = 24 bytes but 20 bytes of data/);
    const fortran = Buffer.from(good.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1');
    assert.throws(() => parseNpy(fortran, 'g.npy'), /g\.npy is in Fortran order/);
    assert.throws(() => parseNpy(zlib.gzipSync(good), 'h.npy'), /h\.npy does not start with the \\x93NUMPY magic/);
    assert.throws(() => readNpy(path.join(dir, 'none.npy')), /readNpy: file not found/);
  });

  it('reads gzip-compressed .npy.gz and uint64; npyToNumeric gives Float32Array / Int32Array', () => {
    const gz = path.join(dir, 'feat.npy.gz');
    fs.writeFileSync(gz, zlib.gzipSync(encodeNpy(Float64Array.from([0.5, -2, 7.25]), [3])));
    const a = readNpy(gz);
    assert.deepStrictEqual([a.dtype, a.shape], ['<f8', [3]]);
    const fa = npyToNumeric(a);
    assert.ok(fa instanceof Float32Array);
    assert.deepStrictEqual(Array.from(fa), [0.5, -2, 7.25]);
    const i8 = npyToNumeric(parseNpy(Buffer.from(NPY_I8, 'base64')));
    assert.ok(i8 instanceof Int32Array);
    assert.deepStrictEqual(Array.from(i8), [3, -1]);
    const u8 = Buffer.from(Buffer.from(NPY_I8, 'base64').toString('latin1').replace("'<i8'", "'<u8'"), 'latin1');
    const b = parseNpy(u8);
    assert.ok(b.data instanceof BigUint64Array);
    assert.strictEqual(b.data[0], 3n);
    assert.strictEqual(npyToNumeric(b)[0], 3);
  });
});

// Written by GNU tar (--format=gnu, gzipped; and --format=posix): cifar-10-batches-bin/ with
// batches.meta.txt = 'abc' and a 700-byte file of 'x' whose name is 120 'n's + '.bin'
// (longer than the 100-byte ustar name field, so it needs the GNU 'L' / pax 'path' records).
const TAR_GNU_GZ = 'H4sIAAAAAAAAA+3WSwqDMBAG4BzFCxgnL932AF4iim2lVEFT8Pi10o1i66I+sP7fJoEEMmQyQ9L8bCtfkJ9Yl16z2k/yImDzolZkTDe2hmM3F0YRaaPDUDMSSmrJPDNzHKMetbOV57GqLN23fVPrO8UDHpzisrjEeXFb6IxXgkOtP+ZfStl7CySEiSLmxQvF03Pw/Kdj9V9shLeHb30hB7NG/ifqX8hI9/u/0lK1/Z/WuICD138DsFNb184/GO3/7zm/Z85y1/za96b+f0Rq8P8PFfr/OmySbh0CAAAAAAAAAAAAAAAAzOgJij2N4gAoAAA=';
const TAR_PAX_GZ = 'H4sICLRZAmsCA3AudGFyAO3XS26DMBQFUI+zCjYA+PdsGGTeYbdgKFUYQCpwJZZfp6qqBpHSDyGivWcCwiCDzH22k/TeDXeVe6i6Pi3rR9fFgseF8+Wh6uOibtnv8cBo/XoMxkcupGWCFOeatDHhPqEsNywa2Aqee++68Crsf5J51Pi6qfbC5qSEETpLZMZNLoTehUY3bgzD9N5YXnySwTZMRT5duI9Txi3Rxfyfzs/zH04ki2jN/HfHo//svrn28cdtefw/TAntAubqvzLyfPyVVFKg/q9BEEVPzh/2kz9CeyNJ6Hw3PTVlP56aMkxNX8z/wqM5k/+w/NOj/BOpUP856v/VDQAbhep9/fXf2+WkqbxL/ODX2f8bKwnrP+z/4Sb5XyL038h/2AGO8m8N1n/rcEWJEAAAAAAAAAAA/GEvr/JnYQAoAAA=';
// numpy.savez_compressed(data=np.arange(2*3072, dtype=uint8).reshape(2, 3072), labels=[1, 1000]) (zip64 extras, as numpy writes).
const NPZ = 'UEsDBC0AAAAIAAAAIQBDJ3wU//////////8IABQAZGF0YS5ucHkBABAAgBgAAAAAAACOAQAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsYG5kaaOgq1CuQBLgZGJmYWVjZ2Dk4ubh5ePn4BQSFhEVExcQlJKWkZWTl5BUUlZRVVNXUNTS1tHV09fQNDI2MTUzNzC0sraxtbO3sHRydnF1c3dw9PL28fXz//gMCg4JDQsPCIyKjomNi4+ITEpOSU1LT0jMys7JzcvPyCwqLiktKy8orKquqa2rr6hsam5pbWtvaOzq7unt6+/gkTJ02eMnXa9BkzZ82eM3fe/AULFy1esnTZ8hUrV61es3bd+g0bN23esnXb9h07d+3es3ff/gMHDx0+cvTY8RMnT50+c/bc+QsXL12+cvXa9Rs3b92+c/fe/QcPHz1+8vTZ8xcvX71+8/bd+w8fP33+8vXb9x8/f/3+8/ff/1H/j/p/1P+j/h/1/6j/R/0/6v9R/4/6f9T/o/4f9f+o/0f9P+r/Uf+P+n/U/6P+H/X/qP+Ho/8BUEsDBC0AAAAIAAAAIQA43+TK//////////8KABQAbGFiZWxzLm5weQEAEACQAAAAAAAAAEsAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjqaOgq1ChQALkYGCHjBDKEBUEsBAi0DLQAAAAgAAAAhAEMnfBSOAQAAgBgAAAgAAAAAAAAAAAAAAIABAAAAAGRhdGEubnB5UEsBAi0DLQAAAAgAAAAhADjf5MpLAAAAkAAAAAoAAAAAAAAAAAAAAIAByAEAAGxhYmVscy5ucHlQSwUGAAAAAAIAAgBuAAAATwIAAAAA';

describe('data readers: tar, zip and npz archives', () => {
  it('reads GNU and pax tar.gz files with long names', () => {
    const long = 'cifar-10-batches-bin/' + 'n'.repeat(120) + '.bin';
    for (const b64 of [TAR_GNU_GZ, TAR_PAX_GZ]) {
      const f = path.join(dir, 'a.tar.gz');
      fs.writeFileSync(f, Buffer.from(b64, 'base64'));
      const m = readTar(f);
      assert.strictEqual(m.get('cifar-10-batches-bin/batches.meta.txt')!.toString(), 'abc');
      assert.strictEqual(m.get(long)!.length, 700);
      assert.ok(m.get(long)!.every((v) => v === 120));
      const out = path.join(dir, 'x');
      const written = extractTar(f, out, (n) => n.endsWith('.txt'));
      assert.deepStrictEqual(written, [path.join(out, 'cifar-10-batches-bin', 'batches.meta.txt')]);
    }
    const raw = zlib.gunzipSync(Buffer.from(TAR_GNU_GZ, 'base64'));
    const bad = Buffer.from(raw); bad[10] ^= 1;
    assert.throws(() => parseTar(bad, 't.tar'), /t\.tar: bad header checksum at byte 0/);
    assert.throws(() => parseTar(raw.subarray(0, 1200), 'u.tar'), /u\.tar is truncated/);
    assert.throws(() => parseTar(raw.subarray(0, 2048), 'v.tar'), /v\.tar is truncated: entry '.*' needs 700 bytes/);
  });

  it('reads numpy .npz files and ImageNet32 batches (planar RGB -> HWC, labels 1..1000 -> 0..999)', () => {
    const f = path.join(dir, 'val_data.npz');
    fs.writeFileSync(f, Buffer.from(NPZ, 'base64'));
    const z = readNpz(f);
    assert.deepStrictEqual(z.data.shape, [2, 3072]);
    assert.deepStrictEqual(Array.from(z.labels.data as BigInt64Array, Number), [1, 1000]);
    const s = loadImagenet32Npz(f);
    assert.deepStrictEqual(s.shape, [2, 32, 32, 3]);
    assert.deepStrictEqual(Array.from(s.labels), [0, 999]);
    // image 1, row 2, col 5, channel G: planar index 3072 + 1024 + 2*32 + 5, value mod 256
    assert.strictEqual(s.images[3072 + (2 * 32 + 5) * 3 + 1], (3072 + 1024 + 69) % 256);
    const mine = encodeZip({ 'a.npy': encodeNpy(Int32Array.from([5, 6]), [2]), 'b.txt': Buffer.from('hi') }, true);
    const zm = parseZip(mine, 'm.zip');
    assert.strictEqual(zm.get('b.txt')!.toString(), 'hi');
    assert.throws(() => parseZip(mine.subarray(0, mine.length - 30), 'cut.zip'), /cut\.zip has no end-of-central-directory record/);
    assert.throws(() => loadImagenet32Npz(path.join(dir, 'nope.npz')), /readZip: file not found/);
  });
});
