// The layer contract every model in collab-vision follows. Plain objects and functions, no class
// hierarchy: a layer owns its variables and exposes a pure `apply`. Because the variables are in
// plain view, custom losses, several models in one step, stop-gradients and layer-local updates
// are ordinary code: pick the variables, write the loss, call `tf.variableGrads`.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random';

/** Per-call context: training flag and the seeded randomness of stochastic layers. */
export interface Ctx {
  training: boolean;
  /** Source of dropout masks, branch switches, ... Required when training a stochastic layer. */
  rng?: Rng;
  /** Optional sink for named intermediate activations (feature taps, local losses). */
  taps?: Map<string, tf.Tensor>;
}

/** A named variable. `path` is hierarchical ("block1/conv/kernel") and unique within a model. */
export interface NamedVar {
  path: string;
  variable: tf.Variable;
  /** Whether weight decay applies (false for biases and batch-norm affine parameters). */
  decay: boolean;
}

export interface Layer {
  /** Local name; paths of children are prefixed with it. */
  name: string;
  /** Trainable variables owned directly by this layer. */
  params: NamedVar[];
  /** Non-trainable state owned directly (batch-norm running mean/variance). */
  state: NamedVar[];
  /** Sub-layers, in order. */
  children: Layer[];
  apply(x: tf.Tensor, ctx: Ctx): tf.Tensor;
}
