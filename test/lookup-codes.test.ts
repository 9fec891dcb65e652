// Spec section 8, checks 1-5, 18 (Tiny ImageNet part), 19: pure arithmetic, storage, synthetic data.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  numEntries, binIndex, binRange, bitsPerChannel, bitsPerPixel, nominalCompression, exactCompression,
  packIndices, unpackIndices, extraParams, extraFlops, extraParamsCompressed,
} from '../lib/papers/lookup-vnets/codes';
import { initTableValues } from '../lib/papers/lookup-vnets/init';
import { encodeImageSet, decodeImageSet, decodeIndices, saveCompressed, loadCompressed } from '../lib/papers/lookup-vnets/storage';
import { makeColorBandShapes, bandGroups } from '../lib/papers/lookup-vnets/synthetic';
import { parseWnids, parseValAnnotations, readTinyImageNet } from '../lib/papers/lookup-vnets/tiny-imagenet';
import { makeRng } from '../lib/util/random';
import { writeCifar } from '../lib/data/readers/cifar';
import { dimVerdict, cmpVerdict } from '../lib/papers/lookup-vnets/claims';
import { loadCifar10Folder, loadCifar100Folder, loadStandIn } from '../lib/papers/lookup-vnets/data';

describe('lookup-vnets: code arithmetic', () => {
  it('numEntries = ceil(256/c)', () => {
    const cs = [1, 2, 3, 5, 9, 15, 16, 100, 128, 256];
    assert.deepEqual(cs.map(numEntries), [256, 128, 86, 52, 29, 18, 16, 3, 2, 1]);
    assert.throws(() => numEntries(0), /positive integer/);
    assert.throws(() => numEntries(2.5), /positive integer/);
  });

  it('binIndex and binRange tile 0..255 without gaps', () => {
    for (let c = 1; c <= 256; c++) {
      const K = numEntries(c);
      assert.equal(binIndex(255, c), K - 1);
      if (c > 1) { assert.equal(binIndex(c - 1, c), 0); if (c < 256) assert.equal(binIndex(c, c), 1); }
      let next = 0;
      for (let k = 0; k < K; k++) {
        const [lo, hi] = binRange(k, c);
        assert.equal(lo, next);
        for (const v of [lo, hi]) assert.equal(binIndex(v, c), k);
        next = hi + 1;
      }
      assert.equal(next, 256);
      const [lo, hi] = binRange(K - 1, c);
      assert.equal(hi - lo + 1, 256 - c * (K - 1));
    }
    assert.deepEqual([99, 100, 199, 200, 255].map((v) => binIndex(v, 100)), [0, 1, 1, 2, 2]);
    assert.throws(() => binIndex(256, 4), /\[0, 255\]/);
  });

  it('bits and compression ratios (spec 2.9 table)', () => {
    const rows: [number, number, number, number][] = [[1, 8, 24, 1], [2, 7, 21, 8], [5, 6, 18, 119.3], [9, 5, 15, 687.9],
      [10, 5, 15, 954.6], [15, 5, 15, 2876.8], [16, 4, 12, 4096], [100, 2, 6, 621378.4], [128, 1, 3, 2097152], [256, 0, 0, 16777216]];
    for (const [c, bc, bp, ex] of rows) {
      assert.equal(bitsPerChannel(c), bc, `bitsPerChannel(${c})`);
      assert.equal(bitsPerPixel(c), bp, `bitsPerPixel(${c})`);
      assert.ok(Math.abs(exactCompression(c) - ex) < 0.06, `exact(${c}) = ${exactCompression(c)}`);
    }
    assert.equal(nominalCompression(16), 4096);
    assert.equal(nominalCompression(15), 3375);
    assert.equal(bitsPerPixel(16, 1), 4);
  });

  it('pack/unpack round-trip for 0..8 bits; 32x32x3 at c=16 packs into 1536 bytes', () => {
    const rng = makeRng(1);
    for (let bits = 0; bits <= 8; bits++) {
      const count = 37 + bits;
      const idx = new Uint8Array(count).map(() => (bits ? rng.int(1 << bits) : 0));
      const packed = packIndices(idx, bits);
      assert.equal(packed.length, Math.ceil((count * bits) / 8));
      assert.deepEqual(Array.from(unpackIndices(packed, bits, count)), Array.from(idx));
    }
    assert.deepEqual(Array.from(packIndices([1, 0, 1], 1)), [0b10100000]);
    assert.deepEqual(Array.from(packIndices([5, 3], 4)), [0x53]);
    assert.equal(packIndices(new Uint8Array(32 * 32 * 3), 4).length, 1536);
    assert.throws(() => packIndices([16], 4), /does not fit in 4 bits/);
  });

  it('extra parameters and floats (spec 2.9 worked values)', () => {
    const cases: [number, number, number, number][] = [[1, 768, 3072, 16], [2, 1968, 887808, 16], [5, 5568, 3542016, 16],
      [10, 11568, 7965696, 16], [100, 119568, 87591936, 16]];
    for (const [u, p, f, j] of cases) {
      assert.equal(extraParams(u, 3, j), p, `params u=${u}`);
      assert.equal(extraFlops(32, 32, 1, 3, j, u), f, `flops u=${u}`);
    }
    assert.equal(extraParams(10, 3, 64), 23232);
    assert.equal(extraFlops(32, 32, 1, 3, 64, 10), 31853568);
    assert.equal(extraParams(1, 7, 64), 768);
    assert.equal(extraFlops(224, 224, 2, 7, 64, 1), 150528);
    assert.equal(extraParamsCompressed(16), 48);
  });

  it('table initialisations', () => {
    const lin = initTableValues('linspace', 256, 1, 3);
    for (const v of [0, 1, 127, 200, 255]) assert.ok(Math.abs(lin[256 + v] - (v / 127.5 - 1)) < 1e-6);
    assert.deepEqual(Array.from(initTableValues('linspace', 1, 1, 2)), [0, 0]);
    const u2 = initTableValues('linspace', 4, 2, 1);
    assert.deepEqual(Array.from(u2).map((v) => +v.toFixed(4)), [-1, -1, -0.3333, -0.3333, 0.3333, 0.3333, 1, 1]);
    const uni = initTableValues('uniform', 256, 2, 3, { seed: 3 });
    assert.ok(uni.every((v) => v >= -1 && v < 1));
    assert.deepEqual(Array.from(uni), Array.from(initTableValues('uniform', 256, 2, 3, { seed: 3 })));
    const st = initTableValues('standardize', 16, 1, 1, { cmpRate: 16, mean: [0.5], std: [0.25] });
    assert.ok(Math.abs(st[1] - (16 / 255 - 0.5) / 0.25) < 1e-6);
    assert.throws(() => initTableValues('standardize', 16, 1, 3, {}), /mean and std/);
    assert.throws(() => initTableValues('bogus' as never, 4, 1, 1), /unknown init 'bogus'/);
    assert.throws(() => initTableValues(new Float32Array(3), 4, 1, 1), /expected C\*K\*u/);
  });
});

describe('lookup-vnets: compressed storage', () => {
  it('stores a data set in the compressed code and reads it back', () => {
    const set = makeColorBandShapes({ n: 20, size: 16, seed: 4 });
    const cs = encodeImageSet(set, 16);
    assert.equal(cs.packed.length, (20 * 16 * 16 * 3) / 2); // 12 instead of 24 bits per pixel
    const q = decodeIndices(cs);
    for (let i = 0; i < q.length; i++) assert.equal(q[i], Math.floor(set.images[i] / 16));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvnc-'));
    const file = path.join(dir, 'set.lvnc');
    const bytes = saveCompressed(file, cs);
    assert.ok(bytes < set.images.length / 2 + 1000);
    const back = decodeImageSet(loadCompressed(file));
    assert.deepEqual(Array.from(back.labels), Array.from(set.labels));
    assert.deepEqual(back.classNames, set.classNames);
    for (let i = 0; i < q.length; i++) assert.equal(Math.floor(back.images[i] / 16), q[i]);
    assert.throws(() => loadCompressed(path.join(dir, 'missing.lvnc')), /file not found/);
    fs.writeFileSync(path.join(dir, 'bad.lvnc'), Buffer.from('nonsense-nonsense-nonsense-nonsense-nonsense'));
    assert.throws(() => loadCompressed(path.join(dir, 'bad.lvnc')), /bad magic/);
  });
});

describe('lookup-vnets: ColorBandShapes', () => {
  it('is deterministic, balanced, and keeps the band code', () => {
    const a = makeColorBandShapes({ n: 200, seed: 9 });
    const b = makeColorBandShapes({ n: 200, seed: 9 });
    assert.deepEqual(Array.from(a.images), Array.from(b.images));
    assert.notDeepEqual(Array.from(makeColorBandShapes({ n: 200, seed: 10 }).images.slice(0, 50)), Array.from(a.images.slice(0, 50)));
    const counts = new Array(10).fill(0);
    a.labels.forEach((y) => counts[y]++);
    assert.deepEqual(counts, new Array(10).fill(20));
    const { signal, distractor } = bandGroups(64);
    assert.deepEqual(signal, [0, 3]);
    assert.deepEqual(distractor, [1, 2]);
    assert.deepEqual(bandGroups(32).signal, [0, 3, 5, 6]);
    // every channel of a pixel is in the same group (the mask), and both groups occur
    let fg = 0;
    for (let p = 0; p < a.images.length / 3; p++) {
      const g = [0, 1, 2].map((ch) => signal.includes(Math.floor(a.images[p * 3 + ch] / 64)));
      assert.ok(g[0] === g[1] && g[1] === g[2], `pixel ${p} mixes groups`);
      if (g[0]) fg++;
    }
    assert.ok(fg > 0 && fg < a.images.length / 3);
  });

  it('Thue-Morse groups have equal mean intensity; bins of c | w never mix groups, c = 2w always does', () => {
    for (const w of [32, 64]) {
      const { signal, distractor } = bandGroups(w);
      const mean = (bs: number[]) => bs.reduce((s, b) => s + b * w + (w - 1) / 2, 0) / bs.length;
      assert.equal(mean(signal), mean(distractor));
      if (w === 64) assert.equal(mean(signal), 127.5);
      for (const c of [1, 2, 4, 8, 16, w, 2 * w]) {
        let mixed = 0;
        for (let k = 0; k < numEntries(c); k++) {
          const [lo, hi] = binRange(k, c);
          const groups = new Set<boolean>();
          for (let v = lo; v <= hi; v++) groups.add(signal.includes(Math.floor(v / w)));
          if (groups.size > 1) mixed++;
        }
        if (c <= w) assert.equal(mixed, 0, `c=${c} w=${w}`);
        else assert.equal(mixed, numEntries(c), `c=${c} w=${w}: every bin mixes`);
      }
    }
  });

  it('quadrant labels and bad options', () => {
    const q = makeColorBandShapes({ n: 100, seed: 2, labelBy: 'quadrant' });
    assert.equal(q.classNames.length, 4);
    assert.ok(new Set(Array.from(q.labels)).size === 4);
    assert.throws(() => makeColorBandShapes({ n: 10, seed: 1, bandWidth: 48 }), /bandWidth must divide 256/);
    assert.throws(() => makeColorBandShapes({ n: 10, seed: 1, pattern: 'x' as never }), /unknown pattern/);
  });
});

describe('lookup-vnets: Tiny ImageNet folder reader', () => {
  it('parses wnids.txt and val_annotations.txt, reads with a supplied decoder', () => {
    const { wnids, index } = parseWnids('n01\nn02\r\nn03\n');
    assert.deepEqual(wnids, ['n01', 'n02', 'n03']);
    const ann = parseValAnnotations('val_0.JPEG\tn02\t0\t1\t62\t63\nval_1.JPEG\tn01\t5\t5\t10\t10\n', index);
    assert.deepEqual(ann.map((a) => [a.file, a.label]), [['val_0.JPEG', 1], ['val_1.JPEG', 0]]);
    assert.deepEqual(ann[0].bbox, [0, 1, 62, 63]);
    assert.throws(() => parseValAnnotations('x.JPEG\tn99\t0\t0\t1\t1', index), /'n99' is not in wnids.txt/);
    assert.throws(() => parseWnids('a\na'), /duplicate wnid/);
    // a miniature folder; the "decoder" reads a fake format: 1 byte value v -> gray 4x4 image of v
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tin-'));
    fs.writeFileSync(path.join(root, 'wnids.txt'), 'n01\nn02\n');
    for (const w of ['n01', 'n02']) {
      fs.mkdirSync(path.join(root, 'train', w, 'images'), { recursive: true });
      fs.writeFileSync(path.join(root, 'train', w, 'images', `${w}_0.JPEG`), Buffer.from([w === 'n01' ? 10 : 20]));
    }
    fs.mkdirSync(path.join(root, 'val', 'images'), { recursive: true });
    fs.writeFileSync(path.join(root, 'val', 'images', 'val_0.JPEG'), Buffer.from([30]));
    fs.writeFileSync(path.join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn02\t0\t0\t3\t3\n');
    const decode = (b: Uint8Array) => ({ width: 4, height: 4, data: new Uint8Array(16).fill(b[0]) });
    const tr = readTinyImageNet(root, { split: 'train', decode, size: 4 });
    assert.deepEqual(tr.shape, [2, 4, 4, 3]);
    assert.deepEqual(Array.from(tr.labels), [0, 1]);
    assert.equal(tr.images[0], 10);
    assert.equal(tr.images[4 * 4 * 3 + 2], 20);
    const va = readTinyImageNet(root, { split: 'val', decode, size: 4 });
    assert.deepEqual(Array.from(va.labels), [1]);
    assert.equal(va.images[47], 30);
    assert.throws(() => readTinyImageNet(path.join(root, 'nope'), { split: 'train', decode }), /missing .*wnids.txt/);
  });
});

describe('lookup-vnets: real-format data folders and stand-ins', () => {
  it('CIFAR-10 / CIFAR-100 binary folders load as raw NHWC integer sets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-'));
    const img = (n: number, base: number) => Uint8Array.from({ length: n * 3072 }, (_, i) => (base + i) % 256);
    for (let b = 1; b <= 5; b++) writeCifar(path.join(dir, `data_batch_${b}.bin`), img(2, b), [b, b + 1]);
    writeCifar(path.join(dir, 'test_batch.bin'), img(1, 9), [7]);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
    const c10 = loadCifar10Folder(dir);
    assert.deepEqual(c10.train.shape, [10, 32, 32, 3]);
    assert.deepEqual(Array.from(c10.train.labels.subarray(0, 4)), [1, 2, 2, 3]);
    assert.equal(c10.train.images[5], (1 + 5) % 256); // HWC order preserved
    assert.equal(c10.test.classNames[7], 'horse');
    writeCifar(path.join(dir, 'train.bin'), img(3, 0), [5, 50, 99], [1, 2, 3]);
    writeCifar(path.join(dir, 'test.bin'), img(1, 0), [42], [4]);
    const c100 = loadCifar100Folder(dir);
    assert.deepEqual(Array.from(c100.train.labels), [5, 50, 99]);
    assert.equal(c100.numClasses, 100);
    assert.throws(() => loadCifar10Folder(path.join(dir, 'nope')), /not found/);
  });

  it('digits16 is rescaled to 0..255 at 16x16 with 17 grey levels', () => {
    const d = loadStandIn('digits16', { seed: 1, train: 200, test: 100 });
    assert.deepEqual(d.train.shape, [200, 16, 16, 1]);
    assert.equal(d.test.shape[0], 100);
    const levels = new Set(Array.from(d.train.images));
    assert.ok(levels.size <= 17 && levels.has(255) && levels.has(0));
    for (const v of levels) assert.equal(v, Math.round((Math.round((v * 16) / 255) * 255) / 16));
  });
});

describe('lookup-vnets: verdicts follow the numbers', () => {
  const S = (model: string, mean: number, min = mean, max = mean, n = 2) => ({ model, mean, min, max, n, std: 0 });
  it('dimVerdict says the claim holds only when the spread is within seed noise', () => {
    const base = { config: {} as never, backend: 'wasm', seeds: [1, 2], wallTimeMs: 1, runs: [], tables: {} };
    const ok = dimVerdict({ ...base, summary: [S('Standard', 0.9, 0.89, 0.91), S('Dim 1', 0.905, 0.9, 0.91), S('Dim 10', 0.895, 0.89, 0.9)] });
    assert.match(ok, /claim holds/);
    const bad = dimVerdict({ ...base, summary: [S('Standard', 0.9, 0.89, 0.91), S('Dim 1', 0.9, 0.9, 0.91), S('Dim 10', 0.7, 0.69, 0.71)] });
    assert.match(bad, /does not hold/);
    // Within a noise of 10 points nothing is confirmed (2 seeds that disagree by 10 points).
    const noisy = dimVerdict({ ...base, summary: [S('Standard', 0.97, 0.96, 0.98), S('Dim 1', 0.96, 0.95, 0.97), S('Dim 10', 0.89, 0.84, 0.94)] });
    assert.match(noisy, /not confirmed/);
    assert.doesNotMatch(noisy, /claim holds/);
  });
  it('cmpVerdict reports chance at c = 256 and the designed collapse', () => {
    const summary = [S('CMP 1', 0.5), S('CMP 64', 0.95), S('CMP 128', 0.1), S('CMP 256', 0.1)];
    const text = cmpVerdict({ config: {} as never, backend: 'wasm', seeds: [1], wallTimeMs: 1, runs: [], summary, standard: S('Standard', 0.4), chance: 0.1, largestNoDrop: 64, largestNearBest: 64, tolerance: 0.02, tables: {} }, 'bands', 64);
    assert.match(text, /c = 256 .* is at chance/);
    assert.match(text, /collapse past the designed threshold is reproduced/);
    assert.match(text, /coarser tables scored higher/);
  });
});
