// Pre-training the feature extractor on D_large (the thesis' R^pt_large) and extracting activations.
// Thesis gives no recipe for this step; [choice, spec 4.3] Adam 1e-3, batch 64, a few epochs, no
// augmentation. Activations are extracted with BN in inference mode (spec pitfall 21).
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../../nn/backbone';
import { adam } from '../../train/optimizers';
import { fit } from '../../train/fit';
import type { ImageSet } from '../../data/types';
import { batches, type TensorBatch } from '../../data/batches';
import { remapLabels } from '../../data/samplers';
import type { Features } from './features';

export interface PretrainConfig {
  /** Dataset labels of C_large; class position = index here. */
  classes: number[];
  /** Dataset indices of D_large. */
  indices: ArrayLike<number>;
  epochs: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  /** Stop after this many steps in total (budget from measured throughput); default no limit. */
  maxSteps?: number;
  onStep?: (step: number, loss: number) => void;
}

export interface PretrainResult { steps: number; images: number; wallTimeMs: number; lossCurve: { step: number; loss: number }[] }

/** Train the backbone with its classifier head on D_large (lib/train `fit`, default cross-entropy loss). */
export async function pretrainBackbone(net: Backbone, set: ImageSet, cfg: PretrainConfig): Promise<PretrainResult> {
  const y = remapLabels(Array.from(cfg.indices, (i) => set.labels[i]), cfg.classes);
  const labels = new Int32Array(set.labels.length);
  Array.from(cfg.indices).forEach((i, r) => { labels[i] = y[r]; });
  const batchSize = cfg.batchSize ?? 64;
  const perEpoch = Math.floor(cfg.indices.length / batchSize);
  if (perEpoch < 1) throw new Error(`pretrainBackbone: ${cfg.indices.length} images make no full batch of ${batchSize}`);
  const maxSteps = cfg.maxSteps ?? Infinity;
  const epochs = Math.min(cfg.epochs, Math.ceil(maxSteps / perEpoch));
  let steps = 0; let images = 0;
  const lossCurve: { step: number; loss: number }[] = [];
  // The step budget (sized from measured throughput) cuts the last epoch short.
  function* limited(epoch: number): Generator<TensorBatch> {
    const it = batches(set, { batchSize, seed: cfg.seed * 1000 + epoch, indices: cfg.indices, labels, dropLast: true });
    while (steps < maxSteps) {
      const n = it.next();
      if (n.done) return;
      steps++; images += n.value.x.shape[0];
      yield n.value;
    }
  }
  const opt = adam({ lr: cfg.lr ?? 1e-3 });
  const res = await fit({
    model: net, optimizer: opt, epochs, train: limited, progress: false, seed: cfg.seed, label: 'pretrain',
    callbacks: { onBatchEnd: (info) => { if (steps % 10 === 0) lossCurve.push({ step: steps, loss: info.loss }); cfg.onStep?.(steps, info.loss); } },
  });
  opt.dispose();
  return { steps, images, wallTimeMs: res.wallTimeMs, lossCurve };
}

/** a(x): GAP of the last conv block, BN in inference mode, for `indices` of `set`. */
export function extractActivations(net: Backbone, set: ImageSet, indices: ArrayLike<number>, batchSize = 256): Features {
  const dim = net.featureDim;
  const n = indices.length;
  const x = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  let o = 0;
  for (const b of batches(set, { batchSize, shuffle: false, indices })) {
    const a = tf.tidy(() => tf.mean(net.applyBody(b.x, { training: false }), [1, 2]));
    x.set(a.dataSync(), o * dim);
    labels.set(Array.from(b.indices, (i) => set.labels[i]), o);
    o += b.indices.length;
    tf.dispose([a, b.x, b.y]);
  }
  return { x, labels, dim };
}

/** The pre-trained FC w^pt as tfjs kernel [n, C] and bias [C] (for baselines and impact analysis). */
export function pretrainedHead(net: Backbone): { kernel: Float32Array; bias: Float32Array; numClasses: number } {
  const fc = net.children.find((c) => c.name === 'fc');
  if (!fc) throw new Error(`pretrainedHead: backbone '${net.name}' has no 'fc' head`);
  const k = fc.params.find((p) => p.path === 'kernel'); const b = fc.params.find((p) => p.path === 'bias');
  if (!k || !b) throw new Error(`pretrainedHead: '${net.name}/fc' lacks kernel or bias`);
  return { kernel: Float32Array.from(k.variable.dataSync()), bias: Float32Array.from(b.variable.dataSync()), numClasses: k.variable.shape[1] as number };
}
