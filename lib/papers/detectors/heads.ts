// RPN head (shared 3x3 conv + ReLU, 1x1 objectness and 1x1 box-delta convs, all levels) and the
// Shared2FC RoI box head (FC -> ReLU -> FC -> ReLU -> cls K+1 / class-agnostic reg 4).
// Inits as the reference: RPN convs normal(0, 0.01); FCs Xavier; cls normal(0, 0.01); reg normal(0, 0.001).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer } from '../../nn/types';
import { conv2d, dense } from '../../nn/layers';

export interface RpnHead extends Layer {
  /** Per level [N,H,W,C] -> cls [N, H*W*A_l] logits and reg [N, H*W*A_l, 4], concatenated over levels. */
  applyLevels(feats: tf.Tensor[], anchorsPerLevel: number[], ctx: Ctx): { cls: tf.Tensor2D; reg: tf.Tensor3D };
}

export function rpnHead(channels: number, maxAnchors: number, rng: Rng, name = 'rpn'): RpnHead {
  const conv = conv2d({ name: 'conv', inChannels: channels, filters: channels, kernelSize: 3, bias: true, init: { normal: 0.01 } }, rng);
  const cls = conv2d({ name: 'cls', inChannels: channels, filters: maxAnchors, kernelSize: 1, padding: 0, bias: true, init: { normal: 0.01 } }, rng);
  const reg = conv2d({ name: 'reg', inChannels: channels, filters: 4 * maxAnchors, kernelSize: 1, padding: 0, bias: true, init: { normal: 0.01 } }, rng);
  return {
    name, params: [], state: [], children: [conv, cls, reg],
    apply() { throw new Error(`rpnHead '${name}': call applyLevels(feats, anchorsPerLevel, ctx)`); },
    applyLevels(feats, apl, ctx) {
      if (feats.length !== apl.length) throw new Error(`rpnHead '${name}': ${feats.length} levels but ${apl.length} anchor counts`);
      return tf.tidy(() => {
        const cs: tf.Tensor[] = [], rs: tf.Tensor[] = [];
        feats.forEach((f, l) => {
          const a = apl[l];
          if (a > maxAnchors) throw new Error(`rpnHead '${name}': level ${l} has ${a} anchors per cell, head was built for ${maxAnchors}`);
          const [n, h, w] = f.shape;
          const t = tf.relu(conv.apply(f, ctx));
          let c = cls.apply(t, ctx), r = reg.apply(t, ctx);
          if (a < maxAnchors) { c = tf.slice(c, [0, 0, 0, 0], [n, h, w, a]); r = tf.slice(r, [0, 0, 0, 0], [n, h, w, 4 * a]); }
          cs.push(tf.reshape(c, [n, h * w * a]));
          rs.push(tf.reshape(r, [n, h * w * a, 4]));
        });
        return { cls: tf.concat(cs, 1) as tf.Tensor2D, reg: tf.concat(rs, 1) as tf.Tensor3D };
      });
    },
  };
}

export interface BBoxHead extends Layer {
  /** [R, P, P, C] -> cls [R, K+1] ((D) background = index K), reg [R, 4] ((D) class-agnostic, as the HTC heads). */
  applyRois(x: tf.Tensor, ctx: Ctx): { cls: tf.Tensor2D; reg: tf.Tensor2D };
}

export function bboxHead(inDim: number, fcDim: number, numClasses: number, rng: Rng, name = 'bboxHead'): BBoxHead {
  const fc1 = dense({ name: 'fc1', inFeatures: inDim, units: fcDim, init: 'glorotUniform', biasInit: 'zeros' }, rng);
  const fc2 = dense({ name: 'fc2', inFeatures: fcDim, units: fcDim, init: 'glorotUniform', biasInit: 'zeros' }, rng);
  const cls = dense({ name: 'cls', inFeatures: fcDim, units: numClasses + 1, init: { normal: 0.01 }, biasInit: 'zeros' }, rng);
  const reg = dense({ name: 'reg', inFeatures: fcDim, units: 4, init: { normal: 0.001 }, biasInit: 'zeros' }, rng);
  return {
    name, params: [], state: [], children: [fc1, fc2, cls, reg],
    apply() { throw new Error(`bboxHead '${name}': call applyRois(x, ctx)`); },
    applyRois(x, ctx) {
      return tf.tidy(() => {
        const flat = tf.reshape(x, [x.shape[0], -1]);
        if (flat.shape[1] !== inDim) throw new Error(`bboxHead '${name}': RoI features have ${flat.shape[1]} values, head expects ${inDim}`);
        const h = tf.relu(fc2.apply(tf.relu(fc1.apply(flat, ctx)), ctx));
        return { cls: cls.apply(h, ctx) as tf.Tensor2D, reg: reg.apply(h, ctx) as tf.Tensor2D };
      });
    },
  };
}
