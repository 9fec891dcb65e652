// Chapter 6 runners with tiny budgets (the notebook calls the same functions), and the full-size
// ResNet-50 configurations' parameter counts (analytic count == built model; ResNet-50 backbone ==
// torchvision's 23,508,032).
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../lib/util/random';
import { countParams, disposeLayer } from '../lib/nn/tree';
import { buildDetector, miniDetectorConfig, type DetectorConfig } from '../lib/papers/detectors/detector';
import { detBackbone } from '../lib/papers/detectors/backbone';
import { backboneParamCount, detectorParamCount, resnet50Baseline, resnet50DetectoRS, resnet50DetectorConfig, RESNET50_BACKBONE_PARAMS } from '../lib/papers/detectors/full-size';
import { batchSchedule, runConversionStudy, stepDecayLr, summarizeSeeds, variantConfig, VARIANTS } from '../lib/papers/detectors/experiments';
import * as det from '../lib/papers/detectors';
import { papers } from '../lib';

describe('detectors: parameter counts and full-size configurations', function () {
  this.timeout(300000);
  it('the analytic count equals countParams of the built model for every mini variant and ablation', () => {
    const cfgs: DetectorConfig[] = [
      ...VARIANTS.map((v) => variantConfig(v)),
      miniDetectorConfig({ rfp: { steps: 3, share: true } }),
      miniDetectorConfig({ rfp: { steps: 2, useAspp: false, useFusion: false } }),
      miniDetectorConfig({ sac: { stages: [1, 2], globalContext: false }, backbone: { stem: 'mini', stemChannels: 16, block: 'basic', channels: [16, 32, 64], blocks: [2, 1, 2], strides: [1, 2, 2] } }),
    ];
    for (const c of cfgs) {
      const d = buildDetector(c, makeRng(0));
      assert.equal(detectorParamCount(c).total, countParams(d), JSON.stringify({ sac: c.sac, rfp: c.rfp }));
      disposeLayer(d);
    }
    assert.equal(detectorParamCount(variantConfig('baseline')).total, 241_591);
  });

  it('ResNet-50 backbone has exactly torchvision\'s 23,508,032 parameters (built), and the count formula agrees', () => {
    const cfg = resnet50Baseline().backbone;
    assert.equal(backboneParamCount(cfg), RESNET50_BACKBONE_PARAMS);
    const b = detBackbone({ ...cfg, init: 'zeros' }, makeRng(0));
    assert.equal(countParams(b), RESNET50_BACKBONE_PARAMS);
    disposeLayer(b);
  });

  it('a width-reduced ResNet-50-depth DetectoRS (bottleneck [3,4,6,3], SAC + RFP) builds with the analytic count, and runs', () => {
    // 128 px: the last stage is 4x4 (SAC's reflect padding of 2 needs >= 3, as PyTorch's does)
    const cfg = resnet50DetectoRS({ imageSize: 128, numClasses: 3 });
    const small: DetectorConfig = { ...cfg, backbone: { ...cfg.backbone, stemChannels: 8, channels: [16, 32, 64, 128] }, fpnChannels: 16, headDim: 32 };
    const d = buildDetector(small, makeRng(0));
    assert.equal(countParams(d), detectorParamCount(small).total);
    const img = tf.zeros([1, 128, 128, 3]);
    const feats = d.features(img, { training: false });
    assert.deepEqual(feats.map((f) => f.shape[1]), [32, 16, 8, 4, 2]);
    tf.dispose([img, ...feats]);
    disposeLayer(d);
  });

  it('full-size counts: Faster R-CNN R50-FPN baseline, +SAC, +RFP and DetectoRS (RFP + SAC)', () => {
    const base = detectorParamCount(resnet50Baseline());
    // backbone + FPN (3,344,384 as torchvision's FPN) + RPN + 2fc(1024) box head, class-agnostic reg
    assert.equal(base.backbones, 23_508_032);
    assert.equal(base.fpn, 3_344_384);
    assert.equal(base.rpn, 593_935);
    assert.equal(base.head, 256 * 49 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 81 + 81 + 1024 * 4 + 4);
    assert.equal(base.total, 41_429_156);
    const dr = detectorParamCount(resnet50DetectoRS());
    const sacOnly = detectorParamCount(resnet50DetectorConfig({ sacStages: [1, 2, 3], rfpSteps: null }));
    const rfpOnly = detectorParamCount(resnet50DetectorConfig({ sacStages: null, rfpSteps: 2 }));
    // RFP adds B^2 (a ResNet-50 + RfpConvs 256 -> 512/1024/2048), ASPP (4 x 64 ch) and the fusion conv
    assert.equal(rfpOnly.total - base.total, 23_508_032 + 921_088 + 327_936 + 257);
    assert.ok(sacOnly.total > base.total && dr.total > rfpOnly.total);
    assert.equal(dr.total, 93_602_047);
    assert.equal(dr.total, 2 * sacOnly.backbones + 921_088 + base.fpn + 327_936 + 257 + base.rpn + base.head);
  });
});

describe('detectors: experiment runners (tiny budgets)', function () {
  this.timeout(600000);
  it('batchSchedule covers the pool before repeating and is seeded', () => {
    const b = batchSchedule(10, 4, 5, makeRng(1));
    const first = [...b[0], ...b[1], ...b[2].slice(0, 2)];
    assert.deepEqual([...first].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(batchSchedule(10, 4, 5, makeRng(1)), b);
  });

  it('stepDecayLr: linear warm-up, full lr, then x0.1 for the last decayFrac of the steps; bad input throws', () => {
    const f = stepDecayLr(2e-3, 8, 0.25);
    assert.deepEqual([0, 5, 6, 7].map(f), [2e-3, 2e-3, 0.1 * 2e-3, 0.1 * 2e-3]);
    assert.equal(stepDecayLr(1e-3, 8, 0)(7), 1e-3);
    const w = stepDecayLr(4e-3, 10, 0.2, 4);
    assert.deepEqual([0, 1, 3, 4, 7, 8].map(w), [1e-3, 2e-3, 4e-3, 4e-3, 4e-3, 0.1 * 4e-3]);
    assert.throws(() => stepDecayLr(0, 8, 0.25), /lr must be > 0/);
    assert.throws(() => stepDecayLr(1e-3, 8, 1.5), /decayFrac/);
  });

  it('runConversionStudy: conversions preserve outputs, equal steps per branch, AP and bootstrap for every variant, no leak', () => {
    const n0 = tf.memory().numTensors;
    const r = runConversionStudy({ seed: 3, numTrain: 16, numVal: 8, batch: 2, baseSteps: 3, fineSteps: 2, bootstrapResamples: 10, keepImages: 2 });
    assert.equal(tf.memory().numTensors, n0);
    assert.deepEqual(r.variants.map((v) => v.variant), VARIANTS);
    for (const v of r.variants) {
      assert.ok(v.conversion.sameProposals && v.conversion.rpn < 1e-5 && v.conversion.rcnn < 1e-5, `${v.variant} ${JSON.stringify(v.conversion)}`);
      assert.equal(r.lossRows.filter((x) => x.variant === v.variant && x.phase === 'fine').length, 2);
      for (const k of ['AP', 'AP50', 'AP75'] as const) assert.ok(v.metrics[k] >= 0 && v.metrics[k] <= 1);
      assert.equal(v.examples.length, 2);
      assert.ok(v.imagesPerSec > 0 && v.msPerStep > 0);
      assert.equal(v.switchMaps !== null, v.variant.includes('SAC'));
    }
    assert.equal(r.lossRows.filter((x) => x.phase === 'base').length, 3);
    const sm = r.variants[1].switchMaps!;
    assert.equal(sm.maps.length, 2);
    assert.equal(sm.maps[0].length, sm.h * sm.w);
    assert.equal(sm.h, 4, 'last SAC layer is at stride 16');
    assert.ok(sm.objects.length > 0);
    assert.equal(r.bootstrap.models.length, 4);
    assert.equal(r.bootstrap.deltas[0].AP.estimate, 0);
    assert.equal(r.examples.length, 2);
    assert.equal(r.examples[0].pixels.length, 64 * 64 * 3);
    assert.ok(r.wallTimeMs > 0 && r.backend.length > 0);
    const s = summarizeSeeds([r, r]);
    assert.equal(s.length, 4);
    assert.equal(s[1].dAPstd, 0);
    assert.throws(() => runConversionStudy({ variants: ['+SAC'] }), /must include 'baseline'/);
    assert.throws(() => runConversionStudy({ variants: ['baseline', '+DCN' as never] }), /unknown variant '\+DCN'/);
  });

  it('is exported as papers.detectors with the COCO namespace and the scenes', () => {
    assert.equal(typeof papers.detectors.runConversionStudy, 'function');
    assert.equal(typeof det.coco.evaluateBoxes, 'function');
    assert.equal(typeof det.makeScenes, 'function');
    assert.equal(typeof det.buildDetector, 'function');
  });
});
