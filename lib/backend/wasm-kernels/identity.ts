// Identity without a copy: share the buffer and bump its reference count, as the cpu backend
// does (tensors are immutable). wasm's own Identity copies, and the engine clones every tensor
// it saves for the backward pass (~30 copies per training step of the bench CNN).
import * as tf from '@tensorflow/tfjs';

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') throw new Error('Identity on wasm: string tensors are not supported');
    (backend as tf.KernelBackend & { incRef(d: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  },
};
