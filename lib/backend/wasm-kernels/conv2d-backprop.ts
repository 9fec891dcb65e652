// Conv2DBackpropFilter (absent from wasm) and Conv2DBackpropInput (wasm's own is a scalar loop),
// built from wasm's XNNPACK conv2d and GEMM kernels via conv-grads.ts.
import * as tf from '@tensorflow/tfjs';
import { convGeometry } from '../conv-geometry';
import { conv2dFilterGradSwapped, conv2dInputGrad, depthwiseFilterGradSwapped, depthwiseInputGrad } from '../conv-grads';
import { Backend, viaOps } from './via-ops';

type A = tf.NamedAttrMap & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function checkNHWC(kernel: string, attrs: A): void {
  const f = attrs.dataFormat;
  if (f !== undefined && f !== 'NHWC' && f !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports dataFormat NHWC only, got ${f}`);
  }
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as A;
    checkNHWC('Conv2DBackpropFilter', a);
    const g = convGeometry(x.shape, a.filterShape, a.strides, a.pad, 1, a.dimRoundingMode);
    return viaOps(backend as Backend, [x, dy], (xt, dyt) =>
      conv2dFilterGradSwapped(xt as tf.Tensor4D, dyt as tf.Tensor4D, a.filterShape, g));
  },
};

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as A;
    checkNHWC('Conv2DBackpropInput', a);
    const g = convGeometry(a.inputShape, filter.shape, a.strides, a.pad, 1, a.dimRoundingMode);
    return viaOps(backend as Backend, [dy, filter], (dyt, w) => conv2dInputGrad(dyt as tf.Tensor4D, w as tf.Tensor4D, g));
  },
};

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as A;
    const g = convGeometry(x.shape, a.filterShape, a.strides, a.pad, a.dilations ?? 1, a.dimRoundingMode, true);
    return viaOps(backend as Backend, [x, dy], (xt, dyt) =>
      depthwiseFilterGradSwapped(xt as tf.Tensor4D, dyt as tf.Tensor4D, a.filterShape, g));
  },
};

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as A;
    const g = convGeometry(a.inputShape, filter.shape, a.strides, a.pad, a.dilations ?? 1, a.dimRoundingMode, true);
    return viaOps(backend as Backend, [dy, filter], (dyt, w) => depthwiseInputGrad(dyt as tf.Tensor4D, w as tf.Tensor4D, g));
  },
};
