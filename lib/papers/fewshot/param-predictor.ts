// The category-agnostic parameter predictor phi: statistic s_y (an activation or a class-mean
// activation) -> FC weight row w_y (thesis 2.2, Figure 2-3).
//   phi1 = L2N( W  · L2N(s) + b )                       one FC layer      (thesis "phi^1")
//   phi2 = L2N( W2 · ReLU( W1 · L2N(s) + b1 ) + b2 )    two FC + ReLU     (thesis "phi^2", "phi^2*")
// Thesis: only "the final outputs are normalized to unity" (phi^2). Input normalisation and identity
// initialisation come from the authors' code (spec 2.5/2.6 [code]); phi1 gets the same normalisation
// (spec [choice]). With identity init and non-negative (post-ReLU) inputs, phi(s) = s/||s|| at step 0:
// the cosine nearest-class-mean classifier.
// Kernels are stored in tfjs orientation [in, out] (x · K); the thesis matrix Phi [out, in] is K^T.
import * as tf from '@tensorflow/tfjs';
import type { Layer, NamedVar, Ctx } from '../../nn/types';
import { initVariable } from '../../nn/init';
import { collectParams } from '../../nn/tree';
import type { Rng } from '../../util/random';
import { makeRng } from '../../util/random';
import { l2NormalizeRows } from './l2norm';

export type PhiVariant = 'phi1' | 'phi2';

export interface PhiConfig {
  variant: PhiVariant;
  /** Activation dimension n (64 for the small backbones, 640 WRN, 2048 ResNet-50). */
  dim: number;
  /** Hidden width of phi2 (thesis: n). */
  hidden?: number;
  normalizeInput?: boolean;
  normalizeOutput?: boolean;
  /** Biases in the FC layers. The thesis does not say for phi1; [choice] yes, zero-initialised. */
  bias?: boolean;
  /** 'identity' ([code], default) or 'glorot' (random start, needs much longer training). */
  init?: 'identity' | 'glorot';
  rng?: Rng;
}

export interface ParamPredictor extends Layer {
  config: Required<Omit<PhiConfig, 'rng'>>;
}

const VARIANTS: PhiVariant[] = ['phi1', 'phi2'];

function resolve(cfg: PhiConfig): Required<Omit<PhiConfig, 'rng'>> {
  if (!VARIANTS.includes(cfg.variant)) throw new Error(`paramPredictor: unknown variant '${cfg.variant}' (use ${VARIANTS.join(' | ')})`);
  if (!Number.isInteger(cfg.dim) || cfg.dim <= 0) throw new Error(`paramPredictor: dim must be a positive integer, got ${cfg.dim}`);
  const hidden = cfg.hidden ?? cfg.dim;
  if (!Number.isInteger(hidden) || hidden <= 0) throw new Error(`paramPredictor: hidden must be a positive integer, got ${hidden}`);
  const init = cfg.init ?? 'identity';
  if (init !== 'identity' && init !== 'glorot') throw new Error(`paramPredictor: unknown init '${init}' (use identity | glorot)`);
  if (init === 'identity' && cfg.variant === 'phi2' && hidden !== cfg.dim) {
    throw new Error(`paramPredictor: identity init needs hidden == dim (got hidden ${hidden}, dim ${cfg.dim})`);
  }
  return {
    variant: cfg.variant, dim: cfg.dim, hidden,
    normalizeInput: cfg.normalizeInput ?? true,
    normalizeOutput: cfg.normalizeOutput ?? true,
    bias: cfg.bias ?? true,
    init,
  };
}

/** Number of trainable scalars of phi without building it (2048-d phi2: 8,392,704). */
export function phiParamCount(variant: PhiVariant, dim: number, hidden = dim, bias = true): number {
  if (variant === 'phi1') return dim * dim + (bias ? dim : 0);
  return dim * hidden + hidden * dim + (bias ? hidden + dim : 0);
}

function kernel(shape: [number, number], init: 'identity' | 'glorot', rng: Rng): tf.Variable {
  if (init === 'identity') return tf.tidy(() => tf.variable(tf.eye(shape[0], shape[1]), true));
  return initVariable(shape, 'glorotUniform', rng);
}

function denseLayer(name: string, inDim: number, outDim: number, bias: boolean, init: 'identity' | 'glorot', rng: Rng): Layer {
  const k = kernel([inDim, outDim], init, rng);
  const params: NamedVar[] = [{ path: 'kernel', variable: k, decay: true }];
  let b: tf.Variable | null = null;
  if (bias) {
    b = tf.tidy(() => tf.variable(tf.zeros([outDim]), true));
    // Torch optim.sgd decays every parameter, biases included (spec pitfall 9).
    params.push({ path: 'bias', variable: b, decay: true });
  }
  return {
    name, params, state: [], children: [],
    apply: (x) => tf.tidy(() => (b ? tf.add(tf.matMul(x as tf.Tensor2D, k), b) : tf.matMul(x as tf.Tensor2D, k))),
  };
}

/** Build phi. Maps statistics [K, n] -> weight rows [K, n]. */
export function paramPredictor(cfg: PhiConfig): ParamPredictor {
  const c = resolve(cfg);
  const rng = cfg.rng ?? makeRng(0);
  const children: Layer[] = c.variant === 'phi1'
    ? [denseLayer('fc', c.dim, c.dim, c.bias, c.init, rng)]
    : [denseLayer('fc1', c.dim, c.hidden, c.bias, c.init, rng), denseLayer('fc2', c.hidden, c.dim, c.bias, c.init, rng)];
  return {
    name: c.variant, params: [], state: [], children, config: c,
    apply(x: tf.Tensor, ctx: Ctx): tf.Tensor {
      if (x.rank !== 2 || x.shape[1] !== c.dim) throw new Error(`${c.variant}: expected statistics [K, ${c.dim}], got [${x.shape}]`);
      return tf.tidy(() => {
        let h = x as tf.Tensor2D;
        if (c.normalizeInput) h = l2NormalizeRows(h);
        h = children[0].apply(h, ctx) as tf.Tensor2D;
        if (c.variant === 'phi2') h = children[1].apply(tf.relu(h), ctx) as tf.Tensor2D;
        return c.normalizeOutput ? l2NormalizeRows(h) : h;
      });
    },
  };
}

/** phi's variables (for the optimiser; the backbone is never among them). */
export function phiParams(phi: ParamPredictor): NamedVar[] {
  return collectParams(phi);
}

/** phi1 as the thesis matrix Phi [out, in] (row-major Float32Array, dim x dim). */
export function phi1Matrix(phi: ParamPredictor): Float32Array {
  if (phi.config.variant !== 'phi1') throw new Error(`phi1Matrix: needs a phi1 predictor, got ${phi.config.variant}`);
  const k = phi.children[0].params[0].variable;
  const t = tf.transpose(k);
  const out = Float32Array.from(t.dataSync());
  t.dispose();
  return out;
}
