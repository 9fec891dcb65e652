// The paper's networks as plain data (one description serves the analytic counts and the model
// builder in models.ts), in the paper's notation: C5@20 = conv 5x5 with 20 filters, MP2S2 = max-pool
// 2 stride 2, FC500, D0.5, OUT. A 'dcl' entry replaces a fully-connected layer (u = input width).
import type { DclMode } from './module';
import { dclCounts, layerCounts } from './complexity';

export type ArchLayer =
  | { type: 'conv'; filters: number; kernel: number; stride?: number; pad?: number; act?: 'relu' | 'linear' }
  /** ceil: Caffe's ceil-mode output size (used by the SVHN/CIFAR LeNet, spec §3.3 d). */
  | { type: 'maxpool'; kernel: number; stride: number; ceil?: boolean }
  | { type: 'fc'; units: number; act?: 'relu' | 'linear' }
  | { type: 'dcl'; units: number; branches: number; filtersPerBranch: number; mode?: DclMode }
  | { type: 'dropout'; rate: number };

export interface Arch {
  name: string;
  /** [H, W, C] */
  input: [number, number, number];
  layers: ArchLayer[];
}

export interface ArchRow {
  index: number;
  label: string;
  out: [number, number, number];
  weights: number;
  biases: number;
  macs: number;
}

export interface ArchSummary {
  name: string;
  rows: ArchRow[];
  weights: number;
  biases: number;
  params: number;
  macs: number;
}

/** Output size of a pooling window: floor mode (tfjs 'valid') or ceil mode (Caffe). */
export function poolOut(h: number, k: number, s: number, ceil: boolean): number {
  return (ceil ? Math.ceil((h - k) / s) : Math.floor((h - k) / s)) + 1;
}

/** Layer-by-layer shapes, weights, biases and MACs of an architecture (weights-only = the paper's convention). */
export function analyzeArch(arch: Arch): ArchSummary {
  let [h, w, c] = arch.input;
  const rows: ArchRow[] = [];
  arch.layers.forEach((l, index) => {
    let weights = 0, biases = 0, macs = 0, label = '';
    if (l.type === 'conv') {
      const s = l.stride ?? 1, p = l.pad ?? 0;
      const h2 = Math.floor((h + 2 * p - l.kernel) / s) + 1, w2 = Math.floor((w + 2 * p - l.kernel) / s) + 1;
      if (h2 <= 0 || w2 <= 0) throw new Error(`${arch.name}: layer ${index} C${l.kernel}@${l.filters} gets a ${h}x${w} input, too small`);
      const k = layerCounts({ u: l.kernel, K1: c, K2: l.filters, H2: h2, W2: w2 });
      weights = k.weights; biases = k.biases; macs = k.macs;
      label = `C${l.kernel}${s > 1 ? `(S${s})` : ''}${p > 0 ? `(P${p})` : ''}@${l.filters}`;
      h = h2; w = w2; c = l.filters;
    } else if (l.type === 'maxpool') {
      h = poolOut(h, l.kernel, l.stride, !!l.ceil); w = poolOut(w, l.kernel, l.stride, !!l.ceil);
      label = `MP${l.kernel}S${l.stride}`;
    } else if (l.type === 'fc') {
      const k = layerCounts({ u: 1, K1: h * w * c, K2: l.units });
      weights = k.weights; biases = k.biases; macs = k.macs;
      label = `FC${l.units}`;
      h = 1; w = 1; c = l.units;
    } else if (l.type === 'dcl') {
      const k = dclCounts({ u: 1, K1: h * w * c, K2: l.units }, new Array(l.branches).fill(l.filtersPerBranch));
      weights = k.weights; biases = k.biases; macs = k.macs;
      label = `DCL${l.units}(${l.branches}x${l.filtersPerBranch}${l.mode === 'stochastic' ? ',S' : ''})`;
      h = 1; w = 1; c = l.units;
    } else if (l.type === 'dropout') {
      label = `D${l.rate}`;
    } else {
      throw new Error(`${arch.name}: unknown layer type '${(l as { type: string }).type}' at index ${index}`);
    }
    rows.push({ index, label, out: [h, w, c], weights, biases, macs });
  });
  const sum = (k: 'weights' | 'biases' | 'macs') => rows.reduce((a, r) => a + r[k], 0);
  const weights = sum('weights'), biases = sum('biases');
  return { name: arch.name, rows, weights, biases, params: weights + biases, macs: sum('macs') };
}

/** The paper's compact notation of an architecture, e.g. "C5@20-MP2S2-C5@50-MP2S2-FC500-D0.5-FC100". */
export function archString(arch: Arch): string {
  return analyzeArch(arch).rows.map((r) => r.label).join('-');
}

/** Which fully-connected layer of the MNIST LeNet DCL replaces: A = FC500, B = OUT (§4.1.2). */
export type DclPlace = 'A' | 'B';

export interface DclVariant {
  place: DclPlace;
  branches: number;
  /** Filters per branch; the paper: 1/5 of the replaced layer's (MNIST), 1/4 (generic). */
  filtersPerBranch: number;
  mode: DclMode;
}

/** The paper's six MNIST variants: A2, A3S, A3D, B2, B3S, B3D (each branch 1/5 of the layer's filters). */
export function mnistVariant(id: string, classes: number): DclVariant {
  const m = /^(?:DCL-)?([AB])(2|3S|3D)$/.exec(id);
  if (!m) throw new Error(`mnistVariant: unknown DCL variant '${id}' (expected A2, A3S, A3D, B2, B3S or B3D)`);
  const place = m[1] as DclPlace;
  const branches = m[2] === '2' ? 2 : 3;
  const K2 = place === 'A' ? 500 : classes;
  return { place, branches, filtersPerBranch: K2 / 5, mode: m[2] === '3S' ? 'stochastic' : 'deterministic' };
}

/**
 * MNIST LeNet (§4.1.2): C5@20-MP2S2-C5@50-MP2S2-FC500-D0.5-OUT, optionally with DCL on A or B.
 * Conv activations are not stated: Caffe's LeNet has none, our default (`convAct: 'linear'`, spec §3.3 a).
 */
export function mnistLeNetArch(opts: { classes: number; dcl?: DclVariant; convAct?: 'relu' | 'linear'; input?: [number, number, number] }): Arch {
  const { classes, dcl } = opts;
  const act = opts.convAct ?? 'linear';
  const fcA: ArchLayer = dcl?.place === 'A'
    ? { type: 'dcl', units: 500, branches: dcl.branches, filtersPerBranch: dcl.filtersPerBranch, mode: dcl.mode }
    : { type: 'fc', units: 500, act: 'relu' };
  const out: ArchLayer = dcl?.place === 'B'
    // B: the fused z (>= 0.1) are the logits (spec §9.6).
    ? { type: 'dcl', units: classes, branches: dcl.branches, filtersPerBranch: dcl.filtersPerBranch, mode: dcl.mode }
    : { type: 'fc', units: classes, act: 'linear' };
  return {
    name: dcl ? `LeNet-DCL-${dcl.place}${dcl.branches}${dcl.branches > 2 ? (dcl.mode === 'stochastic' ? 'S' : 'D') : ''}` : 'LeNet',
    input: opts.input ?? [28, 28, 1],
    layers: [
      { type: 'conv', filters: 20, kernel: 5, act }, { type: 'maxpool', kernel: 2, stride: 2 },
      { type: 'conv', filters: 50, kernel: 5, act }, { type: 'maxpool', kernel: 2, stride: 2 },
      fcA, { type: 'dropout', rate: 0.5 }, out,
    ],
  };
}

/**
 * SVHN/CIFAR "5-layer" LeNet (§4.2.1): C5(P2)@32-MP3(S2)-C5(P2)@64-MP3(S2)-C5(P2)@128-MP3(S2)-FC512-D0.5-OUT,
 * Caffe ceil-mode pooling (32 -> 16 -> 8 -> 4). DCL: 2 branches x 128 (1/4 of 512) on FC512.
 * Conv activations: ReLU (our choice; the paper does not list them for this net).
 */
export function genericLeNetArch(opts: { classes: number; dcl?: boolean; input?: [number, number, number]; branches?: number; filtersPerBranch?: number }): Arch {
  const input = opts.input ?? [32, 32, 3];
  const fc: ArchLayer = opts.dcl
    ? { type: 'dcl', units: 512, branches: opts.branches ?? 2, filtersPerBranch: opts.filtersPerBranch ?? 128, mode: 'deterministic' }
    : { type: 'fc', units: 512, act: 'relu' };
  const conv = (f: number): ArchLayer => ({ type: 'conv', filters: f, kernel: 5, pad: 2, act: 'relu' });
  const pool: ArchLayer = { type: 'maxpool', kernel: 3, stride: 2, ceil: true };
  return {
    name: opts.dcl ? 'LeNet5-DCL' : 'LeNet5',
    input,
    layers: [conv(32), pool, conv(64), pool, conv(128), pool, fc, { type: 'dropout', rate: 0.5 }, { type: 'fc', units: opts.classes, act: 'linear' }],
  };
}

/**
 * BigNet (§4.2.1, "11-layer", borrowed from ref. [29]; not described in the text). Our reconstruction
 * (spec §3.3 e) reproduces the printed 5.74M -> 5.09M and 11.41% exactly on 24x24x3 crops:
 * C3(P1)@64 x2-MP2S2-C3(P1)@128 x2-MP2S2-C3(P1)@256 x4-MP2S2-FC1024-D0.5-FC1024-D0.5-OUT.
 * The first FC1024 is a 3x3 conv on the 3x3x256 map in the original, i.e. an FC on 2304 inputs.
 */
export function bigNetArch(opts: { classes: number; dcl?: boolean }): Arch {
  const conv = (f: number): ArchLayer => ({ type: 'conv', filters: f, kernel: 3, pad: 1, act: 'relu' });
  const pool: ArchLayer = { type: 'maxpool', kernel: 2, stride: 2 };
  const fc1: ArchLayer = opts.dcl
    ? { type: 'dcl', units: 1024, branches: 2, filtersPerBranch: 256, mode: 'deterministic' }
    : { type: 'fc', units: 1024, act: 'relu' };
  return {
    name: opts.dcl ? 'BigNet-DCL' : 'BigNet',
    input: [24, 24, 3],
    layers: [conv(64), conv(64), pool, conv(128), conv(128), pool, conv(256), conv(256), conv(256), conv(256), pool,
      fc1, { type: 'dropout', rate: 0.5 }, { type: 'fc', units: 1024, act: 'relu' }, { type: 'dropout', rate: 0.5 },
      { type: 'fc', units: opts.classes, act: 'linear' }],
  };
}

/**
 * AlexNet as in Caffe (§4.2.2), ungrouped, 227x227x3 (LRN has no weights and is left out of the
 * counts). DCL replaces fc6 with 2 branches x 1024. Reference only: 62.37M weights by count
 * (the paper prints 62.35M; spec §9.10).
 */
export function alexNetArch(opts: { dcl?: boolean; classes?: number } = {}): Arch {
  const fc6: ArchLayer = opts.dcl
    ? { type: 'dcl', units: 4096, branches: 2, filtersPerBranch: 1024, mode: 'deterministic' }
    : { type: 'fc', units: 4096, act: 'relu' };
  return {
    name: opts.dcl ? 'AlexNet-DCL' : 'AlexNet',
    input: [227, 227, 3],
    layers: [
      { type: 'conv', filters: 96, kernel: 11, stride: 4, act: 'relu' }, { type: 'maxpool', kernel: 3, stride: 2 },
      { type: 'conv', filters: 256, kernel: 5, pad: 2, act: 'relu' }, { type: 'maxpool', kernel: 3, stride: 2 },
      { type: 'conv', filters: 384, kernel: 3, pad: 1, act: 'relu' },
      { type: 'conv', filters: 384, kernel: 3, pad: 1, act: 'relu' },
      { type: 'conv', filters: 256, kernel: 3, pad: 1, act: 'relu' }, { type: 'maxpool', kernel: 3, stride: 2 },
      fc6, { type: 'dropout', rate: 0.5 }, { type: 'fc', units: 4096, act: 'relu' }, { type: 'dropout', rate: 0.5 },
      { type: 'fc', units: opts.classes ?? 1000, act: 'linear' },
    ],
  };
}

/** The paper's printed headline numbers (for tables beside ours; never plotted on the same axis). */
export const PAPER = {
  alexnet: { params: 62.35e6, paramsDcl: 51.86e6, percentFewer: 16.82, top1: 43.19, top1Dcl: 42.98, top5: 19.87, top5Dcl: 19.69, secPer20It: 6.04, secPer20ItDcl: 5.67 },
  bignet: { params: 5.74e6, paramsDcl: 5.09e6, percentFewer: 11.41 },
  /** Table 1 rows, % error: Baseline, Oracle, A2, A3S, A3D, B2, B3S, B3D (column order as printed). */
  table1: {
    'II-01': [1.96, 1.07, 1.76, 1.73, 1.85, 2.15, 2.11, 2.12],
    'II-02': [2.58, 2.02, 2.38, 2.36, 2.40, 2.56, 2.46, 2.50],
    'II-03': [2.99, 2.12, 2.80, 2.76, 2.76, 3.17, 3.09, 3.08],
    'II-04': [3.55, 2.85, 3.31, 3.31, 3.44, 3.67, 3.44, 3.54],
    'II-05': [5.10, 4.23, 4.86, 4.86, 4.94, 5.86, 5.81, 5.91],
    'III-01': [3.08, 2.15, 2.82, 2.71, 2.82, 2.96, 2.91, 3.00],
    'III-02': [5.38, 3.39, 4.73, 4.54, 4.81, 5.09, 5.08, 5.46],
    'III-03': [6.30, 4.93, 5.76, 5.73, 5.72, 6.14, 6.31, 6.48],
    'III-04': [7.81, 5.64, 7.22, 7.19, 7.25, 5.75, 5.65, 5.79],
    'III-05': [7.88, 7.08, 7.33, 7.20, 7.39, 7.71, 7.64, 7.98],
    'III-06': [8.03, 5.52, 7.31, 7.08, 7.26, 5.52, 5.63, 5.79],
    'III-07': [8.98, 7.59, 8.41, 8.38, 8.47, 8.87, 8.95, 9.09],
    'III-08': [9.57, 8.22, 8.94, 8.88, 8.94, 9.60, 9.49, 9.79],
    'III-09': [10.08, 9.34, 9.86, 9.71, 9.90, 10.07, 9.93, 10.03],
    'III-10': [10.12, 7.61, 9.17, 9.14, 9.19, 9.74, 9.97, 10.11],
  } as Record<string, number[]>,
  table1Columns: ['Baseline', 'Oracle', 'A2', 'A3S', 'A3D', 'B2', 'B3S', 'B3D'],
  /** Table 2 (% error): [SVHN, CIFAR-10, CIFAR-100]. */
  table2: {
    'LeNet (w/o DCL)': [4.21, 14.18, 44.77], 'LeNet (w/ DCL)': [3.80, 13.55, 42.81],
    'BigNet (w/o DCL)': [2.19, 7.88, 31.03], 'BigNet (w/ DCL)': [2.03, 7.46, 29.83],
    'WRN (w/o DCL)': [1.77, 5.54, 25.52], 'WRN (w/ DCL)': [1.69, 5.37, 25.10],
  } as Record<string, number[]>,
};
