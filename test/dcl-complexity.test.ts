// Parameter / MAC formulas and the paper's architectures (spec §8 check 2, §2.6, §3.3, §6.3).
import { strict as assert } from 'assert';
import {
  layerCounts, dclCounts, isCheaper, maxTotalFilters, percentFewer, analyzeArch, archString,
  mnistLeNetArch, mnistVariant, genericLeNetArch, bigNetArch, alexNetArch,
} from '../lib/papers/dcl';

describe('DCL complexity formulas (§3.4)', () => {
  it('worked numbers of the spec table (weights only)', () => {
    const cases: [number, number, number, number[], number, number][] = [
      [6, 256, 4096, [1024, 1024], 37748736, 27262976], // AlexNet fc6
      [1, 800, 500, [100, 100], 400000, 260000], // LeNet A2
      [1, 800, 500, [100, 100, 100], 400000, 390000], // LeNet A3
      [1, 500, 100, [20, 20], 50000, 24000], // B2, 100 classes
      [1, 500, 100, [20, 20, 20], 50000, 36000],
      [1, 500, 1000, [200, 200], 500000, 600000], // B2 at 1000 classes is LARGER
      [1, 500, 1000, [200, 200, 200], 500000, 900000],
      [1, 2048, 512, [128, 128], 1048576, 655360], // SVHN/CIFAR LeNet FC512
      [3, 256, 1024, [256, 256], 2359296, 1703936], // BigNet FC1024 (3x3 conv)
    ];
    for (const [u, K1, K2, Ms, orig, d] of cases) {
      assert.equal(layerCounts({ u, K1, K2 }).weights, orig, `orig ${u},${K1},${K2}`);
      assert.equal(dclCounts({ u, K1, K2 }, Ms).weights, d, `dcl ${u},${K1},${K2},${Ms}`);
      assert.equal(isCheaper(u, K1, K2, Ms), d <= orig);
    }
    const a = dclCounts({ u: 6, K1: 256, K2: 4096 }, [1024, 1024]);
    assert.equal(a.stage1Weights, 18874368);
    assert.equal(a.stage2Weights, 8388608);
    assert.equal(a.compositionalFilters, 1024 * 1024);
  });

  it('with biases: + ΣM + T·K2 (DCL) and + K2 (layer)', () => {
    const d = dclCounts({ u: 1, K1: 800, K2: 500 }, [100, 100]);
    assert.equal(d.biases, 200 + 1000);
    assert.equal(d.params, 261200);
    assert.equal(layerCounts({ u: 1, K1: 800, K2: 500 }).params, 400500);
  });

  it('MACs scale by W2·H2 for a conv; the product/root cost is separate', () => {
    const g = { u: 3, K1: 16, K2: 32, H2: 10, W2: 8 };
    assert.equal(layerCounts(g).macs, 80 * 9 * 16 * 32);
    const d = dclCounts(g, [4, 6]);
    assert.equal(d.macs, 80 * (9 * 16 * 10 + 32 * 10));
    assert.equal(d.fusionOps, 2 * 80 * 32);
  });

  it('isCheaper agrees with ΣM <= u²K1K2/(u²K1+K2) on a grid', () => {
    for (const u of [1, 3]) for (const K1 of [8, 50]) for (const K2 of [10, 64]) {
      const bound = maxTotalFilters(u, K1, K2);
      for (let m1 = 1; m1 <= 40; m1 += 3) for (let m2 = 1; m2 <= 40; m2 += 5) {
        assert.equal(isCheaper(u, K1, K2, [m1, m2]), m1 + m2 <= bound + 1e-9, `${u},${K1},${K2},${m1},${m2}`);
      }
    }
    // §9.7: MNIST A3 (3 x 100) breaks "ΣM <= K2/2" but is still smaller: bound = 307.7.
    assert.ok(Math.abs(maxTotalFilters(1, 800, 500) - 307.6923) < 1e-3);
  });

  it('percentages: 16.82% (AlexNet) and 11.41% (BigNet)', () => {
    assert.equal(percentFewer(10485760, 62.35e6), 16.82);
    assert.equal(percentFewer(655360, 5742272), 11.41);
    assert.throws(() => percentFewer(1, 0), /total must be > 0/);
  });

  it('bad geometry names the field', () => {
    assert.throws(() => layerCounts({ u: 0, K1: 3, K2: 4 }), /u must be a positive integer/);
    assert.throws(() => dclCounts({ u: 1, K1: 3, K2: 4 }, []), /non-empty/);
    assert.throws(() => isCheaper(1, 3, 4, [2, -1]), /positive integers/);
  });
});

describe('DCL architectures (§3.3)', () => {
  it('MNIST LeNet: 475,500 weights / 476,170 params (100 classes); shapes 24-12-8-4', () => {
    const s = analyzeArch(mnistLeNetArch({ classes: 100 }));
    assert.equal(s.weights, 475500);
    assert.equal(s.params, 476170);
    assert.deepEqual(s.rows.map((r) => r.out[0]), [24, 12, 8, 4, 1, 1, 1]);
    assert.equal(archString(mnistLeNetArch({ classes: 100 })), 'C5@20-MP2S2-C5@50-MP2S2-FC500-D0.5-FC100');
  });

  it('DCL variants: the spec table at 100 and 1,000 classes', () => {
    const table: Record<string, [number, number, number, number]> = {
      // id: [params 100, weights 100, params 1000, weights 1000]
      A2: [336870, 335500, 787770, 785500],
      A3S: [467470, 465500, 918370, 915500],
      A3D: [467470, 465500, 918370, 915500],
      B2: [450310, 449500, 1028470, 1025500],
      B3D: [462430, 461500, 1329670, 1325500],
      B3S: [462430, 461500, 1329670, 1325500],
    };
    for (const [id, [p100, w100, p1000, w1000]] of Object.entries(table)) {
      const s100 = analyzeArch(mnistLeNetArch({ classes: 100, dcl: mnistVariant(id, 100) }));
      const s1000 = analyzeArch(mnistLeNetArch({ classes: 1000, dcl: mnistVariant(id, 1000) }));
      assert.deepEqual([s100.params, s100.weights, s1000.params, s1000.weights], [p100, w100, p1000, w1000], id);
    }
    assert.equal(analyzeArch(mnistLeNetArch({ classes: 1000 })).params, 927070);
    assert.throws(() => mnistVariant('C2', 100), /unknown DCL variant 'C2'/);
  });

  it('SVHN/CIFAR LeNet (ceil pooling 32-16-8-4): 1,312,096 -> 918,880 weights (10 classes)', () => {
    assert.equal(analyzeArch(genericLeNetArch({ classes: 10 })).weights, 1312096);
    assert.equal(analyzeArch(genericLeNetArch({ classes: 10, dcl: true })).weights, 918880);
    assert.equal(analyzeArch(genericLeNetArch({ classes: 100 })).weights, 1358176);
    assert.equal(analyzeArch(genericLeNetArch({ classes: 100, dcl: true })).weights, 964960);
  });

  it('BigNet (reconstructed): 5,742,272 -> 5,086,912 weights, 11.41% fewer', () => {
    const a = analyzeArch(bigNetArch({ classes: 10 })).weights, b = analyzeArch(bigNetArch({ classes: 10, dcl: true })).weights;
    assert.equal(a, 5742272);
    assert.equal(b, 5086912);
    assert.equal(percentFewer(a - b, a), 11.41);
  });

  it('AlexNet: 62,367,776 weights by count; DCL saves exactly 10,485,760 (16.82% of the printed 62.35M)', () => {
    const a = analyzeArch(alexNetArch()), b = analyzeArch(alexNetArch({ dcl: true }));
    assert.equal(a.weights, 62367776);
    assert.equal(a.weights - b.weights, 10485760);
    assert.equal(a.rows[8].weights, 37748736); // fc6: 37.75M, > 60% of the net
    assert.ok(a.rows[8].weights / 62.35e6 > 0.6);
    assert.equal(percentFewer(a.weights - b.weights, 62.35e6), 16.82);
    assert.deepEqual(a.rows[7].out, [6, 6, 256]);
  });
});
