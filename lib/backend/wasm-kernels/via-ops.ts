// Helpers for kernels written in terms of other kernels. Inside a kernel function the engine
// does not record gradients, so tf ops can be used freely; what matters is reference counting:
// input TensorInfos are wrapped as tensors that own one extra backend reference, and the result
// is handed back as a TensorInfo that owns its own reference.
import * as tf from '@tensorflow/tfjs';

export type Backend = tf.KernelBackend & { incRef(dataId: object): void };
export type Info = tf.TensorInfo;

/** A tensor view of a kernel input; disposing it leaves the input intact. */
export function wrap(backend: Backend, info: Info): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/** Run `f` on tensor views of `inputs` and return its result as a kernel output. */
export function viaOps(backend: Backend, inputs: Info[], f: (...ts: tf.Tensor[]) => tf.Tensor): Info {
  // Under tf.profile, report this kernel as one entry (its inner kernels are not listed apart).
  const state = tf.engine().state as { profiling: boolean };
  const profiling = state.profiling;
  state.profiling = false;
  let out: tf.Tensor;
  try {
    out = tf.tidy(() => f(...inputs.map((i) => wrap(backend, i))));
  } finally {
    state.profiling = profiling;
  }
  backend.incRef(out.dataId);
  const info: Info = { dataId: out.dataId, shape: out.shape.slice(), dtype: out.dtype };
  out.dispose();
  return info;
}

/** Call another registered wasm kernel directly (no engine bookkeeping). */
export function callKernel(backend: Backend, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, attrs, backend }) as Info;
}

export function free(backend: Backend, ...infos: Info[]): void {
  for (const i of infos) backend.disposeData(i.dataId);
}
