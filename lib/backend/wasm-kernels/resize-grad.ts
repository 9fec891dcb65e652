// ResizeBilinearGrad and ResizeNearestNeighborGrad for wasm through interpolation matrices
// (see ../resize.ts): exact for every alignCorners/halfPixelCenters setting (wasm's own ignore
// halfPixelCenters), and GEMM-fast.
import * as tf from '@tensorflow/tfjs';
import { resizeBackprop } from '../resize';
import { Backend, viaOps } from './via-ops';

export function resizeGradConfig(kernelName: string, kind: 'bilinear' | 'nearest', backendName = 'wasm'): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
      const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters?: boolean };
      return viaOps(backend as Backend, [dy], (d) => resizeBackprop(kind, d as tf.Tensor4D, images.shape, alignCorners, !!halfPixelCenters));
    },
  };
}

export const resizeBilinearGradConfig = resizeGradConfig('ResizeBilinearGrad', 'bilinear');
export const resizeNearestGradConfig = resizeGradConfig('ResizeNearestNeighborGrad', 'nearest');
