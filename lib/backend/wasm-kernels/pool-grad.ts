// MaxPoolGrad and AvgPoolGrad for wasm from tf ops (../pool-grads.ts). wasm's own MaxPoolGrad
// (and MaxPoolWithArgmax) start the running max at 0: windows of negative values get no gradient
// (found by test/kernels.test.ts). Max: one mask per window tap; avg: a transposed depthwise conv.
import * as tf from '@tensorflow/tfjs';
import { avgPoolBackprop, maxPoolBackprop, poolGeometry } from '../pool-grads';
import { Backend, viaOps } from './via-ops';

interface PoolAttrs { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' }

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const g = poolGeometry(input.shape, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    return viaOps(backend as Backend, [dy, input, output], (d, x, y) => maxPoolBackprop(d as tf.Tensor4D, x as tf.Tensor4D, y as tf.Tensor4D, g));
  },
};

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const g = poolGeometry(input.shape, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    return viaOps(backend as Backend, [dy], (d) => avgPoolBackprop(d as tf.Tensor4D, g));
  },
};
