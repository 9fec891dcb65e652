// Type-level and runtime compatibility of lib/train with lib/data's batch iterators.
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../lib/nn';
import * as train from '../lib/train';
import * as data from '../lib/data';
import { makeRng } from '../lib/util/random';

describe('train: with lib/data batches', () => {
  it('fit consumes data.batches() directly and disposes its tensors', async () => {
    const n = 48;
    const rng = makeRng(1);
    const set: data.ImageSet = {
      images: Uint8Array.from({ length: n * 8 * 8 }, () => rng.int(256)), labels: Int32Array.from({ length: n }, (_, i) => i % 3),
      shape: [n, 8, 8, 1], maxValue: 255, classNames: ['a', 'b', 'c'], source: 'synthetic',
    };
    const model = nn.convNet(makeRng(2), { widths: [4], inChannels: 1, numClasses: 3 });
    const before = tf.memory().numTensors;
    const r = await train.fit({
      model, optimizer: train.sgd({ lr: 0.05 }), epochs: 2, progress: false,
      train: (e) => data.batches(set, { batchSize: 16, seed: e }),
      eval: () => data.batches(set, { batchSize: 16, shuffle: false }),
    });
    assert.strictEqual(r.steps, 6);
    assert.strictEqual(tf.memory().numTensors, before);
    nn.disposeLayer(model);
  });
});
