// A tiny seeded training task, used by the runParallel tests and as a template for experiment
// runners launched in worker threads: an exported async function taking a JSON config.
import * as tf from '@tensorflow/tfjs';
import { threadId } from 'worker_threads';
import { dense } from '../nn/layers';
import { collectParams, disposeLayer } from '../nn/tree';
import { softmaxCrossEntropy } from '../nn/losses';
import { makeRng } from '../util/random';
import { sgd } from './optimizers';
import { trainStep } from './step';

export async function tinyRegression(config: { seed: number; steps?: number; failAt?: number }): Promise<{ seed: number; losses: number[]; threadId: number; backend: string }> {
  const rng = makeRng(config.seed);
  const layer = dense({ inFeatures: 4, units: 3 }, rng);
  const vars = collectParams(layer);
  const opt = sgd({ lr: 0.1, momentum: 0.9 });
  const x = tf.tensor2d(Array.from({ length: 32 }, () => rng.normal()), [8, 4]);
  const y = tf.tensor1d(Array.from({ length: 8 }, () => rng.int(3)), 'int32');
  const losses: number[] = [];
  for (let s = 0; s < (config.steps ?? 5); s++) {
    if (config.failAt === s) throw new Error(`deliberate failure at step ${s}`);
    losses.push(trainStep({ loss: () => softmaxCrossEntropy(layer.apply(x, { training: true }), y) as tf.Scalar, vars, optimizer: opt }).loss);
  }
  tf.dispose([x, y]); opt.dispose(); disposeLayer(layer);
  return { seed: config.seed, losses, threadId, backend: tf.getBackend() };
}
