// Update units (thesis §4.5.1.1, Figure 4-4): the channel-wise transformations F_{c_i} that a GUNN
// or SUNN layer applies to its partitions. A unit reads the FULL state [B,H,W,N] and returns the new
// values of its own partition [B,H,W,n]; which state it reads (original input or partially updated)
// is decided by the layer, never by the unit, so GUNN and SUNN share units, parameters and FLOPs.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../../nn/types';
import type { Rng } from '../../util/random';
import { batchNorm, conv2d } from '../../nn/layers';
import type { InitKind } from '../../nn/init';

/** A unit owns partition channels [lo, lo + n) of a layer with N channels. */
export interface PartitionUnit extends Layer {
  readonly N: number;
  readonly lo: number;
  readonly n: number;
  /** Whether apply() = state[lo:lo+n] + branch(state) (Eq. 4.5). */
  readonly residual: boolean;
  /** F_{c_i}(state): the new values of the partition, [B,H,W,n]. */
  apply(state: tf.Tensor, ctx: Ctx): tf.Tensor;
  /**
   * G_{c_i}(state): everything but the identity term (Eq. 4.5), so F = s_c + G for residual units.
   * Used by the merged backward rule (4.6), which is only valid for residual units.
   */
  branch(state: tf.Tensor, ctx: Ctx): tf.Tensor;
}

export interface UnitSpec {
  /** Unit index i (0-based) in the layer. */
  index: number;
  N: number;
  lo: number;
  n: number;
}

/** Builds unit i of a layer; GunnLayer accepts one to inject spy or linear units in tests. */
export type UnitFactory = (spec: UnitSpec, rng: Rng) => PartitionUnit;

/** Conv (no bias, [code]) + BN (+ ReLU). Conv init N(0, sqrt(2/(k*k*Cout))) [thesis/code], fan-out. */
export function convBn(name: string, cin: number, cout: number, k: number, relu: boolean, rng: Rng,
  o: { stride?: number; init?: InitKind } = {}): Layer {
  const conv = conv2d({ name: 'conv', inChannels: cin, filters: cout, kernelSize: k, stride: o.stride ?? 1,
    padding: 'torch', bias: false, init: o.init ?? 'heNormalFanOut' }, rng);
  // Torch BN conventions (eps 1e-5, momentum 0.1), gamma 1, beta 0 [code]; lib/nn's batchNorm defaults.
  const bn = batchNorm({ name: 'bn', channels: cout });
  return {
    name, params: [], state: [], children: [conv, bn],
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => {
        const y = bn.apply(conv.apply(x, ctx), ctx);
        return relu ? tf.relu(y) : y;
      });
    },
  };
}

/** Bottleneck (Fig. 4-4): 1x1 nIn->K*nOut +BN+ReLU, 3x3 +BN+ReLU, 1x1 ->nOut +BN (no ReLU). */
export function bottleneck(name: string, nIn: number, nOut: number, K: number, rng: Rng, init?: InitKind): Layer {
  const h = K * nOut;
  const layers = [
    convBn('a', nIn, h, 1, true, rng, { init }),
    convBn('b', h, h, 3, true, rng, { init }),
    convBn('c', h, nOut, 1, false, rng, { init }),
  ];
  return {
    name, params: [], state: [], children: layers,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      return tf.tidy(() => layers.reduce((t, l) => l.apply(t, ctx), x));
    },
  };
}

export interface UpdateUnitOptions {
  K: number;
  M: number;
  residual: boolean;
  projection: boolean;
  /** Conv init override (e.g. 'zeros' to construct a huge model cheaply for counting). */
  init?: InitKind;
}

/** Slice the partition's own channels out of the full state. */
export function partitionOf(state: tf.Tensor, lo: number, n: number): tf.Tensor {
  const [b, h, w] = state.shape;
  return tf.slice(state, [0, 0, 0, lo], [b, h, w, n]);
}

/**
 * The bottleneck update unit:
 *   z_1 = (residual ? s_c : 0) + (projection ? BN(Conv1x1_{N->n}(s)) : 0) + Bottleneck_{N->n}(s)
 *   z_m = z_{m-1} + Bottleneck_{n->n}(z_{m-1}),  m = 2..M
 * No ReLU after the additions [code]. The projection is the CIFAR reference code's shortcut (spec
 * 2.3); stacking bottlenecks 2..M on the partition's own n channels is our reading of "stacking up M
 * update units", the only one that reproduces the published GUNN-24 count (spec 2.6).
 */
export function updateUnit(spec: UnitSpec, o: UpdateUnitOptions, rng: Rng): PartitionUnit {
  const { N, lo, n } = spec;
  const first = bottleneck('bottleneck1', N, n, o.K, rng, o.init);
  const proj = o.projection ? convBn('proj', N, n, 1, false, rng, { init: o.init }) : null;
  const rest: Layer[] = [];
  for (let m = 2; m <= o.M; m++) rest.push(bottleneck(`bottleneck${m}`, n, n, o.K, rng, o.init));
  const children = [first, ...(proj ? [proj] : []), ...rest];
  const check = (state: tf.Tensor) => {
    if (state.rank !== 4 || state.shape[3] !== N) {
      throw new Error(`update unit ${spec.index}: expected state [B, H, W, ${N}], got [${state.shape.join(', ')}]`);
    }
  };
  const compute = (state: tf.Tensor, ctx: Ctx, withIdentity: boolean): tf.Tensor => {
    let z = first.apply(state, ctx);
    if (proj) z = tf.add(z, proj.apply(state, ctx));
    if (withIdentity) z = tf.add(z, partitionOf(state, lo, n));
    for (const b of rest) z = tf.add(z, b.apply(z, ctx));
    return z;
  };
  return {
    name: `unit${spec.index}`, params: [], state: [], children, N, lo, n, residual: o.residual,
    apply(state: tf.Tensor, ctx: Ctx): tf.Tensor {
      check(state);
      return tf.tidy(() => compute(state, ctx, o.residual));
    },
    branch(state: tf.Tensor, ctx: Ctx): tf.Tensor {
      check(state);
      return tf.tidy(() => {
        // With M = 1 the branch is the sum of the parameterised paths; with M >= 2 later
        // bottlenecks read z including s_c, so G = F - s_c by definition.
        if (o.M === 1 || !o.residual) return compute(state, ctx, false);
        return tf.sub(compute(state, ctx, true), partitionOf(state, lo, n));
      });
    },
  };
}
