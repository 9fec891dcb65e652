// Full-size configurations (thesis ch. 6, ResNet-50): the plain Faster R-CNN + FPN baseline and
// DetectoRS (RFP T = 2 + SAC) on a torchvision-v1.5 ResNet-50, constructible with the same
// buildDetector as the mini model (for a user with a GPU backend), and an exact analytic parameter
// count so the size can be checked without allocating ~90M floats.
// The thesis' detector is HTC (cascade + masks + semantic branch); ours is the spec's single-stage
// Faster R-CNN head (spec §2.5), so the counts are of *this* detector, not of mmdet's HTC DetectoRS.
import { sacParamCount } from './sac';
import type { BackboneConfig } from './backbone';
import type { DetectorConfig, RfpConfig, SacConfig } from './detector';
import { miniDetectorConfig } from './detector';

/** ResNet-50 parameters without the ImageNet fc layer (torchvision resnet50: 25,557,032 - 2,049,000). */
export const RESNET50_BACKBONE_PARAMS = 23_508_032;

export interface FullSizeOptions {
  /** SAC stages (0-based). Default [1, 2, 3] = mmdet config stage_with_sac (F, T, T, T); the thesis says "all". */
  sacStages?: number[] | null;
  /** RFP steps (default 2; null = no RFP). */
  rfpSteps?: number | null;
  numClasses?: number;
  /** Square input side used for the anchor grid (D: 1344 = 1333 padded to a multiple of 64). */
  imageSize?: number;
}

/** Faster R-CNN + FPN on ResNet-50 (mmdet faster_rcnn_r50_fpn settings), optionally with SAC / RFP. */
export function resnet50DetectorConfig(o: FullSizeOptions = {}): DetectorConfig {
  const sac: SacConfig | null = o.sacStages === null || o.sacStages === undefined ? null : { stages: o.sacStages, rate: 3 };
  const rfp: RfpConfig | null = o.rfpSteps ? { steps: o.rfpSteps } : null;
  return miniDetectorConfig({
    imageSize: o.imageSize ?? 1344,
    numClasses: o.numClasses ?? 80,
    backbone: { stem: 'imagenet', stemChannels: 64, block: 'bottleneck', channels: [256, 512, 1024, 2048], blocks: [3, 4, 6, 3], strides: [1, 2, 2, 2] },
    fpnChannels: 256,
    // (R) scale 8, ratios [0.5, 1, 2], strides 4..64
    anchorSizes: [[32], [64], [128], [256], [512]],
    anchorRatios: [0.5, 1, 2],
    sac, rfp,
    // (D) fixed sampling ratio 2 (mmdet uses adaptive 0, which is not separable-fixed)
    roi: { outSize: 7, samplingRatio: 2, finestScale: 56 },
    headDim: 1024,
    train: { rpnNum: 256, rpnPosFraction: 0.5, rpnPosThr: 0.7, rpnNegThr: 0.3, rpnMinPos: 0.3, nmsPre: 2000, nmsThr: 0.7, trainProposals: 2000, testProposals: 1000, minSize: 0, rcnnNum: 512, rcnnPosFraction: 0.25, rcnnPosThr: 0.5 },
    test: { scoreThr: 0.001, nmsThr: 0.5, maxPerImage: 100 },
  });
}

/** The baseline and DetectoRS (RFP + SAC on stages 2-4) ResNet-50 configurations. */
export function resnet50Baseline(o: Omit<FullSizeOptions, 'sacStages' | 'rfpSteps'> = {}): DetectorConfig { return resnet50DetectorConfig({ ...o, sacStages: null, rfpSteps: null }); }
export function resnet50DetectoRS(o: FullSizeOptions = {}): DetectorConfig { return resnet50DetectorConfig({ sacStages: [1, 2, 3], rfpSteps: 2, ...o }); }

const convP = (k: number, cin: number, cout: number, bias = false) => k * k * cin * cout + (bias ? cout : 0);

/** Parameters of one backbone (BN gamma/beta counted; running stats are state). */
export function backboneParamCount(cfg: BackboneConfig): number {
  const sacSet = new Set(cfg.sacStages ?? []);
  const gc = cfg.sacGlobalContext ?? true;
  const c3 = (cin: number, cout: number, useSac: boolean) => (useSac ? sacParamCount(cin, cout, 3, { globalContext: gc }) : convP(3, cin, cout));
  let n = cfg.stem === 'mini' ? convP(3, 3, cfg.stemChannels) + convP(3, cfg.stemChannels, cfg.stemChannels) + 4 * cfg.stemChannels : convP(7, 3, cfg.stemChannels) + 2 * cfg.stemChannels;
  let cin = cfg.stemChannels;
  cfg.channels.forEach((cout, s) => {
    for (let b = 0; b < cfg.blocks[s]; b++) {
      const stride = b === 0 ? cfg.strides[s] : 1, useSac = sacSet.has(s);
      if (cfg.block === 'basic') n += c3(cin, cout, useSac) + 2 * cout + c3(cout, cout, useSac) + 2 * cout;
      else {
        const p = cout / 4;
        n += convP(1, cin, p) + 2 * p + c3(p, p, useSac) + 2 * p + convP(1, p, cout) + 2 * cout;
      }
      if (stride !== 1 || cin !== cout) n += convP(1, cin, cout) + 2 * cout;
      if (b === 0 && s > 0 && cfg.rfpInChannels) n += convP(1, cfg.rfpInChannels, cout, true);
      cin = cout;
    }
  });
  return n;
}

/** Exact trainable parameter count of buildDetector(cfg), computed without building it. */
export function detectorParamCount(cfg: DetectorConfig): { total: number; backbones: number; fpn: number; aspp: number; fusion: number; rpn: number; head: number } {
  const f = cfg.fpnChannels;
  const bc = (rfpIn?: number): BackboneConfig => ({ ...cfg.backbone, sacStages: cfg.sac?.stages, sacRate: cfg.sac?.rate, sacLock: cfg.sac?.lock, sacGlobalContext: cfg.sac?.globalContext, rfpInChannels: rfpIn });
  let backbones = 0;
  if (!cfg.rfp) backbones = backboneParamCount(bc());
  else if (cfg.rfp.share) backbones = backboneParamCount(bc(f));
  else backbones = backboneParamCount(bc()) + (cfg.rfp.steps - 1) * backboneParamCount(bc(f));
  const fpn = cfg.backbone.channels.reduce((a, c) => a + convP(1, c, f, true) + convP(3, f, f, true), 0);
  const q = f / 4;
  const aspp = cfg.rfp && (cfg.rfp.useAspp ?? true) ? convP(1, f, q, true) + 2 * convP(3, f, q, true) + convP(1, f, q, true) : 0;
  const fusion = cfg.rfp && (cfg.rfp.useFusion ?? true) ? convP(1, f, 1, true) : 0;
  const A = Math.max(...cfg.anchorSizes.map((s) => s.length * cfg.anchorRatios.length));
  const rpn = convP(3, f, f, true) + convP(1, f, A, true) + convP(1, f, 4 * A, true);
  const P = cfg.roi.outSize, d = cfg.headDim, K1 = cfg.numClasses + 1;
  const head = (P * P * f * d + d) + (d * d + d) + (d * K1 + K1) + (d * 4 + 4);
  return { total: backbones + fpn + aspp + fusion + rpn + head, backbones, fpn, aspp, fusion, rpn, head };
}
