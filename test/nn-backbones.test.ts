import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import { makeRng } from '../lib/util/random';

// Known parameter counts (PyTorch sum of numel over parameters()), each re-derived in the comments.
describe('nn backbones', () => {
  const rng = makeRng(0);
  const count = (m: nn.Layer) => { const c = nn.countParams(m); nn.disposeLayer(m); return c; };

  it('torchvision ResNet-50 has 25,557,032 parameters and ResNet-18 11,689,512', () => {
    assert.strictEqual(count(nn.resnet50(rng)), 25_557_032);
    assert.strictEqual(count(nn.resnet18(rng)), 11_689_512);
  });

  it('kuangliu CIFAR ResNet-18 has 11,173,962 parameters', () => {
    assert.strictEqual(count(nn.resnet18Cifar(rng)), 11_173_962);
  });

  it('CIFAR ResNet-20: 269,722 with option-A shortcuts, 272,474 with 1x1 projections', () => {
    // stem 432+32; stage1 3*(2*2304+64); stage2 (4608+9216+128)+2*(2*9216+128);
    // stage3 (18432+36864+256)+2*(2*36864+256); fc 650 => 269,722; projections add 576+2176.
    assert.strictEqual(count(nn.resnetCifarDepth(rng, 20)), 269_722);
    assert.strictEqual(count(nn.resnetCifarDepth(rng, 20, { shortcut: 'conv' })), 272_474);
    assert.strictEqual(count(nn.resnetCifarDepth(rng, 56)), 853_018);
  });

  it('VGG-16 (CIFAR, BN, one 512->10 FC): 14,728,266 with conv biases (kuangliu), 14,724,042 without', () => {
    // conv weights 14,710,464 + conv biases 4,224 + BN 8,448 + FC 5,130.
    assert.strictEqual(count(nn.vgg(rng, { cfg: 'vgg16', convBias: true })), 14_728_266);
    assert.strictEqual(count(nn.vgg(rng, { cfg: 'vgg16' })), 14_724_042);
  });

  it('WRN-28-10 has 36,479,194 parameters and WRN-16-4 2,748,890 (CIFAR-10)', () => {
    assert.strictEqual(count(nn.wideResNet(rng, 28, 10)), 36_479_194);
    assert.strictEqual(count(nn.wideResNet(rng, 16, 4)), 2_748_890);
  });

  it('LeNet (Caffe) 431,080 and the reference CNN 421,642', () => {
    // LeNet: 520 + 25,050 + 400,500 + 5,010. refcnn: 320 + 18,496 + 3136*128+128 + 1,290.
    assert.strictEqual(count(nn.lenet(rng)), 431_080);
    assert.strictEqual(count(nn.referenceCnn(rng)), 421_642);
  });

  it('forward shapes for inputs 28 and 32, and applyFeatures matches the declared features', () => {
    const cases: [nn.Backbone, number[]][] = [
      [nn.resnet18Cifar(rng, { widthMult: 0.125, inputSize: 28, inChannels: 1 }), [2, 28, 28, 1]],
      [nn.resnetCifarDepth(rng, 20, { widthMult: 0.5 }), [2, 32, 32, 3]],
      [nn.vgg(rng, { cfg: 'vgg11', widthMult: 0.125 }), [2, 32, 32, 3]],
      [nn.wideResNet(rng, 10, 1, { dropRate: 0.3 }), [2, 32, 32, 3]],
      [nn.lenet(rng, { inputSize: 32, inChannels: 3 }), [2, 32, 32, 3]], // valid convs: sizes not input/reduction
      [nn.referenceCnn(rng), [2, 28, 28, 1]],
      [nn.resnet50(rng, { inputSize: 64, numClasses: 10 }), [1, 64, 64, 3]],
    ];
    for (const [m, shape] of cases) {
      tf.tidy(() => {
        const x = tf.randomNormal(shape);
        const y = m.apply(x, { training: true, rng: makeRng(1) });
        assert.deepStrictEqual(y.shape, [shape[0], 10], m.name);
        const feats = m.applyFeatures(x, { training: false });
        assert.strictEqual(feats.length, m.features.length);
        feats.forEach((f, i) => {
          assert.strictEqual(f.shape[3], m.features[i].channels, `${m.name} ${m.features[i].name} channels`);
          const r = m.features[i].reduction;
          if (m.name !== 'lenet') assert.ok(f.shape[1] === Math.floor(shape[1] / r) || f.shape[1] === Math.ceil(shape[1] / r), `${m.name} ${m.features[i].name} size ${f.shape[1]} at reduction ${r}`);
        });
        const taps = new Map<string, tf.Tensor>();
        m.apply(x, { training: false, taps });
        for (const f of m.features) assert.ok(taps.has(f.name), `${m.name} tap ${f.name}`);
        const emb = m.applyBody(x, { training: false });
        assert.strictEqual(emb.shape[3] ?? emb.shape[1], m.featureDim > 0 && emb.rank === 4 ? emb.shape[3] : emb.shape[1]);
      });
      assert.throws(() => m.apply(tf.zeros([1, 32, 32, 7]), { training: false }), /backbone '.*': expected input \[N, /);
      nn.disposeLayer(m);
    }
  });

  it('same seed builds identical weights', () => {
    const a = nn.referenceCnn(makeRng(42)), b = nn.referenceCnn(makeRng(42));
    const pa = nn.collectParams(a), pb = nn.collectParams(b);
    pa.forEach((p, i) => assert.deepStrictEqual(Array.from(p.variable.dataSync()), Array.from(pb[i].variable.dataSync())));
    nn.disposeLayer(a); nn.disposeLayer(b);
  });

  it('He-normal fan-out init has the expected std', () => {
    const c = nn.conv2d({ inChannels: 64, filters: 128, kernelSize: 3 }, makeRng(1));
    const v = Array.from(c.kernel.dataSync());
    const std = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
    assert.ok(Math.abs(std - Math.sqrt(2 / (9 * 128))) < 0.01 * Math.sqrt(2 / (9 * 128)) * 5, `std ${std}`);
    nn.disposeLayer(c);
  });
});
