// wasm's BatchMatMul/_FusedMatMul are fast (XNNPACK-class) for plain operands but ~10x slower
// with transposeA/transposeB, which is exactly what the dense-layer backward pass asks for.
// Transpose the operand explicitly (a memory pass) and run the plain product.
import * as tf from '@tensorflow/tfjs';
import { Backend, Info, callKernel, free } from './via-ops';

function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

function makeConfig(name: 'BatchMatMul' | '_FusedMatMul', original: tf.KernelFunc): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return original(args);
      const b = backend as Backend;
      const a0 = inputs.a as Info, b0 = inputs.b as Info;
      const size = (i: Info) => i.shape.reduce((p, q) => p * q, 1);
      const tmp: Info[] = [];
      const tr = (i: Info) => {
        const t = callKernel(b, 'Transpose', { x: i }, { perm: lastTwoSwapped(i.shape.length) });
        tmp.push(t);
        return t;
      };
      const plain = { ...attrs, transposeA: false, transposeB: false };
      const outSize = size(a0) / a0.shape[a0.shape.length - (transposeA ? 2 : 1)] * b0.shape[b0.shape.length - (transposeB ? 2 : 1)];
      let out: Info;
      if (name === 'BatchMatMul' && transposeB && !transposeA && 2 * size(a0) + outSize < 2 * size(b0)) {
        // a @ b^T = (b @ a^T)^T: transpose the small a and the output instead of the big b (the
        // dense-layer backward dy @ W^T; the right operand is also repacked by XNNPACK each call).
        const inner = original({ inputs: { a: b0, b: tr(a0) }, backend, attrs: plain }) as Info;
        tmp.push(inner);
        out = callKernel(b, 'Transpose', { x: inner }, { perm: lastTwoSwapped(inner.shape.length) });
        free(b, ...tmp);
        return out;
      }
      const aIn = transposeA ? tr(a0) : a0;
      const bIn = transposeB ? tr(b0) : b0;
      out = original({ inputs: { ...inputs, a: aIn, b: bIn }, backend, attrs: plain }) as Info;
      free(b, ...tmp);
      return out;
    },
  };
}

export function matMulConfigs(): tf.KernelConfig[] {
  return (['BatchMatMul', '_FusedMatMul'] as const).map((n) => {
    const k = tf.getKernel(n, 'wasm');
    if (!k) throw new Error(`wasm kernel ${n} missing`);
    return makeConfig(n, k.kernelFunc);
  });
}
