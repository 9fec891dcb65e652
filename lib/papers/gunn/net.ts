// GunnNet: builds a GUNN / SUNN network from a GunnNetConfig (thesis Tables 4-I, 4-II; spec 2.9).
//   stem:  conv k x k (stride) + BN + ReLU, optional pool, conv 1x1 -> stages[0].N + BN + ReLU
//   stage: GUNN (or SUNN) layer {N, P, K, M}
//   trans: conv 1x1 -> next N + BN + ReLU, then 2x2 AvgPool (thesis table order: conv then pool;
//          the ImageNet reference code pools first; same parameters, spec pitfall 9)
//   head:  (CIFAR) conv 1x1 + BN + ReLU, global average pool, FC with bias (no ReLU in between for
//          ImageNet: the last GUNN layer feeds the pooling directly, spec pitfall 7)
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import type { Rng } from '../../util/random';
import { dense } from '../../nn/layers';
import type { InitKind } from '../../nn/init';
import { validateConfig, type GunnNetConfig } from './config';
import { convBn } from './unit';
import { gunnLayer, type BackwardRule, type GunnLayer } from './layer';

export interface GunnNetOptions {
  /** Train GUNN layers with Algorithm 2 (custom gradient). */
  customBackward?: boolean;
  backwardRule?: BackwardRule;
  /**
   * Conv weight init. Default: N(0, sqrt(2/(k*k*Cout))) [thesis/code]. 'zeros' builds the same
   * variables without drawing 45M normals (for parameter counting of the ImageNet models).
   */
  init?: InitKind;
}

export interface GunnNet extends Layer {
  readonly config: GunnNetConfig;
  readonly gunnLayers: GunnLayer[];
  /** Logits [B, classes]. `taps` (if given) receives 'stem', 'stage1'.. and 'features'. */
  apply(x: tf.Tensor, ctx: Ctx): tf.Tensor;
}

function poolLayer(name: string, kind: 'avg2' | 'max3s2'): Layer {
  return {
    name, params: [], state: [], children: [],
    apply(x: tf.Tensor): tf.Tensor {
      const x4 = x as tf.Tensor4D;
      if (kind === 'avg2') return tf.avgPool(x4, 2, 2, 'valid');
      // 3x3 max-pool, stride 2, padding 1 (torch): pad with -inf-like values so borders ignore them
      return tf.tidy(() => tf.maxPool(tf.pad(x4, [[0, 0], [1, 1], [1, 1], [0, 0]], -1e30), 3, 2, 'valid'));
    },
  };
}

function seq(name: string, layers: Layer[]): Layer {
  return {
    name, params: [], state: [], children: layers,
    apply: (x: tf.Tensor, ctx: Ctx) => tf.tidy(() => layers.reduce((t, l) => l.apply(t, ctx), x)),
  };
}

export function gunnNet(cfg: GunnNetConfig, rng: Rng, o: GunnNetOptions = {}): GunnNet {
  validateConfig(cfg);
  const init = o.init;
  const [H, W, C] = cfg.inputShape;
  const stemLayers: Layer[] = [
    convBn('conv', C, cfg.stem.conv.cout, cfg.stem.conv.k, true, rng.fork('stem/conv'), { stride: cfg.stem.conv.stride, init }),
  ];
  if (cfg.stem.pool !== 'none') stemLayers.push(poolLayer('pool', cfg.stem.pool));
  stemLayers.push(convBn('conv1x1', cfg.stem.conv.cout, cfg.stages[0].N, 1, true, rng.fork('stem/conv1x1'), { init }));
  const stem = seq('stem', stemLayers);

  const gunnLayers: GunnLayer[] = [];
  const blocks: { name: string; layer: Layer }[] = [];
  cfg.stages.forEach((s, i) => {
    const g = gunnLayer({
      name: `stage${i + 1}`, N: s.N, P: s.P, K: s.K, M: s.M, mode: cfg.mode, residual: cfg.residual,
      projection: cfg.projection, customBackward: o.customBackward && cfg.mode === 'gunn',
      backwardRule: o.backwardRule, init,
    }, rng.fork(`stage${i + 1}`));
    gunnLayers.push(g);
    blocks.push({ name: g.name, layer: g });
    if (i + 1 < cfg.stages.length) {
      const t = seq(`trans${i + 1}`, [
        convBn('conv1x1', s.N, cfg.stages[i + 1].N, 1, true, rng.fork(`trans${i + 1}`), { init }),
        poolLayer('pool', 'avg2'),
      ]);
      blocks.push({ name: t.name, layer: t });
    }
  });
  const last = cfg.stages[cfg.stages.length - 1].N;
  const headConv = cfg.headConv !== null ? convBn('conv1x1', last, cfg.headConv, 1, true, rng.fork('head/conv'), { init }) : null;
  // FC: Torch default U(-1/sqrt(fanIn), 1/sqrt(fanIn)) weights, bias 0 [code].
  const fc = dense({ name: 'fc', inFeatures: cfg.headConv ?? last, units: cfg.classes, biasInit: 'zeros', init: init === 'zeros' ? 'zeros' : undefined }, rng.fork('head/fc'));
  const head: Layer = {
    name: 'head', params: [], state: [], children: headConv ? [headConv, fc] : [fc],
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => {
        const h = headConv ? headConv.apply(x, ctx) : x;
        const feat = tf.mean(h, [1, 2]);
        if (ctx.taps) ctx.taps.set('features', tf.keep(feat.clone()));
        return fc.apply(feat, ctx);
      });
    },
  };

  return {
    name: 'gunnnet', params: [], state: [], children: [stem, ...blocks.map((b) => b.layer), head],
    config: cfg, gunnLayers,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      if (x.rank !== 4 || x.shape[3] !== C) {
        throw new Error(`gunnNet '${cfg.name}': expected input [B, H, W, ${C}] (config inputShape [${H}, ${W}, ${C}]), got [${x.shape.join(', ')}]`);
      }
      return tf.tidy(() => {
        let t = stem.apply(x, ctx);
        if (ctx.taps) ctx.taps.set('stem', tf.keep(t.clone()));
        for (const b of blocks) {
          t = b.layer.apply(t, ctx);
          if (ctx.taps) ctx.taps.set(b.name, tf.keep(t.clone()));
        }
        return head.apply(t, ctx);
      });
    },
  };
}
