// Training kernels the wasm backend lacks, has only as slow scalar loops, or gets wrong,
// registered through tf.registerKernel. Every one is checked against the cpu backend (or an
// independent reference where cpu is wrong) in test/kernels.test.ts:
//   new:      Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum
//   faster:   Conv2DBackpropInput, BatchMatMul/_FusedMatMul with transposes, Sum and Mean over
//             leading axes, Identity (no copy), AvgPoolGrad (~5x), MaxPoolGrad, Slice (in-heap copy)
//   correct:  MaxPoolGrad (wasm's drops windows whose values are all negative),
//             ResizeBilinearGrad/ResizeNearestNeighborGrad (wasm's ignore halfPixelCenters)
import * as tf from '@tensorflow/tfjs';
import {
  conv2dBackpropFilterConfig, conv2dBackpropInputConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig,
} from './conv2d-backprop';
import { matMulConfigs } from './matmul';
import { avgPoolGradConfig, maxPoolGradConfig } from './pool-grad';
import { resizeBilinearGradConfig, resizeGradConfig, resizeNearestGradConfig } from './resize-grad';
import { unsortedSegmentSumConfig } from './segment-sum';
import { meanConfig, sumConfig } from './sum';
import { sliceConfig } from './slice';
import { identityConfig } from './identity';

let registered: string[] | null = null;

/** Register (once) and return the names of the kernels this library provides for wasm. */
export function registerWasmTrainingKernels(): string[] {
  if (registered) return registered.slice();
  const configs: tf.KernelConfig[] = [
    conv2dBackpropFilterConfig, conv2dBackpropInputConfig,
    depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig,
    unsortedSegmentSumConfig,
    resizeBilinearGradConfig, resizeNearestGradConfig,
    maxPoolGradConfig, avgPoolGradConfig,
    ...matMulConfigs(),
    sumConfig(), meanConfig(),
    sliceConfig(),
    identityConfig,
  ];
  for (const c of configs) {
    // Overrides replace wasm's own kernel; the original was captured by the config where needed.
    if (tf.getKernel(c.kernelName, 'wasm')) tf.unregisterKernel(c.kernelName, 'wasm');
    tf.registerKernel(c);
  }
  registered = configs.map((c) => c.kernelName);
  return registered.slice();
}

let cpuFixed: string[] | null = null;

/**
 * Fixes for the cpu backend (registered once, whichever backend runs, since tests and users
 * switch to cpu for reference values): tfjs 4.22's cpu ResizeBilinearGrad returns a transposed
 * shape for non-square inputs, and its ResizeNearestNeighborGrad with alignCorners is not the
 * transpose of the forward op (test/kernels.test.ts checks both against the matrix form).
 */
export function registerCpuKernelFixes(): string[] {
  if (cpuFixed) return cpuFixed.slice();
  const configs = [resizeGradConfig('ResizeBilinearGrad', 'bilinear', 'cpu'), resizeGradConfig('ResizeNearestNeighborGrad', 'nearest', 'cpu')];
  for (const c of configs) {
    if (tf.getKernel(c.kernelName, 'cpu')) tf.unregisterKernel(c.kernelName, 'cpu');
    tf.registerKernel(c);
  }
  cpuFixed = configs.map((c) => c.kernelName);
  return cpuFixed.slice();
}
