// UnsortedSegmentSum (gather's gradient) through wasm's ScatterNd, which sums duplicate indices.
// Ids outside [0, numSegments) are dropped, as in TensorFlow.
import * as tf from '@tensorflow/tfjs';
import { Backend, viaOps } from './via-ops';

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (attrs as { numSegments: number }).numSegments;
    return viaOps(backend as Backend, [x, segmentIds], (xt, ids) => {
      // ids has the shape of x's leading dims: flatten both so each id addresses one row.
      const rows = ids.size;
      const inner = xt.shape.slice(ids.rank);
      const innerSize = inner.reduce((p, q) => p * q, 1);
      let idv = ids.reshape([rows]).toInt();
      let upd = xt.reshape([rows, innerSize]);
      const vals = idv.dataSync();
      let keep: number[] | null = null;
      for (let i = 0; i < vals.length; i++) {
        if (vals[i] < 0 || vals[i] >= numSegments) {
          keep = [];
          for (let j = 0; j < vals.length; j++) if (vals[j] >= 0 && vals[j] < numSegments) keep.push(j);
          break;
        }
      }
      if (keep) {
        if (keep.length === 0) return tf.zeros([numSegments, ...inner], xt.dtype);
        const k = tf.tensor1d(keep, 'int32');
        idv = idv.gather(k);
        upd = upd.gather(k);
      }
      return tf.scatterND(idv.reshape([-1, 1]), upd, [numSegments, innerSize]).reshape([numSegments, ...inner]);
    });
  },
};
