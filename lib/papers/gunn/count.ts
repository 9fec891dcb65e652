// Pure parameter / multiply-add / depth counts of a GunnNetConfig (spec 2.9).
// Counting convention that reproduces every published total: conv weights without bias
// (kh*kw*Cin*Cout), batch norm = 2 per channel (gamma, beta; running statistics are state, not
// parameters), final FC with bias. GUNN and SUNN have identical counts by construction: the update
// order changes what each unit reads, never what it owns.
import { validateConfig, validateStage, type GunnNetConfig, type GunnStageConfig } from './config';

const convBn = (k: number, cin: number, cout: number) => k * k * cin * cout + 2 * cout;

/** One bottleneck (Figure 4-4): 1x1 nIn->K*nOut, 3x3 K*nOut->K*nOut, 1x1 K*nOut->nOut, each + BN. */
export function bottleneckParams(nIn: number, nOut: number, K: number): number {
  const h = K * nOut;
  return convBn(1, nIn, h) + convBn(3, h, h) + convBn(1, h, nOut);
}

/** One update unit of a layer with N channels and partitions of n channels. */
export function unitParams(N: number, n: number, K: number, M: number, projection: boolean): number {
  let p = bottleneckParams(N, n, K) + (projection ? convBn(1, N, n) : 0);
  for (let m = 1; m < M; m++) p += bottleneckParams(n, n, K);
  return p;
}

export function stageParams(s: GunnStageConfig, projection: boolean): number {
  validateStage(s, 'stageParams');
  return s.P * unitParams(s.N, s.N / s.P, s.K, s.M, projection);
}

export interface ParamBreakdown {
  name: string;
  params: number;
}

/** Per-block parameter counts in network order (stem, stages, transitions, head, fc). */
export function paramBreakdown(cfg: GunnNetConfig): ParamBreakdown[] {
  validateConfig(cfg);
  const out: ParamBreakdown[] = [];
  const c0 = cfg.stem.conv.cout;
  out.push({ name: 'stem/conv', params: convBn(cfg.stem.conv.k, cfg.inputShape[2], c0) });
  out.push({ name: 'stem/conv1x1', params: convBn(1, c0, cfg.stages[0].N) });
  cfg.stages.forEach((s, i) => {
    out.push({ name: `stage${i + 1}`, params: stageParams(s, cfg.projection) });
    if (i + 1 < cfg.stages.length) out.push({ name: `trans${i + 1}`, params: convBn(1, s.N, cfg.stages[i + 1].N) });
  });
  const last = cfg.stages[cfg.stages.length - 1].N;
  if (cfg.headConv !== null) out.push({ name: 'head/conv1x1', params: convBn(1, last, cfg.headConv) });
  const feat = cfg.headConv ?? last;
  out.push({ name: 'head/fc', params: feat * cfg.classes + cfg.classes });
  return out;
}

/** Total trainable parameters (pure: no tensors are allocated). */
export function countConfigParams(cfg: GunnNetConfig): number {
  return paramBreakdown(cfg).reduce((a, b) => a + b.params, 0);
}

/** Spatial size after the stem, as the layers compute it (torch-style padding). */
function stemOut(cfg: GunnNetConfig): [number, number, number, number] {
  const [H, W] = cfg.inputShape;
  const { k, stride } = cfg.stem.conv;
  const pad = (k - 1) / 2;
  const conv = (d: number) => Math.floor((d + 2 * pad - k) / stride) + 1;
  const h1 = conv(H), w1 = conv(W);
  let h2 = h1, w2 = w1;
  if (cfg.stem.pool === 'avg2') { h2 = Math.floor(h1 / 2); w2 = Math.floor(w1 / 2); }
  if (cfg.stem.pool === 'max3s2') { h2 = Math.floor((h1 + 2 - 3) / 2) + 1; w2 = Math.floor((w1 + 2 - 3) / 2) + 1; }
  return [h1, w1, h2, w2];
}

/**
 * Multiply-adds of one forward pass for one image (convolutions and FC; BN/ReLU/pooling ignored).
 * GUNN and SUNN are equal: the same convolutions on the same-size tensors. Used for time budgets.
 */
export function countMacs(cfg: GunnNetConfig): number {
  validateConfig(cfg);
  const [h1, w1, h2, w2] = stemOut(cfg);
  const c0 = cfg.stem.conv.cout;
  let macs = h1 * w1 * cfg.stem.conv.k ** 2 * cfg.inputShape[2] * c0;
  let h = h2, w = w2;
  macs += h * w * c0 * cfg.stages[0].N;
  cfg.stages.forEach((s, i) => {
    const n = s.N / s.P;
    // per unit, weights are applied at every location once
    macs += s.P * h * w * (unitParams(s.N, n, s.K, s.M, cfg.projection) - unitBnParams(s, cfg.projection));
    if (i + 1 < cfg.stages.length) {
      macs += h * w * s.N * cfg.stages[i + 1].N; // conv before pool (thesis table order)
      h = Math.floor(h / 2); w = Math.floor(w / 2);
    }
  });
  const last = cfg.stages[cfg.stages.length - 1].N;
  if (cfg.headConv !== null) macs += h * w * last * cfg.headConv;
  macs += (cfg.headConv ?? last) * cfg.classes;
  return macs;
}

function unitBnParams(s: GunnStageConfig, projection: boolean): number {
  const n = s.N / s.P, hdn = s.K * n;
  return s.M * 2 * (2 * hdn + n) + (projection ? 2 * n : 0);
}

/**
 * Depth in weight layers. `sunn` = the shortest path (the number in the model name, e.g. 15 for
 * GUNN-15); `gunn` = the longest path through the sequential updates (the last partition passes
 * through every unit): P * 3M convs per GUNN layer instead of 3M [derived].
 */
export function effectiveDepth(cfg: GunnNetConfig, mode: 'sunn' | 'gunn' = cfg.mode): number {
  validateConfig(cfg);
  let d = 2; // stem conv + 1x1 conv
  cfg.stages.forEach((s) => { d += (mode === 'gunn' ? s.P : 1) * 3 * s.M; });
  d += cfg.stages.length - 1; // transitions
  if (cfg.headConv !== null) d += 1;
  return d + 1; // FC
}
