// Recursive Feature Pyramid (thesis §6.3, eq. 6.3, Figs. 6-2..6-4), unrolled for T steps:
//   step 1: x^1 = B^1(img) (plain, no feedback path: the reading of f^0 = 0), f = FPN(x^1)
//   step t: x^t = B^t.rfpForward(img, [-, R(f_P3), R(f_P4), ...]); fnew = FPN(x^t)
//           f_l <- a_l * fnew_l + (1 - a_l) * f_l,  a_l = sigmoid(Conv1x1_{C->1}(fnew_l))
// FPN, ASPP (R) and the fusion conv are shared across steps and levels (reference mmdet RFP).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { conv2d } from '../../nn/layers';
import type { FpnLayer } from '../../nn/fpn';
import type { DetBackbone } from './backbone';

export interface AsppLayer extends Layer { readonly channels: number }

/**
 * ASPP connecting module (thesis §6.3.3): branches 1x1 (rate 1), 3x3 rate 3, 3x3 rate 6, and
 * image pooling + 1x1; each Conv -> ReLU with C/4 channels; concatenated to C; no projection.
 * Kaiming (fan-out, relu) init, bias 0 (reference).
 */
export function rfpAspp(channels: number, rng: Rng, name = 'aspp'): AsppLayer {
  if (channels % 4 !== 0) throw new Error(`rfpAspp: input channels must be divisible by 4 (four C/4 branches), got ${channels}`);
  const q = channels / 4;
  const b1 = conv2d({ name: 'branch1', inChannels: channels, filters: q, kernelSize: 1, padding: 0, bias: true }, rng);
  const b2 = conv2d({ name: 'branch2', inChannels: channels, filters: q, kernelSize: 3, dilation: 3, padding: 3, bias: true }, rng);
  const b3 = conv2d({ name: 'branch3', inChannels: channels, filters: q, kernelSize: 3, dilation: 6, padding: 6, bias: true }, rng);
  const b4 = conv2d({ name: 'imagePool', inChannels: channels, filters: q, kernelSize: 1, padding: 0, bias: true }, rng);
  return {
    name, params: [], state: [], children: [b1, b2, b3, b4], channels,
    apply(f: tf.Tensor, ctx: Ctx): tf.Tensor {
      if (f.rank !== 4 || f.shape[3] !== channels) throw new Error(`rfpAspp '${name}': expected [N, H, W, ${channels}], got [${f.shape}]`);
      return tf.tidy(() => {
        const [n, h, w] = f.shape;
        const pooled = tf.relu(b4.apply(tf.mean(f, [1, 2], true), ctx));
        return tf.concat([tf.relu(b1.apply(f, ctx)), tf.relu(b2.apply(f, ctx)), tf.relu(b3.apply(f, ctx)), tf.mul(pooled, tf.ones([n, h, w, q]))], 3);
      });
    },
  };
}

export interface FusionLayer extends Layer {
  /** a * fNew + (1 - a) * fPrev with a = sigmoid(conv(fNew)). */
  fuse(fPrev: tf.Tensor, fNew: tf.Tensor, ctx: Ctx): tf.Tensor;
}

/** Fusion module (thesis §6.3.4): 1x1 conv C -> 1 + sigmoid, zero init (a = 0.5), shared over levels. */
export function rfpFusion(channels: number, rng: Rng, name = 'fusion'): FusionLayer {
  const c = conv2d({ name: 'conv', inChannels: channels, filters: 1, kernelSize: 1, padding: 0, bias: true, init: 'zeros' }, rng);
  return {
    name, params: [], state: [], children: [c],
    apply() { throw new Error(`rfpFusion '${name}': call fuse(fPrev, fNew, ctx)`); },
    fuse: (fPrev, fNew, ctx) => tf.tidy(() => {
      const a = tf.sigmoid(c.apply(fNew, ctx));
      return tf.add(tf.mul(a, fNew), tf.mul(tf.sub(1, a), fPrev));
    }),
  };
}

export interface RfpOptions {
  /** Unrolled steps T (thesis default 2; "RFP + 3X" uses 3). */
  steps: number;
  /** ASPP as R (default true; false = "RFP - aspp": identity). */
  useAspp?: boolean;
  /** Fusion (default true; false = "RFP - fusion": f <- fnew). */
  useFusion?: boolean;
}

export interface NeckOutput {
  /** Pyramid outputs [P2, ...]. */
  feats: tf.Tensor[];
}

/**
 * The RFP neck: backbones[0] = B^1 (no RfpConvs), backbones[t >= 1] = B^{t+1} (with RfpConvs;
 * "RFP + sharing" passes the same RfpConv-equipped backbone for every step). `fpn` and the
 * modules are shared. Backbone stage s (0-based, s >= 1) receives R(P_{s+2}) of the same stride:
 * pyramid output s matches backbone stage s.
 */
export function rfpForward(img: tf.Tensor, backbones: DetBackbone[], fpn: FpnLayer, aspp: AsppLayer | null, fusion: FusionLayer | null, o: RfpOptions, ctx: Ctx): tf.Tensor[] {
  if (backbones.length !== o.steps) throw new Error(`rfpForward: ${o.steps} steps need ${o.steps} backbones, got ${backbones.length}`);
  return tf.tidy(() => {
    let f = fpn.applyFeatures(backbones[0].applyFeatures(img, ctx), ctx);
    const S = backbones[0].config.channels.length;
    for (let t = 1; t < o.steps; t++) {
      const fb: (tf.Tensor | null)[] = [null];
      for (let s = 1; s < S; s++) fb.push(aspp && (o.useAspp ?? true) ? aspp.apply(f[s], ctx) : f[s]);
      const fnew = fpn.applyFeatures(backbones[t].rfpForward(img, fb, ctx), ctx);
      f = fnew.map((fn, l) => (fusion && (o.useFusion ?? true) ? fusion.fuse(f[l], fn, ctx) : fn));
    }
    return f;
  });
}
