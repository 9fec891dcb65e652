export * from './init';
export { conv2d, depthwiseConv2d, stopGradient } from './conv';
export type { ConvOptions, PadSpec } from './conv';
export { registerCpuKernelFixes, registerWasmTrainingKernels } from './wasm-kernels';
