// Evaluation of a classifier over batches: accuracy, mean loss, predictions.
import * as tf from '@tensorflow/tfjs';
import type { Ctx, Layer } from '../nn/types';
import { softmaxCrossEntropy } from '../nn/losses';

/** A batch: inputs and labels, plus any extra tensors a custom loss needs (disposed with it). */
export interface Batch { x: tf.Tensor; y: tf.Tensor }
/** Anything yielding batches; called once per pass. Yielded tensors are disposed after use. */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch> | (() => Iterable<Batch> | AsyncIterable<Batch>);

export function iterate(src: BatchSource): Iterable<Batch> | AsyncIterable<Batch> {
  return typeof src === 'function' ? src() : src;
}

export function disposeBatch(b: Batch): void {
  for (const v of Object.values(b as object)) if (v instanceof tf.Tensor && !v.isDisposed) v.dispose();
}

/** [N] bool: the label's logit is beaten (strictly, or tied by a lower class index) by fewer than k classes. */
function inTopK(logits: tf.Tensor, y: tf.Tensor, k: number): tf.Tensor {
  const c = logits.shape[1] as number;
  const yl = tf.sum(tf.mul(logits, tf.oneHot(y as tf.Tensor1D, c)), 1, true);
  const idx = tf.range(0, c, 1, 'int32').reshape([1, c]);
  const beats = tf.logicalOr(tf.greater(logits, yl), tf.logicalAnd(tf.equal(logits, yl), tf.less(idx, tf.reshape(y, [-1, 1]))));
  return tf.less(tf.sum(tf.cast(beats, 'int32'), 1), k);
}

export interface EvalResult {
  accuracy: number;
  loss: number;
  n: number;
  /** Top-k accuracy when `topK` is given. */
  topK?: number;
  /** Predicted classes and labels, when `keepPredictions` is set (confusion matrices). */
  predictions?: Int32Array;
  labels?: Int32Array;
}

/** Accuracy and mean cross-entropy of `model` (eval mode) over every batch. Disposes the batches. */
export async function evaluate(
  model: Layer | ((x: tf.Tensor, ctx: Ctx) => tf.Tensor), batches: BatchSource,
  o: { keepPredictions?: boolean; ctx?: Ctx; topK?: number } = {},
): Promise<EvalResult> {
  const fwd = typeof model === 'function' ? model : (x: tf.Tensor, c: Ctx) => model.apply(x, c);
  const ctx: Ctx = o.ctx ?? { training: false };
  let n = 0, correct = 0, lossSum = 0, topHits = 0;
  const preds: number[] = [], labs: number[] = [];
  for await (const b of iterate(batches)) {
    try {
      const [c, l, p, tk] = tf.tidy(() => {
        const logits = fwd(b.x, ctx);
        if (logits.rank !== 2) throw new Error(`evaluate: the model must return logits [N, C], got [${logits.shape}]`);
        const y = b.y.dtype === 'int32' ? b.y : tf.cast(b.y, 'int32');
        const pred = tf.argMax(logits, 1);
        // top-k: the label's score is beaten by fewer than k classes
        const top = o.topK ? tf.sum(tf.cast(inTopK(logits, y, o.topK), 'int32')) : tf.scalar(0, 'int32');
        return [tf.sum(tf.cast(tf.equal(pred, y), 'int32')), softmaxCrossEntropy(logits, y, { reduction: 'sum' }), pred, top];
      });
      topHits += (await tk.data())[0];
      correct += (await c.data())[0];
      lossSum += (await l.data())[0];
      if (o.keepPredictions) {
        preds.push(...Array.from(await p.data()));
        labs.push(...Array.from(await b.y.data()));
      }
      tf.dispose([c, l, p, tk]);
      n += b.y.shape[0];
    } finally {
      disposeBatch(b);
    }
  }
  if (n === 0) throw new Error('evaluate: the batch source yielded no batches');
  const r: EvalResult = { accuracy: correct / n, loss: lossSum / n, n };
  if (o.topK) r.topK = topHits / n;
  if (o.keepPredictions) { r.predictions = Int32Array.from(preds); r.labels = Int32Array.from(labs); }
  return r;
}
