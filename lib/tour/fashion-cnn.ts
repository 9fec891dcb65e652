// The tour's experiment: the reference CNN of the benchmark (lib/nn referenceCnn) trained on the
// shipped Fashion-MNIST with Adam. It exercises the whole foundation end to end: data, wasm
// training kernels, the fit loop, evaluation, live curves and the experiment record.
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist, batches, NORMALIZATION, numBatches, type ImageSet } from '../data';
import { referenceCnn, countParams, disposeLayer } from '../nn';
import { adam, fit, evaluate, runExperiment, type EpochRecord, type ExperimentRecord, type FitCallbacks } from '../train';
import { budget } from '../util/quick';
import { makeRng } from '../util/random';

export interface TourConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Use only the first N training images (the whole set when undefined). */
  trainLimit?: number;
  /** Evaluate on the first N test images (the whole set when undefined). */
  testLimit?: number;
  /** Number of test images whose predictions are returned for display. */
  samples: number;
}

/** Full mode: 2 epochs over all 60000 images; quick mode (CV_QUICK=1): a slice for a smoke run. */
export function tourConfig(overrides: Partial<TourConfig> = {}): TourConfig {
  return {
    seed: 0, epochs: budget(2, 1), batchSize: 64, lr: 1e-3,
    trainLimit: budget(undefined, 3000), testLimit: budget(undefined, 1000), samples: 24,
    ...overrides,
  };
}

export interface TourMetrics {
  history: EpochRecord[];
  testAccuracy: number;
  testLoss: number;
  /** Test predictions and labels (for the confusion matrix). */
  predictions: Int32Array;
  labels: Int32Array;
  classNames: string[];
  /** First `samples` test images (uint8, [n, 28, 28, 1]) with their predictions. */
  samples: { images: Uint8Array; shape: [number, number, number, number]; labels: Int32Array; predictions: Int32Array };
  /** tf.memory().numTensors after each epoch: constant when nothing leaks. */
  numTensorsPerEpoch: number[];
  trainImagesPerSec: number;
  params: number;
}

function firstN(set: ImageSet, n: number | undefined): Int32Array | undefined {
  if (n === undefined) return undefined;
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`tour: limits must be positive integers, got ${n}`);
  return Int32Array.from({ length: Math.min(n, set.shape[0]) }, (_, i) => i);
}

export async function trainFashionCnn(
  config: TourConfig = tourConfig(),
  hooks: { chart?: { update(history: EpochRecord[]): unknown }; callbacks?: FitCallbacks } = {},
): Promise<ExperimentRecord<TourConfig, TourMetrics>> {
  const train = loadFashionMnist({ split: 'train' });
  const test = loadFashionMnist({ split: 'test' });
  const trainIdx = firstN(train, config.trainLimit);
  const testIdx = firstN(test, config.testLimit);
  const nTrain = trainIdx ? trainIdx.length : train.shape[0];
  const norm = NORMALIZATION.fashionMnist;
  return runExperiment(config, async ({ seed }) => {
    const model = referenceCnn(makeRng(seed).fork('init'));
    const optimizer = adam({ lr: config.lr });
    const numTensorsPerEpoch: number[] = [];
    const testBatches = () => batches(test, { batchSize: 500, shuffle: false, indices: testIdx, normalization: norm });
    try {
      const res = await fit({
        model, optimizer, epochs: config.epochs, seed, label: 'refcnn',
        stepsPerEpoch: numBatches(nTrain, config.batchSize),
        train: (epoch) => batches(train, { batchSize: config.batchSize, seed: seed * 1000 + epoch, indices: trainIdx, normalization: norm }),
        eval: () => testBatches(),
        chart: hooks.chart,
        callbacks: [{ onEpochEnd: () => { numTensorsPerEpoch.push(tf.memory().numTensors); } }, ...(hooks.callbacks ? [hooks.callbacks] : [])],
      });
      const trainMs = res.history.reduce((s, r) => s + r.timeMs, 0);
      const ev = await evaluate(model, testBatches(), { keepPredictions: true });
      const n = Math.min(config.samples, test.shape[0]);
      const per = 28 * 28;
      return {
        history: res.history, testAccuracy: ev.accuracy, testLoss: ev.loss,
        predictions: ev.predictions!, labels: ev.labels!, classNames: test.classNames,
        samples: {
          images: test.images.slice(0, n * per), shape: [n, 28, 28, 1],
          labels: test.labels.slice(0, n), predictions: ev.predictions!.slice(0, n),
        },
        numTensorsPerEpoch,
        // Includes the per-epoch evaluation, so it is a lower bound on pure training speed.
        trainImagesPerSec: (nTrain * res.history.length) / (trainMs / 1000),
        params: countParams(model),
      };
    } finally {
      disposeLayer(model);
      optimizer.dispose();
    }
  });
}
