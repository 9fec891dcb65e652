// The Backbone shape shared by every model factory: a flat chain of named children whose outputs are
// tapped, a list of which taps are stage boundaries (for FPNs, local classifiers, DCL heads), and a
// head (pool + classifier) that can be left off (numClasses = 0).
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from './types';
import { sequential, type SequentialLayer } from './layers';
import { expectShape } from './check';

export interface FeatureInfo {
  /** Child name (= ctx.taps key) whose output is this feature map. */
  name: string;
  channels: number;
  /** Spatial reduction relative to the input (stride), e.g. 1, 2, 4, 8. */
  reduction: number;
}

export interface Backbone extends SequentialLayer {
  /** Input [H, W, C] the model was sized for (H, W null when any size works). */
  inputShape: [number | null, number | null, number];
  /** Stage boundaries, shallow to deep. */
  features: FeatureInfo[];
  /** Channels of the pooled embedding that enters the classifier. */
  featureDim: number;
  /** Number of children that form the body (stem + stages); the rest is the head. */
  bodyLength: number;
  /** Output of every stage boundary, in `features` order. */
  applyFeatures(x: tf.Tensor, ctx: Ctx): tf.Tensor[];
  /** Body output (last feature map, before pooling). */
  applyBody(x: tf.Tensor, ctx: Ctx): tf.Tensor;
  /** Head only: from the last feature map to logits. */
  applyHead(h: tf.Tensor, ctx: Ctx): tf.Tensor;
}

export function makeBackbone(
  name: string, body: Layer[], head: Layer[],
  info: { inputShape: [number | null, number | null, number]; features: FeatureInfo[]; featureDim: number },
): Backbone {
  const seq = sequential(name, [...body, ...head], { tapOutputs: true });
  const bodyLength = body.length;
  const featureIdx = info.features.map((f) => {
    const i = body.findIndex((l) => l.name === f.name);
    if (i < 0) throw new Error(`makeBackbone '${name}': feature '${f.name}' is not a body child`);
    return i;
  });
  const checkInput = (x: tf.Tensor) => expectShape('backbone', name, x, [null, info.inputShape[0], info.inputShape[1], info.inputShape[2]]);
  return {
    ...seq,
    ...info,
    bodyLength,
    apply(x, ctx) { checkInput(x); return seq.apply(x, ctx); },
    applyBody(x, ctx) { checkInput(x); return seq.applyRange(x, ctx, 0, bodyLength); },
    applyHead(h, ctx) { return seq.applyRange(h, ctx, bodyLength); },
    applyFeatures(x, ctx) {
      checkInput(x);
      const out: tf.Tensor[] = [];
      let h = x;
      let from = 0;
      for (const i of featureIdx) {
        h = seq.applyRange(h, ctx, from, i + 1);
        out.push(h);
        from = i + 1;
      }
      return out;
    },
  };
}
