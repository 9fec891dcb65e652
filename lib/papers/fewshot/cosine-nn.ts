// "NN + Cosine" baseline and the NN oracle (Tables 2-I, 2-II): class score = the maximal cosine
// similarity between the query and that class's gallery items; no training, no adaptation step,
// but every query scans the gallery.
import * as tf from '@tensorflow/tfjs';
import type { Features } from './features';
import { checkFeatures, featuresTensor } from './features';
import { l2NormalizeRows } from './l2norm';
import { maxOverClassRows } from './predicted-classifier';

export interface CosineNN {
  classes: number[];
  gallery: tf.Tensor2D;
  rowClass: Int32Array;
  dispose(): void;
}

/** Gallery over `classes` (order = class positions); every class needs at least one item. */
export function buildCosineNN(gallery: Features, classes: number[]): CosineNN {
  checkFeatures(gallery, 'buildCosineNN');
  const pos = new Map(classes.map((c, i) => [c, i]));
  const rowClass = new Int32Array(gallery.labels.length);
  for (let i = 0; i < gallery.labels.length; i++) {
    const p = pos.get(gallery.labels[i]);
    if (p === undefined) throw new Error(`buildCosineNN: gallery label ${gallery.labels[i]} not in classes [${classes}]`);
    rowClass[i] = p;
  }
  const g = tf.tidy(() => l2NormalizeRows(featuresTensor(gallery)));
  return { classes, gallery: g, rowClass, dispose: () => g.dispose() };
}

/** Class scores [N, C] = max cosine per class. */
export function cosineNNScores(nn: CosineNN, queries: tf.Tensor2D): tf.Tensor2D {
  if (queries.shape[1] !== nn.gallery.shape[1]) throw new Error(`cosineNNScores: query dim ${queries.shape[1]} != gallery dim ${nn.gallery.shape[1]}`);
  return tf.tidy(() => maxOverClassRows(tf.matMul(l2NormalizeRows(queries), nn.gallery, false, true) as tf.Tensor2D, nn.rowClass, nn.classes.length));
}
