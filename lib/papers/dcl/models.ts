// Build trainable models from the Arch descriptions of arch.ts with lib/nn layers and the DCL module,
// plus the oracle (one 10-way classifier per digit position) and WRN-16 with DCL.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import { conv2d, dense, maxPool, flatten, dropout, relu, sequential, globalAvgPool, type SequentialLayer } from '../../nn/layers';
import { wideResNet } from '../../nn/backbones';
import { collectParams } from '../../nn/tree';
import type { Rng } from '../../util/random';
import { dcl, type DclLayer, type DclMode } from './module';
import { analyzeArch, mnistLeNetArch, poolOut, type Arch } from './arch';

export interface BuildOptions {
  /** Stage-2 bias init of every DCL layer (default 0; <= 0.1 advised, spec §9.4). */
  fusionBiasInit?: number;
  /** Override the DCL mode of every DCL layer. */
  dclMode?: DclMode;
  branchActivation?: 'relu' | 'linear';
}

export interface Net extends SequentialLayer {
  arch: Arch;
  /** The DCL layers, in order (empty for a baseline). */
  dclLayers: DclLayer[];
}

/**
 * A model from an architecture description. Initialisation is not stated in the paper: conv and FC
 * use glorot-uniform kernels (Caffe "xavier") and zero biases, as do the DCL layers.
 */
export function buildNet(arch: Arch, rng: Rng, o: BuildOptions = {}): Net {
  const summary = analyzeArch(arch); // validates the shapes first
  let [h, w, c] = arch.input;
  const layers: Layer[] = [];
  const dcls: DclLayer[] = [];
  let flat = false, nConv = 0, nPool = 0, nFc = 0, nDrop = 0;
  const r = (label: string) => rng.fork(label);
  arch.layers.forEach((l, i) => {
    if (l.type === 'conv') {
      nConv++;
      layers.push(conv2d({ name: `conv${nConv}`, inChannels: c, filters: l.filters, kernelSize: l.kernel, stride: l.stride ?? 1, padding: l.pad ?? 0, bias: true, init: 'glorotUniform' }, r(`conv${nConv}`)));
      if ((l.act ?? 'relu') === 'relu') layers.push(relu(`relu_c${nConv}`));
    } else if (l.type === 'maxpool') {
      nPool++;
      if (l.ceil && (Math.ceil(h / l.stride) !== poolOut(h, l.kernel, l.stride, true) || Math.ceil(w / l.stride) !== poolOut(w, l.kernel, l.stride, true))) {
        throw new Error(`${arch.name}: ceil-mode pool ${l.kernel}/${l.stride} on ${h}x${w} cannot be reproduced with tfjs 'same' padding (use a 32x32 input)`);
      }
      // Caffe ceil mode == tfjs 'same' for the sizes used here (checked against analyzeArch below).
      layers.push(maxPool({ name: `pool${nPool}`, size: l.kernel, stride: l.stride, padding: l.ceil ? 'same' : 'valid' }));
    } else if (l.type === 'fc' || l.type === 'dcl') {
      if (!flat) { layers.push(flatten('flatten')); flat = true; }
      nFc++;
      const D = h * w * c;
      if (l.type === 'fc') {
        layers.push(dense({ name: `fc${nFc}`, inFeatures: D, units: l.units, init: 'glorotUniform', biasInit: 'zeros' }, r(`fc${nFc}`)));
        if ((l.act ?? 'relu') === 'relu') layers.push(relu(`relu_f${nFc}`));
      } else {
        const d = dcl({
          kind: 'dense', name: `dcl${nFc}`, inputChannels: D, units: l.units, branches: l.branches, filtersPerBranch: l.filtersPerBranch,
          mode: o.dclMode ?? l.mode ?? 'deterministic', fusionBiasInit: o.fusionBiasInit ?? 0, branchActivation: o.branchActivation,
        }, r(`dcl${nFc}`));
        dcls.push(d);
        layers.push(d); // z >= 0.1 already; no ReLU after it (it would be the identity)
      }
    } else if (l.type === 'dropout') {
      nDrop++;
      layers.push(dropout(l.rate, `drop${nDrop}`));
    }
    [h, w, c] = summary.rows[i].out;
  });
  const seq = sequential(arch.name, layers);
  const net: Net = { ...seq, arch, dclLayers: dcls };
  return net;
}

/** The MNIST LeNet baseline or one of the paper's DCL variants ('baseline', 'A2', 'A3S', 'A3D', 'B2', 'B3S', 'B3D'). */
export function mnistModel(variant: string, classes: number, rng: Rng, o: BuildOptions & { convAct?: 'relu' | 'linear'; filtersPerBranch?: number } = {}): Net {
  if (variant === 'baseline') return buildNet(mnistLeNetArch({ classes, convAct: o.convAct }), rng, o);
  const m = /^(?:DCL-)?([AB])(2|3S|3D)$/.exec(variant);
  if (!m) throw new Error(`mnistModel: unknown variant '${variant}' (expected baseline, A2, A3S, A3D, B2, B3S or B3D)`);
  const place = m[1] as 'A' | 'B';
  const K2 = place === 'A' ? 500 : classes;
  const dclv = {
    place, branches: m[2] === '2' ? 2 : 3, filtersPerBranch: o.filtersPerBranch ?? Math.max(1, Math.round(K2 / 5)),
    mode: (m[2] === '3S' ? 'stochastic' : 'deterministic') as DclMode,
  };
  const arch = mnistLeNetArch({ classes, dcl: dclv, convAct: o.convAct });
  arch.name = `DCL-${variant}`;
  return buildNet(arch, rng, o);
}

export interface OracleNet extends Layer {
  numDigits: number;
  base: number;
  /** 'separate': D independent LeNets (the paper's sub-classifiers); 'shared': one trunk, D heads (our cheaper variant). */
  kind: 'separate' | 'shared';
}

/**
 * The oracle (§4.1.2): one `base`-way classifier per digit position; apply() returns the D heads'
 * logits concatenated, [N, D·base]. Train with `oracleLoss`, decode with `oracleDecode`.
 */
export function oracleNet(rng: Rng, o: { numDigits: number; base?: number; kind?: 'separate' | 'shared'; convAct?: 'relu' | 'linear' }): OracleNet {
  const D = o.numDigits, base = o.base ?? 10, kind = o.kind ?? 'separate';
  if (!(Number.isInteger(D) && D >= 1)) throw new Error(`oracleNet: numDigits must be a positive integer, got ${D}`);
  if (kind !== 'separate' && kind !== 'shared') throw new Error(`oracleNet: kind must be 'separate' or 'shared', got '${String(kind)}'`);
  if (kind === 'separate') {
    const subs = Array.from({ length: D }, (_, d) => {
      const n = buildNet(mnistLeNetArch({ classes: base, convAct: o.convAct }), rng.fork(`digit${d}`));
      return { ...n, name: `digit${d}` };
    });
    return {
      name: 'oracle', params: [], state: [], children: subs, numDigits: D, base, kind,
      apply: (x: tf.Tensor, ctx: Ctx) => tf.tidy(() => tf.concat(subs.map((s) => s.apply(x, ctx)), 1)),
    };
  }
  // Shared trunk: the LeNet up to the dropout after FC500, then D linear heads.
  const trunkArch = mnistLeNetArch({ classes: base, convAct: o.convAct });
  trunkArch.layers = trunkArch.layers.slice(0, -1);
  const trunk = { ...buildNet(trunkArch, rng.fork('trunk')), name: 'trunk' };
  const heads = Array.from({ length: D }, (_, d) => dense({ name: `head${d}`, inFeatures: 500, units: base, init: 'glorotUniform', biasInit: 'zeros' }, rng.fork(`head${d}`)));
  return {
    name: 'oracle', params: [], state: [], children: [trunk, ...heads], numDigits: D, base, kind,
    apply: (x: tf.Tensor, ctx: Ctx) => tf.tidy(() => { const f = trunk.apply(x, ctx); return tf.concat(heads.map((hd) => hd.apply(f, ctx)), 1); }),
  };
}

/** Sum over positions of the per-position cross-entropy; `digits` [N, D] int32 (alphabet indices). */
export function oracleLoss(logits: tf.Tensor, digits: tf.Tensor, D: number, base: number): tf.Scalar {
  if (logits.rank !== 2 || logits.shape[1] !== D * base) throw new Error(`oracleLoss: logits must be [N, ${D * base}], got [${logits.shape}]`);
  if (digits.rank !== 2 || digits.shape[1] !== D || digits.shape[0] !== logits.shape[0]) throw new Error(`oracleLoss: digits must be [${logits.shape[0]}, ${D}], got [${digits.shape}]`);
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logits.reshape([-1, D, base]));
    const oh = tf.oneHot(tf.cast(digits, 'int32'), base);
    return tf.neg(tf.sum(tf.mul(lp, oh))).div(logits.shape[0]) as tf.Scalar;
  });
}

/** Oracle prediction: per-position argmax, concatenated into the class label. Returns int32 [N]. */
export function oracleDecode(logits: tf.Tensor, D: number, base: number): tf.Tensor1D {
  return tf.tidy(() => {
    const idx = tf.argMax(logits.reshape([-1, D, base]), 2); // [N, D]
    const place = tf.tensor1d(Array.from({ length: D }, (_, d) => Math.pow(base, D - 1 - d)), 'int32');
    return tf.sum(tf.mul(idx, place), 1).toInt() as tf.Tensor1D;
  });
}

/**
 * WRN-16-k (§4.2.1, "following the original implementation"; k not stated, default 8 as in the WRN
 * paper's SVHN model). WRN has no hidden FC layer; with `dcl`, OUR choice (spec §9.17) is to
 * replace its classifier by a DCL with `branches` x `filtersPerBranch` (default 2 x ceil(C/4)).
 */
export function wrn16(rng: Rng, o: { classes: number; k?: number; inputSize?: number; inChannels?: number; dcl?: { branches?: number; filtersPerBranch?: number; mode?: DclMode } }): Layer {
  const k = o.k ?? 8;
  if (!o.dcl) return wideResNet(rng, 16, k, { numClasses: o.classes, inputSize: o.inputSize ?? 32, inChannels: o.inChannels ?? 3 });
  const body = wideResNet(rng.fork('body'), 16, k, { numClasses: 0, inputSize: o.inputSize ?? 32, inChannels: o.inChannels ?? 3 });
  const head = dcl({
    kind: 'dense', name: 'dcl_fc', inputChannels: 64 * k, units: o.classes, branches: o.dcl.branches ?? 2,
    filtersPerBranch: o.dcl.filtersPerBranch ?? Math.ceil(o.classes / 4), mode: o.dcl.mode ?? 'deterministic',
  }, rng.fork('dcl'));
  return sequential(`wrn16_${k}_dcl`, [body, globalAvgPool('gap'), head]);
}

/** Analytic WRN-d-k parameter count (pre-activation blocks, bias-free convs, 1x1 projection shortcuts, BN γ/β). */
export function wrnParamCount(depth: number, k: number, classes: number, inChannels = 3): number {
  const n = (depth - 4) / 6;
  if (!Number.isInteger(n) || n < 1) throw new Error(`wrnParamCount: depth must be 6n+4, got ${depth}`);
  let total = 9 * inChannels * 16, cin = 16;
  for (const w of [16 * k, 32 * k, 64 * k]) {
    for (let b = 0; b < n; b++) {
      total += 2 * cin + 9 * cin * w + 2 * w + 9 * w * w + (cin !== w ? cin * w : 0);
      cin = w;
    }
  }
  return total + 2 * cin + cin * classes + classes;
}

/** Trainable parameter count of a built model. */
export function paramCount(model: Layer): number {
  return collectParams(model).reduce((a, v) => a + v.variable.size, 0);
}
