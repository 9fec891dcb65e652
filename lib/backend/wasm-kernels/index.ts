// Training kernels the wasm backend lacks, registered through tf.registerKernel.
// (Filled in by the kernels work; returns the names it registered.)
export function registerWasmTrainingKernels(): string[] {
  return [];
}
