// Feature Pyramid Network (Lin et al. 2017) as in mmdetection's FPN: 1x1 lateral convs, top-down
// nearest upsampling and addition, 3x3 output convs, extra levels by max-pool(1, stride 2).
// Init: Xavier (Glorot) uniform, bias 0 (mmdet's choice).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';
import type { Ctx, Layer } from './types';
import { conv2d, sequential, upsampleNearest } from './layers';

export interface FpnOptions {
  name?: string;
  /** Channels of the input maps, fine to coarse (e.g. C2..C5). */
  inChannels: number[];
  outChannels: number;
  /** Extra coarser outputs by max-pool(1, stride 2) of the last output (mmdet 'on_output' maxpool). */
  extraLevels?: number;
}

export interface FpnLayer extends Layer {
  /** [C2..] -> [P2..] (+ extra levels), each [N, Hi, Wi, outChannels]. */
  applyFeatures(feats: tf.Tensor[], ctx: Ctx): tf.Tensor[];
}

/** Nearest upsampling of `x` to exactly [h, w] (x2 then crop: PyTorch's nearest for h <= 2 * x.h). */
export function upsampleTo(x: tf.Tensor, h: number, w: number): tf.Tensor {
  const [n, xh, xw, c] = x.shape;
  if (xh === h && xw === w) return tf.clone(x);
  const f = Math.ceil(Math.max(h / xh, w / xw));
  const up = upsampleNearest(x, f);
  if (up.shape[1] === h && up.shape[2] === w) return up;
  return tf.slice(up, [0, 0, 0, 0], [n, h, w, c]);
}

export function fpn(o: FpnOptions, rng: Rng): FpnLayer {
  const name = o.name ?? 'fpn';
  const laterals = o.inChannels.map((c, i) => conv2d({ name: `lateral${i}`, inChannels: c, filters: o.outChannels, kernelSize: 1, padding: 0, bias: true, init: 'glorotUniform' }, rng));
  const outs = o.inChannels.map((_, i) => conv2d({ name: `out${i}`, inChannels: o.outChannels, filters: o.outChannels, kernelSize: 3, bias: true, init: 'glorotUniform' }, rng));
  const lat = sequential('lateral', laterals), out = sequential('output', outs);
  const layer: FpnLayer = {
    name, params: [], state: [], children: [lat, out],
    apply() { throw new Error(`fpn '${name}': takes a list of feature maps; call applyFeatures(feats, ctx)`); },
    applyFeatures(feats, ctx) {
      if (feats.length !== o.inChannels.length) throw new Error(`fpn '${name}': expected ${o.inChannels.length} feature maps, got ${feats.length}`);
      return tf.tidy(() => {
        const l = feats.map((f, i) => laterals[i].apply(f, ctx));
        for (let i = l.length - 1; i > 0; i--) l[i - 1] = tf.add(l[i - 1], upsampleTo(l[i], l[i - 1].shape[1] as number, l[i - 1].shape[2] as number));
        const p = l.map((t, i) => outs[i].apply(t, ctx));
        for (let e = 0; e < (o.extraLevels ?? 0); e++) p.push(tf.maxPool(p[p.length - 1] as tf.Tensor4D, 1, 2, 'valid'));
        return p;
      });
    },
  };
  return layer;
}
