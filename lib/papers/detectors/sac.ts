// Switchable Atrous Convolution (thesis §6.4, eq. 6.4, Fig. 6-5), the "SAC - DCN" configuration:
//   x'  = x + W_pre * GAP(x) + b_pre                         (pre global context, zero init)
//   S   = Conv1x1_{Cin->1, stride s}( AvgPool5x5_reflect(x') ) (weight 0, bias 1 -> S == 1)
//   y   = S * Conv(x', w, 1) + (1 - S) * Conv(x', w + dw, r)    (dw = 0: weight locking)
//   out = y + W_post * GAP(y) + b_post                        (post global context, zero init)
// No sigmoid on S (reference mmcv SAConv2d; a sigmoid would break the conversion guarantee).
// The rate-r branch uses padding r*p and dilation r*d; the dilated conv is lib/backend's
// differentiable atrous conv (tfjs' own conv2d gradient refuses dilation > 1).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/random';
import type { Ctx, Layer, NamedVar } from '../../nn/types';
import { conv2d, type Conv2dLayer } from '../../nn/layers';
import { conv2dOp } from '../../nn/ops';
import { initValues } from '../../nn/init';

export interface SacOptions {
  name?: string;
  inChannels: number;
  filters: number;
  kernelSize?: number;
  stride?: number;
  /** Padding of the rate-1 conv (default (k-1)/2); the large branch uses rate * padding. */
  padding?: number;
  /** Atrous rate of the large branch (thesis default 3). */
  rate?: number;
  /** Weight locking (default true): the large branch uses w + dw; false ("- locking") uses dw alone. */
  lock?: boolean;
  /** Global context modules before and after (default true; false = "SAC - DCN - global"). */
  globalContext?: boolean;
  /** Freeze dw at 0 (the thesis' "dw fixed" remark, -0.1 AP). */
  freezeDelta?: boolean;
  /** Conv bias (backbone SAC has none; BN follows). */
  bias?: boolean;
  /** Start from a trained plain conv kernel (conversion); otherwise He-normal fan-out. */
  kernel?: tf.Tensor;
  /** Store S under ctx.taps.get(tapKey) when ctx.taps is given (switch maps, thesis Fig. 6-8). */
  tapKey?: string;
}

export interface SacLayer extends Layer {
  kernel: tf.Variable;
  deltaW: tf.Variable;
  switchConv: Conv2dLayer;
  preContext: Conv2dLayer | null;
  postContext: Conv2dLayer | null;
  /** S(x') for an input (after the pre-context), [N, Ho, Wo, 1]. */
  switchMap(x: tf.Tensor, ctx: Ctx): tf.Tensor;
}

/** 5x5 average pool, stride 1, reflect padding 2 (mmcv SAConv2d: F.pad(mode='reflect') + avg_pool2d). */
export function reflectAvgPool5(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    if (h < 3 || w < 3) throw new Error(`reflectAvgPool5: reflect padding 2 needs spatial size >= 3, got ${h}x${w}`);
    return tf.avgPool(tf.mirrorPad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], 'reflect'), 5, 1, 'valid');
  });
}

/** SENet-like additive global context: x + W * GAP(x) + b, zero-initialised (thesis §6.4.3). */
export function globalContext(name: string, channels: number, rng: Rng): Conv2dLayer & { applyContext(x: tf.Tensor): tf.Tensor } {
  const c = conv2d({ name, inChannels: channels, filters: channels, kernelSize: 1, padding: 0, bias: true, init: 'zeros' }, rng);
  return Object.assign(c, {
    applyContext(x: tf.Tensor): tf.Tensor {
      return tf.tidy(() => tf.add(x, c.apply(tf.mean(x, [1, 2], true), { training: false })));
    },
  });
}

export function sac(o: SacOptions, rng: Rng): SacLayer {
  const name = o.name ?? 'sac';
  const k = o.kernelSize ?? 3, stride = o.stride ?? 1, pad = o.padding ?? (k - 1) / 2, rate = o.rate ?? 3;
  const cin = o.inChannels, cout = o.filters, lock = o.lock ?? true;
  const shape = [k, k, cin, cout];
  if (o.kernel && !tf.util.arraysEqual(o.kernel.shape, shape)) throw new Error(`sac '${name}': kernel must have shape [${shape}], got [${o.kernel.shape}]`);
  const kernel = tf.tidy(() => tf.variable(o.kernel ? tf.clone(o.kernel) : tf.tensor(initValues(shape, 'heNormalFanOut', rng), shape), true));
  const deltaW = tf.tidy(() => tf.variable(tf.zeros(shape), !o.freezeDelta));
  const bias = o.bias ? tf.tidy(() => tf.variable(tf.zeros([cout]), true)) : null;
  const switchConv = conv2d({ name: 'switch', inChannels: cin, filters: 1, kernelSize: 1, stride, padding: 0, bias: true, init: 'zeros', biasInit: { constant: 1 } }, rng);
  const gc = o.globalContext ?? true;
  const preContext = gc ? globalContext('preContext', cin, rng) : null;
  const postContext = gc ? globalContext('postContext', cout, rng) : null;
  const params: NamedVar[] = [{ path: 'kernel', variable: kernel, decay: true }];
  if (!o.freezeDelta) params.push({ path: 'deltaW', variable: deltaW, decay: true });
  if (bias) params.push({ path: 'bias', variable: bias, decay: false });
  const children: Layer[] = [switchConv];
  if (preContext) children.push(preContext);
  if (postContext) children.push(postContext);
  const pre = (x: tf.Tensor) => (preContext ? preContext.applyContext(x) : x);
  const sw = (xp: tf.Tensor) => switchConv.apply(reflectAvgPool5(xp as tf.Tensor4D), { training: false });
  const layer: SacLayer = {
    name, params, state: o.freezeDelta ? [{ path: 'deltaW', variable: deltaW, decay: false }] : [], children,
    kernel, deltaW, switchConv, preContext, postContext,
    switchMap: (x) => tf.tidy(() => sw(pre(x))),
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      if (x.rank !== 4 || x.shape[3] !== cin) throw new Error(`sac '${name}': expected input [N, H, W, ${cin}], got [${x.shape}]`);
      const s = tf.tidy(() => sw(pre(x)));
      if (ctx.taps && o.tapKey) ctx.taps.set(o.tapKey, tf.keep(tf.clone(s)));
      const out = tf.tidy(() => {
        const xp = pre(x) as tf.Tensor4D;
        const w = kernel as unknown as tf.Tensor4D;
        const small = conv2dOp(xp, w, stride, pad, 1);
        const wl = (lock ? tf.add(w, deltaW) : deltaW) as tf.Tensor4D;
        const large = conv2dOp(xp, wl, stride, rate * pad, rate);
        if (!tf.util.arraysEqual(small.shape, large.shape)) throw new Error(`sac '${name}': branch shapes differ [${small.shape}] vs [${large.shape}]`);
        let y: tf.Tensor = tf.add(tf.mul(s, small), tf.mul(tf.sub(1, s), large));
        if (bias) y = tf.add(y, bias);
        return postContext ? postContext.applyContext(y) : y;
      });
      s.dispose();
      return out;
    },
  };
  return layer;
}

/** Parameters of one SAC replacing a k x k conv (for analytic counts). */
export function sacParamCount(cin: number, cout: number, k = 3, o: { globalContext?: boolean; bias?: boolean } = {}): number {
  let n = 2 * k * k * cin * cout + cin + 1;
  if (o.globalContext ?? true) n += cin * cin + cin + cout * cout + cout;
  if (o.bias) n += cout;
  return n;
}
