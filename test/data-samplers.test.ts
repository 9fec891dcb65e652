// Splits, samplers and label noise: exact sizes, disjointness, determinism per seed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  stratifiedSplit, randomSplit, apportion, labelledSubset, classSplit, remapLabels, episodeSampler, fewShotEpisodes,
  corruptLabels, classCounts, writeSplitFile, readSplitFile, loadSklearnDigits, loadFashionMnist,
} from '../lib/data';
import { makeRng } from '../lib/util/random';

const disjoint = (a: ArrayLike<number>, b: ArrayLike<number>) => { const s = new Set(Array.from(a)); return Array.from(b).every((x) => !s.has(x)); };
const countsOf = (labels: ArrayLike<number>, idx: ArrayLike<number>, k: number) => classCounts(Array.from(idx, (i) => labels[i]), k);

describe('data splits', () => {
  it('apportions exactly by largest remainder', () => {
    assert.deepStrictEqual(Array.from(apportion(10, [1, 1, 1])), [4, 3, 3]);
    assert.deepStrictEqual(Array.from(apportion(360, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])).reduce((a, b) => a + b, 0), 360);
  });

  it('stratified split of sklearn digits gives 1437 / 360, disjoint and class-proportional', () => {
    const d = loadSklearnDigits();
    const s = stratifiedSplit(d.labels, { test: 360, rng: makeRng(0) });
    assert.strictEqual(s.train.length, 1437);
    assert.strictEqual(s.test.length, 360);
    assert.strictEqual(s.val.length, 0);
    assert.ok(disjoint(s.train, s.test));
    const tc = countsOf(d.labels, s.test, 10), all = classCounts(d.labels, 10);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(tc[k] - (all[k] * 360) / 1797) < 1, `class ${k}: ${tc[k]}`);
    assert.deepStrictEqual(Array.from(stratifiedSplit(d.labels, { test: 360, rng: makeRng(0) }).test), Array.from(s.test), 'same seed, same split');
    assert.notDeepStrictEqual(Array.from(stratifiedSplit(d.labels, { test: 360, rng: makeRng(1) }).test), Array.from(s.test));
    assert.strictEqual(stratifiedSplit(d.labels, { test: 0.2, rng: makeRng(0) }).test.length, 359); // round(0.2 * 1797)
  });

  it('three-way split with a validation part', () => {
    const d = loadSklearnDigits();
    const s = stratifiedSplit(d.labels, { test: 0.2, val: 100, rng: makeRng(3) });
    assert.strictEqual(s.val.length, 100);
    assert.strictEqual(s.train.length + s.val.length + s.test.length, 1797);
    assert.ok(disjoint(s.train, s.val) && disjoint(s.val, s.test) && disjoint(s.train, s.test));
    const r = randomSplit(50, { test: 10, val: 5, rng: makeRng(1) });
    assert.deepStrictEqual([r.train.length, r.val.length, r.test.length], [35, 5, 10]);
    assert.throws(() => stratifiedSplit(d.labels, { test: 1500, val: 400, rng: makeRng(0) }), /test \(1500\) \+ val \(400\) exceed the 1797 samples/);
  });
});

describe('data samplers', () => {
  it('labelled subset: exactly N per class, the rest unlabelled, seeded', () => {
    const train = loadFashionMnist({ split: 'train' });
    const s = labelledSubset(train.labels, { perClass: 100, rng: makeRng(7) });
    assert.strictEqual(s.labelled.length, 1000);
    assert.strictEqual(s.unlabelled.length, 59000);
    assert.deepStrictEqual(Array.from(countsOf(train.labels, s.labelled, 10)), Array(10).fill(100));
    assert.ok(disjoint(s.labelled, s.unlabelled));
    const same = labelledSubset(train.labels, { perClass: 100, rng: makeRng(7) });
    const other = labelledSubset(train.labels, { perClass: 100, rng: makeRng(8) });
    assert.deepStrictEqual(Array.from(same.labelled), Array.from(s.labelled));
    assert.notDeepStrictEqual(Array.from(other.labelled), Array.from(s.labelled));
    assert.throws(() => labelledSubset([0, 0, 1], { perClass: 2, rng: makeRng(0) }), /class 1 has 1 images, fewer than perClass = 2/);
    const f = path.join(os.tmpdir(), `cv-split-${process.pid}.json`);
    writeSplitFile(f, 7, s, { dataset: 'fashion-mnist' });
    const back = readSplitFile(f);
    fs.rmSync(f);
    assert.strictEqual(back.seed, 7);
    assert.strictEqual(back.dataset, 'fashion-mnist');
    assert.deepStrictEqual(Array.from(back.labelled), Array.from(s.labelled));
  });

  it('class split separates base and novel classes and remaps labels', () => {
    const labels = [0, 7, 3, 8, 9, 1, 7];
    const s = classSplit(labels, { base: [0, 1, 2, 3, 4, 5, 6], novel: [7, 8, 9] });
    assert.deepStrictEqual(Array.from(s.base), [0, 2, 5]);
    assert.deepStrictEqual(Array.from(s.novel), [1, 3, 4, 6]);
    assert.deepStrictEqual(Array.from(remapLabels(Array.from(s.novel, (i) => labels[i]), s.novelClasses)), [0, 1, 2, 0]);
    assert.throws(() => classSplit(labels, { base: [1, 2], novel: [2, 3] }), /classes \[2\] are both base and novel/);
    assert.throws(() => remapLabels([4], [7, 8]), /label 4 at 0 is not in \[7,8\]/);
  });

  it('few-shot episodes: N distinct classes, K shots and Q queries each, support and query disjoint', () => {
    const test = loadFashionMnist({ split: 'test' });
    const sample = episodeSampler(test.labels, { classes: [5, 7, 8, 9], nWay: 3, kShot: 5, query: 15 });
    const rng = makeRng(11);
    for (let t = 0; t < 20; t++) {
      const e = sample(rng);
      assert.strictEqual(new Set(e.classes).size, 3);
      assert.ok(e.classes.every((c) => [5, 7, 8, 9].includes(c)));
      assert.strictEqual(e.support.length, 15);
      assert.strictEqual(e.query.length, 45);
      assert.ok(disjoint(e.support, e.query));
      assert.strictEqual(new Set(e.support).size + new Set(e.query).size, 60, 'no duplicates');
      e.support.forEach((i, k) => assert.strictEqual(test.labels[i], e.classes[e.supportLabels[k]]));
      e.query.forEach((i, k) => assert.strictEqual(test.labels[i], e.classes[e.queryLabels[k]]));
      assert.deepStrictEqual(Array.from(classCounts(e.supportLabels, 3)), [5, 5, 5]);
    }
    // 'rest': all remaining images of the chosen classes are queries (ch2 thesis protocol).
    const eps = [...fewShotEpisodes(test.labels, { classes: [7, 8, 9], nWay: 3, kShot: 1, query: 'rest', count: 2, rng: makeRng(1) })];
    assert.strictEqual(eps.length, 2);
    assert.strictEqual(eps[0].query.length, 3 * 999);
    assert.notDeepStrictEqual(Array.from(eps[0].support), Array.from(eps[1].support));
    assert.throws(() => episodeSampler(test.labels, { classes: [1, 2], nWay: 5, kShot: 1, query: 15 }), /5-way episodes need 5 classes, only 2 available/);
    assert.throws(() => episodeSampler([0, 0, 1, 1], { nWay: 2, kShot: 2, query: 1 }), /class 0 has 2 images, an episode needs 3/);
    const restricted = episodeSampler(test.labels, { classes: [1, 6], nWay: 2, kShot: 1, query: 1, indices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const e = restricted(makeRng(2));
    assert.ok([...e.support, ...e.query].every((i) => i < 10));
  });
});

describe('symmetric label noise', () => {
  const n = 10000, m = 100;
  const truth = Int32Array.from({ length: n }, (_, i) => i % m);

  it('re-draws exactly round(p*N) labels; with excludeTrue exactly that many are wrong', () => {
    for (const p of [0, 0.1, 0.37, 0.5, 1]) {
      const r = corruptLabels(truth, { numClasses: m, fraction: p, seed: 1, epoch: 0, excludeTrue: true });
      assert.strictEqual(r.corrupted.length, Math.round(p * n));
      assert.strictEqual(r.numWrong, Math.round(p * n));
      let wrong = 0;
      for (let i = 0; i < n; i++) if (r.labels[i] !== truth[i]) wrong++;
      assert.strictEqual(wrong, Math.round(p * n), `p = ${p}`);
      const picked = new Set(r.corrupted);
      for (let i = 0; i < n; i++) if (!picked.has(i)) assert.strictEqual(r.labels[i], truth[i]);
    }
  });

  it('default (spec 4.2): uniform over all m classes, so the wrong rate is p*(m-1)/m', () => {
    const truth10 = Int32Array.from(truth, (t) => t % 10);
    const r10 = corruptLabels(truth10, { numClasses: 10, fraction: 0.5, seed: 2, epoch: 0 });
    assert.strictEqual(r10.corrupted.length, 5000);
    assert.ok(Math.abs(r10.numWrong - 4500) < 120, `wrong ${r10.numWrong}, expected ~4500`);
    // New labels of the picked items are uniform over the 10 classes.
    const c = classCounts(Array.from(r10.corrupted, (i) => r10.labels[i]), 10);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(c[k] - 500) < 90, `class ${k}: ${c[k]}`);
  });

  it('per-epoch draws differ between epochs and repeat for the same (seed, epoch); fixed ignores the epoch', () => {
    const a = corruptLabels(truth, { numClasses: m, fraction: 0.2, seed: 5, epoch: 1 });
    const b = corruptLabels(truth, { numClasses: m, fraction: 0.2, seed: 5, epoch: 1 });
    const c = corruptLabels(truth, { numClasses: m, fraction: 0.2, seed: 5, epoch: 2 });
    assert.deepStrictEqual(Array.from(a.labels), Array.from(b.labels));
    assert.notDeepStrictEqual(Array.from(a.corrupted), Array.from(c.corrupted));
    const f1 = corruptLabels(truth, { numClasses: m, fraction: 0.2, seed: 5, epoch: 1, mode: 'fixed' });
    const f2 = corruptLabels(truth, { numClasses: m, fraction: 0.2, seed: 5, epoch: 9, mode: 'fixed' });
    assert.deepStrictEqual(Array.from(f1.labels), Array.from(f2.labels));
    const bern = corruptLabels(truth, { numClasses: m, fraction: 0.3, seed: 5, epoch: 0, selection: 'bernoulli' });
    assert.ok(Math.abs(bern.corrupted.length - 3000) < 200);
  });

  it('rejects bad options by name', () => {
    assert.throws(() => corruptLabels(truth, { numClasses: m, fraction: 1.5, seed: 0, epoch: 0 }), /fraction must be in \[0, 1\], got 1\.5/);
    assert.throws(() => corruptLabels(truth, { numClasses: m, fraction: 0.1, seed: 0 }), /mode 'per-epoch' needs the epoch number/);
    assert.throws(() => corruptLabels(truth, { numClasses: m, fraction: 0.1, seed: 0, epoch: 0, mode: 'sometimes' as never }), /unknown mode 'sometimes'/);
    assert.throws(() => corruptLabels([0, 120], { numClasses: m, fraction: 0.1, seed: 0, epoch: 0 }), /label 120 at 1 is outside \[0, 100\)/);
  });
});
