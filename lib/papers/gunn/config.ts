// Declarative GUNN / SUNN network configurations and the published presets (thesis ch. 4, §4.5).
//
// A network is: stem -> [GUNN layer, transition]* -> GUNN layer -> (head conv) -> GAP -> FC.
// "One resolution, one representation": every resolution has exactly one transition (1x1 conv + BN +
// ReLU + 2x2 AvgPool, computing the next resolution's channel count) and one GUNN layer that updates
// every channel once.

/** Hyperparameters of one SUNN/GUNN layer: channels N, equal partitions P, expansion K, stacked bottlenecks M. */
export interface GunnStageConfig {
  N: number;
  P: number;
  K: number;
  M: number;
}

export type UpdateMode = 'gunn' | 'sunn';

export interface StemConfig {
  /** First conv: k x k, stride, output channels (then BN + ReLU). */
  conv: { k: number; stride: number; cout: number };
  /**
   * Pooling after the first conv: 'max3s2' (ImageNet: 3x3 max-pool, stride 2, pad 1), 'avg2' (2x2
   * average pool; our small-scale stem), 'none' (CIFAR). A 1x1 conv + BN + ReLU to stages[0].N follows.
   */
  pool: 'none' | 'avg2' | 'max3s2';
}

export interface GunnNetConfig {
  name: string;
  /** [H, W, C] of one input image. */
  inputShape: [number, number, number];
  classes: number;
  stem: StemConfig;
  /** One GUNN layer per resolution. Transition i maps stages[i].N -> stages[i+1].N and halves H, W. */
  stages: GunnStageConfig[];
  /** Output channels of the 1x1 conv + BN + ReLU before global pooling (CIFAR Trans3), or null (ImageNet). */
  headConv: number | null;
  mode: UpdateMode;
  /** Identity term `+ s_c` of Eq. 4.5. false = the "NoRes" ablation (spec: keep the projection). */
  residual: boolean;
  /** CIFAR-style 1x1 projection branch in every unit ([code], needed for the published CIFAR counts). */
  projection: boolean;
}

/** Options shared by the preset builders. */
export interface PresetOptions {
  mode?: UpdateMode;
  residual?: boolean;
  projection?: boolean;
}

function finish(base: Omit<GunnNetConfig, 'mode' | 'residual' | 'projection'>, defaults: { projection: boolean }, o: PresetOptions): GunnNetConfig {
  const mode = o.mode ?? 'gunn';
  const residual = o.residual ?? true;
  const prefix = mode === 'sunn' ? base.name.replace(/^GUNN/, 'SUNN').replace(/^Wide GUNN/, 'Wide SUNN') : base.name;
  return {
    ...base,
    name: residual ? prefix : `${prefix}-NoRes`,
    mode,
    residual,
    projection: o.projection ?? defaults.projection,
  };
}

/** GUNN-15 (CIFAR, Table 4-I): 1,585,746 params for 10 classes, 1,618,236 for 100. */
export function gunn15(classes: 10 | 100 = 10, o: PresetOptions = {}): GunnNetConfig {
  return finish({
    name: 'GUNN-15',
    inputShape: [32, 32, 3],
    classes,
    stem: { conv: { k: 3, stride: 1, cout: 64 }, pool: 'none' },
    stages: [
      { N: 240, P: 20, K: 2, M: 1 },
      { N: 300, P: 25, K: 2, M: 1 },
      { N: 360, P: 30, K: 2, M: 1 },
    ],
    headConv: 360,
  }, { projection: true }, o);
}

/**
 * GUNN-24 (CIFAR, Table 4-III): 29,534,106 (C10) / 29,631,396 (C100). The thesis text says the third
 * layer {N=1080, P=30, K=3, M=2} is "for Conv3"; it is Conv4 (spec pitfall 3). Bottlenecks 2..M act
 * on the partition's own channels (our reading, the only one matching the published count).
 */
export function gunn24(classes: 10 | 100 = 10, o: PresetOptions = {}): GunnNetConfig {
  return finish({
    name: 'GUNN-24',
    inputShape: [32, 32, 3],
    classes,
    stem: { conv: { k: 3, stride: 1, cout: 64 }, pool: 'none' },
    stages: [
      { N: 720, P: 20, K: 3, M: 2 },
      { N: 900, P: 25, K: 3, M: 2 },
      { N: 1080, P: 30, K: 3, M: 2 },
    ],
    headConv: 1080,
  }, { projection: true }, o);
}

/** GUNN-18 (ImageNet, Table 4-II): 28,909,736 params; no projection branch, no head conv. */
export function gunn18(o: PresetOptions = {}): GunnNetConfig {
  return finish({
    name: 'GUNN-18',
    inputShape: [224, 224, 3],
    classes: 1000,
    stem: { conv: { k: 7, stride: 2, cout: 64 }, pool: 'max3s2' },
    stages: [
      { N: 400, P: 10, K: 2, M: 1 },
      { N: 800, P: 20, K: 2, M: 1 },
      { N: 1600, P: 40, K: 2, M: 1 },
      { N: 2000, P: 50, K: 2, M: 1 },
    ],
    headConv: null,
  }, { projection: false }, o);
}

/** Wide GUNN-18 (ImageNet, Table 4-V): 45,624,936 params (transition widths derived, spec 2.9). */
export function wideGunn18(o: PresetOptions = {}): GunnNetConfig {
  return finish({
    name: 'Wide GUNN-18',
    inputShape: [224, 224, 3],
    classes: 1000,
    stem: { conv: { k: 7, stride: 2, cout: 64 }, pool: 'max3s2' },
    stages: [
      { N: 1200, P: 30, K: 2, M: 1 },
      { N: 1600, P: 40, K: 2, M: 1 },
      { N: 2000, P: 50, K: 2, M: 1 },
      { N: 2000, P: 50, K: 2, M: 1 },
    ],
    headConv: null,
  }, { projection: false }, o);
}

/**
 * GUNN-mini (spec §7.1, [derived]): the small-scale stand-in for GUNN-15 on 28x28x1 Fashion-MNIST.
 * 47,834 params with projection (44,346 without), identical for GUNN, SUNN and NoRes. `P` is a knob.
 */
export function gunnMini(o: PresetOptions & { P?: number; classes?: number } = {}): GunnNetConfig {
  const P = o.P ?? 4;
  return finish({
    name: 'GUNN-mini',
    inputShape: [28, 28, 1],
    classes: o.classes ?? 10,
    stem: { conv: { k: 3, stride: 1, cout: 16 }, pool: 'avg2' },
    stages: [
      { N: 32, P, K: 2, M: 1 },
      { N: 48, P, K: 2, M: 1 },
    ],
    headConv: 48,
  }, { projection: true }, o);
}

/** The SUNN baselines of Tables 4-IV / 4-V: the same networks updated simultaneously. */
export const sunn15 = (classes: 10 | 100 = 10) => gunn15(classes, { mode: 'sunn' });
export const sunn24 = (classes: 10 | 100 = 10) => gunn24(classes, { mode: 'sunn' });
export const sunn18 = () => gunn18({ mode: 'sunn' });
/** GUNN-15-NoRes (Table 4-IV): identity term removed, projection kept (spec pitfall 8). */
export const gunn15NoRes = (classes: 10 | 100 = 10) => gunn15(classes, { residual: false });

/** The published totals the presets must reproduce (thesis Tables 4-I..4-V, exact values in spec 2.9). */
export const PUBLISHED_PARAMS: { name: string; config: () => GunnNetConfig; params: number }[] = [
  { name: 'GUNN-15 (CIFAR-10)', config: () => gunn15(10), params: 1_585_746 },
  { name: 'GUNN-15 (CIFAR-100)', config: () => gunn15(100), params: 1_618_236 },
  { name: 'GUNN-24 (CIFAR-10)', config: () => gunn24(10), params: 29_534_106 },
  { name: 'GUNN-24 (CIFAR-100)', config: () => gunn24(100), params: 29_631_396 },
  { name: 'GUNN-18 (ImageNet)', config: () => gunn18(), params: 28_909_736 },
  { name: 'Wide GUNN-18 (ImageNet)', config: () => wideGunn18(), params: 45_624_936 },
];

/** Throw a clear error for an inconsistent configuration. */
export function validateConfig(cfg: GunnNetConfig): void {
  const where = `GunnNetConfig '${cfg.name}'`;
  if (cfg.mode !== 'gunn' && cfg.mode !== 'sunn') throw new Error(`${where}: unknown mode '${String(cfg.mode)}' (use 'gunn' or 'sunn')`);
  if (cfg.stages.length === 0) throw new Error(`${where}: needs at least one stage`);
  if (!(cfg.classes >= 1)) throw new Error(`${where}: classes must be >= 1, got ${cfg.classes}`);
  if (cfg.inputShape.length !== 3 || cfg.inputShape.some((d) => !(Number.isInteger(d) && d > 0))) {
    throw new Error(`${where}: inputShape must be [H, W, C] of positive integers, got [${cfg.inputShape.join(', ')}]`);
  }
  if (!['none', 'avg2', 'max3s2'].includes(cfg.stem.pool)) throw new Error(`${where}: unknown stem pool '${cfg.stem.pool}'`);
  cfg.stages.forEach((s, i) => validateStage(s, `${where} stage ${i}`));
}

export function validateStage(s: GunnStageConfig, where: string): void {
  for (const k of ['N', 'P', 'K', 'M'] as const) {
    if (!(Number.isInteger(s[k]) && s[k] >= 1)) throw new Error(`${where}: ${k} must be a positive integer, got ${s[k]}`);
  }
  if (s.N % s.P !== 0) throw new Error(`${where}: N=${s.N} channels cannot be split into P=${s.P} equal partitions`);
}
